"""The programme organiser's format pages: default durations per congress, used by the session
form when the end is left empty."""

import datetime as dt

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import selectors, services
from sessions.enums import SITE_DEFAULT_MINUTES, SessionFormat
from sessions.models import FormatSetting, Session
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def _form(**overrides):
    data = {"default_minutes": "45", "display_name": "", "description": ""}
    data.update(overrides)
    return data


def _save(client, congress, format, **overrides):
    """Open the form (for its fingerprint), then post it."""
    url = _url("manage_format_edit", congress, format=format)
    shown = client.get(url).context["form"].initial["fingerprint"]
    return client.post(url, _form(fingerprint=shown, **overrides))


def test_the_list_shows_every_format_with_the_site_default_in_one_query(
    client, programme, congress, django_assert_max_num_queries
):
    services.save_format_setting(
        congress=congress, by=None, format=SessionFormat.WORKSHOP, default_minutes=150
    )
    client.force_login(programme)
    with django_assert_max_num_queries(8):
        response = client.get(_url("manage_formats", congress))
    rows = {d.format: d for d in response.context["formats"]}
    assert set(rows) == set(SessionFormat)
    assert rows[SessionFormat.WORKSHOP].minutes == 150
    assert not rows[SessionFormat.WORKSHOP].is_site_default
    assert rows[SessionFormat.PLENARY].minutes == SITE_DEFAULT_MINUTES[SessionFormat.PLENARY]
    assert "(site default)" in response.content.decode()
    assert "/admin/" not in response.content.decode()


def test_an_organiser_sets_a_default_duration_name_and_description(client, programme, congress):
    client.force_login(programme)
    response = _save(
        client,
        congress,
        "side_event",
        default_minutes="40",
        display_name="Café débat",
        description="صباح الخير",
    )
    assert response.status_code == 302
    setting = FormatSetting.objects.get(congress=congress, format="side_event")
    assert (setting.default_minutes, setting.display_name) == (40, "Café débat")
    assert selectors.default_duration(congress, "side_event") == dt.timedelta(minutes=40)
    entry = AuditEntry.objects.get(action="convene.agenda.format_changed")
    assert entry.data["fields"] == ["default_minutes", "description", "display_name"]
    form = client.get(_url("manage_session_create", congress)).context["form"]
    assert ("side_event", "Café débat (Side event)") in form.fields["format"].choices


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"default_minutes": "4"}, "default_minutes"),
        ({"default_minutes": "601"}, "default_minutes"),
        ({"default_minutes": "ninety"}, "default_minutes"),
        ({"display_name": "x" * 10_000}, "display_name"),
        ({"display_name": "Plen\x0bary"}, "display_name"),
        ({"description": "Un\x1bdescription"}, "description"),
        ({"description": "y" * 10_000}, "description"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, programme, congress, overrides, field):
    client.force_login(programme)
    response = client.post(
        _url("manage_format_edit", congress, format="plenary"), _form(**overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not FormatSetting.objects.exists()


def test_markup_is_kept_as_text_and_escaped(client, programme, congress):
    client.force_login(programme)
    _save(
        client,
        congress,
        "plenary",
        display_name="<script>alert(1)</script>",
        description="分科会 <b>x</b>",
    )
    body = client.get(_url("manage_formats", congress)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    assert "分科会 &lt;b&gt;x&lt;/b&gt;" in body


def test_a_nul_character_is_refused_and_nothing_saved(client, programme, congress):
    client.force_login(programme)
    response = _save(client, congress, "plenary", display_name="Plen\x00ary")
    assert response.status_code in (200, 400)
    assert not FormatSetting.objects.exists()


def test_an_unknown_format_is_not_found(client, programme, congress):
    client.force_login(programme)
    assert client.get(_url("manage_format_edit", congress, format="keynote")).status_code == 404


def test_the_later_of_two_edits_is_refused(client, programme, congress):
    client.force_login(programme)
    shown = client.get(_url("manage_format_edit", congress, format="plenary"))
    version = shown.context["form"].initial["fingerprint"]
    services.save_format_setting(congress=congress, by=None, format="plenary", default_minutes=60)
    response = client.post(
        _url("manage_format_edit", congress, format="plenary"),
        _form(default_minutes="120", fingerprint=version),
    )
    assert "Someone else changed this" in response.content.decode()
    assert FormatSetting.objects.get().default_minutes == 60


def test_a_new_session_without_an_end_lasts_the_format_s_default(client, alice, congress, hall):
    services.save_format_setting(
        congress=congress, by=None, format=SessionFormat.WORKSHOP, default_minutes=105
    )
    client.force_login(alice)
    response = client.post(
        _url("manage_session_create", congress),
        {
            "title": "Bond workshop",
            "format": "workshop",
            "status": "draft",
            "room": hall.pk,
            "starts_at": "2027-05-10T10:00",
            "ends_at": "",
            "capacity": "20",
            "languages": ["en"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    session = Session.objects.get()
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=105)
    # A format left at the site's default uses that.
    response = client.post(
        _url("manage_session_create", congress),
        {
            "title": "Plenary",
            "format": "plenary",
            "status": "draft",
            "starts_at": "2027-05-11T09:00",
            "languages": ["en"],
        },
    )
    assert response.status_code == 302
    plenary = Session.objects.get(title="Plenary")
    assert plenary.ends_at - plenary.starts_at == dt.timedelta(minutes=90)


def test_an_end_given_is_kept(client, alice, congress):
    client.force_login(alice)
    client.post(
        _url("manage_session_create", congress),
        {
            "title": "Short plenary",
            "format": "plenary",
            "status": "draft",
            "starts_at": "2027-05-11T09:00",
            "ends_at": "2027-05-11T09:20",
        },
    )
    session = Session.objects.get()
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=20)


def test_default_duration_falls_back_to_the_site_default(congress, other_congress):
    services.save_format_setting(
        congress=other_congress, by=None, format="break", default_minutes=15
    )
    assert selectors.default_duration(congress, "break") == dt.timedelta(minutes=30)
    assert selectors.default_duration(other_congress, "break") == dt.timedelta(minutes=15)


@pytest.mark.parametrize("role", ["registration", "finance", "checkin"])
def test_other_roles_are_refused(client, congress, role):
    user = UserFactory(username=f"only-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(_url("manage_formats", congress)).status_code == 403
    edit = _url("manage_format_edit", congress, format="plenary")
    assert client.post(edit, _form()).status_code == 403
    assert not FormatSetting.objects.exists()


def test_the_owner_may_and_another_congress_s_owner_may_not(client, alice, charlie, congress):
    client.force_login(alice)
    assert client.get(_url("manage_formats", congress)).status_code == 200
    client.force_login(charlie)
    assert client.get(_url("manage_formats", congress)).status_code in (403, 404)
