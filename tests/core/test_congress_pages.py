"""Creating a congress from /manage/ and editing its settings, as an owner (not a superuser)."""

import pytest
from django.urls import reverse

from events_site.congresses.edit_conflicts import fingerprint
from events_site.congresses.enums import CongressStatus
from events_site.congresses.models import AuditEntry, Congress, TeamMembership
from events_site.congresses.services import CONGRESS_EDIT_FIELDS, update_congress
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(congress=None, **overrides):
    data = {
        "name": "Global Summit 2029",
        "slug": "summit-2029",
        "tagline": "",
        "description": "",
        "start_date": "2029-10-01",
        "end_date": "2029-10-04",
        "time_zone": "America/Sao_Paulo",
        "currency": "BRL",
        "languages": ["pt", "en"],
        "status": "draft",
        "contact_email": "team@summit.example",
        "website": "",
    }
    if congress is not None:
        data["organisation"] = str(congress.organisation_id)
    data.update(overrides)
    return data


def test_an_owner_creates_a_congress_in_their_organisation(client, alice, congress):
    client.force_login(alice)
    page = client.get(reverse("congresses:dashboard")).content.decode()
    assert reverse("congresses:congress_new") in page
    response = client.post(reverse("congresses:congress_new"), _form(congress))
    created = Congress.objects.get(slug="summit-2029")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "congresses:backoffice", kwargs={"congress_slug": "summit-2029"}
    )
    assert created.organisation == congress.organisation
    assert created.languages == ["en", "pt"]  # the site's order for a new congress
    assert TeamMembership.objects.filter(congress=created, user=alice, role="owner").exists()
    assert AuditEntry.objects.filter(action="convene.congress.created", congress=created).exists()


def test_the_form_lists_time_zones_and_currencies_by_name(client, alice, congress):
    client.force_login(alice)
    page = client.get(reverse("congresses:congress_new"), HTTP_ACCEPT_LANGUAGE="fr").content
    text = page.decode()
    assert '<option value="Asia/Seoul">' in text
    assert "EUR – euro" in text  # in the reader's language
    assert (
        "Only the team sees it" in client.get(reverse("congresses:congress_new")).content.decode()
    )


def test_people_who_own_no_congress_cannot_create_one(client, bob, charlie, congress):
    client.force_login(bob)  # check-in staff only
    assert client.get(reverse("congresses:congress_new")).status_code == 403
    assert (
        reverse("congresses:congress_new")
        not in client.get(reverse("congresses:dashboard")).content.decode()
    )


def test_an_owner_cannot_create_a_congress_in_another_organisation(
    client, alice, congress, other_congress
):
    client.force_login(alice)
    data = _form(congress, organisation=str(other_congress.organisation_id))
    response = client.post(reverse("congresses:congress_new"), data)
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Congress.objects.filter(slug="summit-2029").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "<script>"}, "time_zone"),
        ({"currency": "XYZ"}, "currency"),
        ({"end_date": "2029-09-01"}, "end_date"),
        ({"slug": "wcg-2027"}, "slug"),  # taken
        ({"slug": "no spaces"}, "slug"),
        ({"languages": ["xx"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"name": "Sum\x1fmit"}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"description": "y" * 20_000}, "description"),
        ({"status": "deleted"}, "status"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, alice, congress, overrides, field):
    client.force_login(alice)
    response = client.post(reverse("congresses:congress_new"), _form(congress, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert Congress.objects.count() == 1


def _settings_url(congress):
    return reverse("congresses:settings", kwargs={"congress_slug": congress.slug})


def test_an_owner_edits_the_settings_and_the_change_is_audited(client, alice, congress):
    client.force_login(alice)
    form = client.get(_settings_url(congress)).context["form"]
    data = _form(
        name="World Congress 2027 (Daejeon)",
        slug=congress.slug,
        start_date="2027-05-10",
        end_date="2027-05-14",
        time_zone="Asia/Seoul",
        currency="EUR",
        languages=["en", "fr", "es", "ar"],
        status=congress.status,
        fingerprint=form.initial["fingerprint"],
    )
    response = client.post(_settings_url(congress), data)
    assert response.status_code == 302
    congress.refresh_from_db()
    assert congress.name == "World Congress 2027 (Daejeon)"
    assert congress.languages == ["en", "fr", "es", "ar"]  # kept order, new one last
    entry = AuditEntry.objects.filter(action="convene.congress.updated").latest("id")
    assert entry.data["changed"]["end_date"] == ["2027-05-13", "2027-05-14"]


def test_the_slug_is_fixed_once_the_congress_is_public(client, alice, congress):
    client.force_login(alice)
    form = client.get(_settings_url(congress)).context["form"]
    assert form.fields["slug"].disabled
    data = _form(
        slug="renamed",
        start_date="2027-05-10",
        end_date="2027-05-13",
        time_zone="Asia/Seoul",
        currency="EUR",
        languages=["en"],
        status=congress.status,
        fingerprint=form.initial["fingerprint"],
    )
    client.post(_settings_url(congress), data)
    congress.refresh_from_db()
    assert congress.slug == "wcg-2027"


def test_the_later_of_two_edits_is_refused(client, alice, congress):
    client.force_login(alice)
    version = fingerprint(congress, CONGRESS_EDIT_FIELDS)
    update_congress(congress=Congress.objects.get(pk=congress.pk), tagline="Cities first")
    data = _form(
        slug=congress.slug,
        start_date="2027-05-10",
        end_date="2027-05-13",
        time_zone="Asia/Seoul",
        currency="EUR",
        languages=["en"],
        status=congress.status,
        fingerprint=version,
    )
    response = client.post(_settings_url(congress), data)
    assert "Someone else changed this" in response.content.decode()
    congress.refresh_from_db()
    assert congress.tagline == "Cities first" and congress.languages == ["en", "fr", "es"]


@pytest.mark.parametrize("role", ["programme", "registration", "finance", "checkin"])
def test_narrower_roles_cannot_open_the_settings(client, congress, role):
    user = UserFactory(username=f"only-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(_settings_url(congress)).status_code == 403
    assert client.post(_settings_url(congress), _form()).status_code == 403


def test_the_owner_of_another_congress_is_refused(client, charlie, congress):
    client.force_login(charlie)
    assert client.get(_settings_url(congress)).status_code == 403


def test_a_draft_can_be_published_and_shows_what_each_status_means(client, alice, congress):
    Congress.objects.filter(pk=congress.pk).update(status=CongressStatus.DRAFT)
    client.force_login(alice)
    page = client.get(_settings_url(congress)).content.decode()
    assert "Public, and delegates can register and pay." in page
