"""Organiser pages: forms go through the scheduling service and show its refusals."""

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import ScheduleVersion, Session

pytestmark = pytest.mark.django_db


def url(name, **kw):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": "wcg-2027", **kw})


def form_data(hall, **extra):
    return {
        "title": "Heat plans",
        "format": "parallel",
        "status": "confirmed",
        "room": hall.pk,
        "starts_at": "2027-05-10T10:00",
        "ends_at": "2027-05-10T11:00",
        "languages": ["en"],
        **extra,
    }


def test_organiser_creates_a_session_in_congress_local_time(client, alice, hall, ana, sdg11):
    youth = services.create_tag(congress=sdg11.congress, by=alice, name="youth", slug="youth")
    client.force_login(alice)
    response = client.post(
        url("manage_session_create"),
        form_data(hall, moderators=[ana.pk], tags=[sdg11.pk, youth.pk]),
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at.isoformat() == "2027-05-10T01:00:00+00:00"  # 10:00 in Seoul
    assert sorted(t.name for t in session.tags.all()) == ["SDG 11", "youth"]
    assert session.roles.get().role == "moderator"


def test_form_shows_the_conflict_naming_the_other_session(client, alice, hall, make_session):
    existing = make_session(title="Already here")
    client.force_login(alice)
    response = client.post(url("manage_session_create"), form_data(hall))
    assert response.status_code == 200
    body = response.content.decode()
    assert "double-booked" in body and existing.code in body and "Already here" in body
    assert Session.objects.count() == 1


def test_form_warns_when_the_room_is_too_small(client, alice, small_room):
    client.force_login(alice)
    response = client.post(
        url("manage_session_create"),
        form_data(small_room, expected_attendance=99),
        follow=True,
    )
    assert "seats 20" in response.content.decode()


def test_edit_form_round_trips(client, alice, hall, make_session):
    session = make_session()
    client.force_login(alice)
    page = client.get(url("manage_session_edit", code=session.code))
    assert 'value="2027-05-10T10:00"' in page.content.decode()
    response = client.post(
        url("manage_session_edit", code=session.code), form_data(hall, title="Renamed")
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Renamed"


def test_conflicts_page_lists_every_conflict(client, alice, make_session, small_room):
    a = make_session(title="A")
    b = make_session(title="B", start=(14, 0))
    Session.objects.filter(pk=b.pk).update(starts_at=a.starts_at, ends_at=a.ends_at)
    make_session(title="Crowded", room=small_room, start=(12, 0), expected_attendance=500)
    client.force_login(alice)
    body = client.get(url("conflicts")).content.decode()
    assert "double-booked" in body and "seats 20" in body


def test_publish_page_previews_then_publishes(client, alice, make_session):
    session = make_session(title="<em>Heat</em>")
    client.force_login(alice)
    page = client.get(url("publish")).content.decode()
    assert session.code in page and "&lt;em&gt;Heat" in page
    response = client.post(url("publish"), {"comment": "First"})
    assert response.status_code == 302
    assert ScheduleVersion.objects.get().comment == "First"
    again = client.post(url("publish"), {"comment": ""})
    assert "Nothing changed" in again.content.decode()


def test_cancel_from_the_list(client, alice, make_session):
    session = make_session()
    client.force_login(alice)
    client.post(url("manage_session_cancel", code=session.code))
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_speaker_form(client, alice):
    client.force_login(alice)
    response = client.post(url("manage_speaker_create"), {"name": "Σοφία Παπαδοπούλου"})
    assert response.status_code == 302
    assert "Σοφία" in client.get(url("manage_speakers")).content.decode()


def test_session_list_query_count_is_flat(
    client, alice, make_session, django_assert_max_num_queries
):
    for hour in range(8, 18):
        make_session(start=(hour, 0), minutes=50)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(url("manage_sessions")).status_code == 200
