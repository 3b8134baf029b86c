"""The programme organiser's tag pages: list with counts, create, edit, delete (taken off the
sessions), the session form's tag boxes, and tags on the public agenda."""

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.models import Session, Tag
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import bulk_programme

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def _form(**overrides):
    data = {"name": "Youth", "slug": "youth", "colour": "#6d28d9"}
    data.update(overrides)
    return data


def test_a_programme_organiser_creates_and_renames_a_tag(client, programme, congress):
    client.force_login(programme)
    assert client.post(_url("manage_tag_create", congress), _form()).status_code == 302
    tag = Tag.objects.get(congress=congress)
    shown = client.get(_url("manage_tag_edit", congress, tag_id=tag.pk))
    version = shown.context["form"].initial["fingerprint"]
    response = client.post(
        _url("manage_tag_edit", congress, tag_id=tag.pk),
        _form(name="شباب", colour="", fingerprint=version),
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("شباب", "")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["convene.agenda.tag_created", "convene.agenda.tag_changed"]


def test_the_list_counts_sessions_in_a_fixed_number_of_queries(
    client, programme, congress, make_session, sdg11, django_assert_max_num_queries
):
    for n in range(60):
        services.create_tag(congress=congress, by=programme, name=f"Tag {n}", slug=f"t{n}")
    make_session(tags=[sdg11])
    make_session(tags=[sdg11], start=(14, 0))
    client.force_login(programme)
    with django_assert_max_num_queries(10):
        response = client.get(_url("manage_tags", congress))
    rows = {t.slug: t.session_count for t in response.context["page"]}
    assert rows["sdg-11"] == 2 and rows["t0"] == 0
    searched = client.get(_url("manage_tags", congress), {"q": "sdg"})
    assert [t.slug for t in searched.context["page"]] == ["sdg-11"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"colour": "#ffff66"}, "colour"),  # too pale on white
        ({"colour": "red"}, "colour"),
        ({"slug": "not a slug"}, "slug"),
        ({"name": ""}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"name": "You\x0bth"}, "name"),
        ({"name": "You\u202eth\x07"}, "name"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, programme, congress, overrides, field):
    client.force_login(programme)
    response = client.post(_url("manage_tag_create", congress), _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Tag.objects.filter(congress=congress).exists()


def test_a_slug_taken_in_the_congress_is_refused_but_free_in_another(
    client, programme, congress, other_congress, sdg11
):
    services.create_tag(congress=other_congress, by=None, name="Youth", slug="youth")
    client.force_login(programme)
    response = client.post(_url("manage_tag_create", congress), _form(slug="sdg-11"))
    assert "slug" in response.context["form"].errors
    assert client.post(_url("manage_tag_create", congress), _form()).status_code == 302


def test_markup_and_scripts_are_shown_as_text(client, programme, congress):
    client.force_login(programme)
    client.post(_url("manage_tag_create", congress), _form(name="<img src=x onerror=alert(1)>"))
    client.post(_url("manage_tag_create", congress), _form(name="気候変動", slug="kiko"))
    body = client.get(_url("manage_tags", congress)).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "<img src=x" not in body
    assert "気候変動" in body


def test_the_later_of_two_edits_is_refused(client, programme, congress, sdg11):
    client.force_login(programme)
    shown = client.get(_url("manage_tag_edit", congress, tag_id=sdg11.pk))
    version = shown.context["form"].initial["fingerprint"]
    services.update_tag(tag=sdg11, by=None, name="SDG 11 cities")
    response = client.post(
        _url("manage_tag_edit", congress, tag_id=sdg11.pk),
        _form(name="Sustainable cities", slug="sdg-11", fingerprint=version),
    )
    assert "Someone else changed this" in response.content.decode()
    sdg11.refresh_from_db()
    assert sdg11.name == "SDG 11 cities"


def test_delete_asks_first_then_takes_the_tag_off_its_sessions(
    client, programme, congress, make_session, sdg11
):
    first = make_session(tags=[sdg11])
    make_session(tags=[sdg11], start=(14, 0))
    client.force_login(programme)
    confirm = client.get(_url("manage_tag_delete", congress, tag_id=sdg11.pk))
    assert "It is taken off 2 sessions." in confirm.content.decode()
    assert Tag.objects.filter(pk=sdg11.pk).exists()
    response = client.post(_url("manage_tag_delete", congress, tag_id=sdg11.pk), follow=True)
    assert "it was taken off 2 sessions" in response.content.decode()
    assert not Tag.objects.filter(pk=sdg11.pk).exists()
    assert Session.objects.filter(pk=first.pk).exists()
    assert not first.tags.exists()
    entry = AuditEntry.objects.get(action="convene.agenda.tag_deleted")
    assert entry.data["sessions"] == 2


def test_the_session_form_offers_only_this_congress_s_tags(
    client, alice, congress, other_congress, make_session, sdg11
):
    theirs = services.create_tag(congress=other_congress, by=None, name="Theirs", slug="theirs")
    session = make_session()
    client.force_login(alice)
    edit = _url("manage_session_edit", congress, code=session.code)
    form = client.get(edit).context["form"]
    assert list(form.fields["tags"].queryset) == [sdg11]
    data = {
        "title": session.title,
        "format": "parallel",
        "status": "confirmed",
        "room": session.room_id,
        "starts_at": "2027-05-10T10:00",
        "ends_at": "2027-05-10T11:00",
        "languages": ["en"],
    }
    response = client.post(edit, {**data, "tags": [theirs.pk]})
    assert "tags" in response.context["form"].errors
    assert client.post(edit, {**data, "tags": [sdg11.pk]}).status_code == 302
    assert list(session.tags.all()) == [sdg11]
    entry = AuditEntry.objects.filter(action="convene.agenda.session_changed").latest("id")
    assert "tags" in entry.data["fields"]


def test_the_public_agenda_shows_and_filters_tags_and_the_json_feed_carries_them(
    client, alice, congress, make_session, sdg11
):
    make_session(title="Heat plans", tags=[sdg11])
    make_session(title="Untagged", start=(14, 0))
    services.publish_schedule(congress=congress, by=alice)
    schedule = _url("schedule", congress)
    body = client.get(schedule, {"view": "list", "day": "all"}).content.decode()
    assert 'class="badge" dir="auto"' in body and "SDG 11" in body
    filtered = client.get(schedule, {"view": "list", "day": "all", "tag": "SDG 11"})
    assert "Heat plans" in filtered.content.decode()
    assert "Untagged" not in filtered.content.decode()
    feed = client.get(reverse("agenda:schedule_json", kwargs={"congress_slug": congress.slug}))
    tags = {s["title"]: s["tags"] for s in feed.json()["sessions"]}
    assert tags == {"Heat plans": ["SDG 11"], "Untagged": []}


def test_the_public_agenda_with_tags_renders_in_a_fixed_number_of_queries(
    client, congress, alice, django_assert_max_num_queries
):
    bulk_programme(congress, alice, sessions=400)
    for params in ({"view": "list", "day": "all"}, {"view": "list", "day": "all", "tag": "bulk"}):
        # the page cache's version lookup, the congress, the version, its snapshot
        with django_assert_max_num_queries(4):
            response = client.get(_url("schedule", congress), params)
        assert response.status_code == 200 and "bulk" in response.content.decode()


def test_publishing_reads_tags_in_a_fixed_number_of_queries(
    congress, alice, django_assert_max_num_queries
):
    from sessions.services.publishing import build_snapshot

    bulk_programme(congress, alice, sessions=100)
    with django_assert_max_num_queries(8):
        snapshot = build_snapshot(congress)
    assert all(s["tags"] == ["bulk"] for s in snapshot["sessions"])


@pytest.mark.parametrize("role", ["registration", "finance", "checkin"])
def test_other_roles_are_refused(client, congress, sdg11, role):
    user = UserFactory(username=f"only-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(_url("manage_tags", congress)).status_code == 403
    assert client.post(_url("manage_tag_create", congress), _form()).status_code == 403
    delete = _url("manage_tag_delete", congress, tag_id=sdg11.pk)
    assert client.post(delete).status_code == 403
    assert Tag.objects.filter(pk=sdg11.pk).exists()


def test_a_tag_of_another_congress_is_not_found(client, alice, congress, other_congress):
    theirs = services.create_tag(congress=other_congress, by=None, name="Theirs", slug="t")
    client.force_login(alice)
    assert client.get(_url("manage_tag_edit", congress, tag_id=theirs.pk)).status_code == 404
    assert client.get(_url("manage_tag_delete", congress, tag_id=theirs.pk)).status_code == 404
    assert client.post(_url("manage_tag_delete", congress, tag_id=theirs.pk)).status_code == 404
    assert Tag.objects.filter(pk=theirs.pk).exists()
