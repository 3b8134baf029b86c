"""The hour that happens twice when the clocks go back (Europe/Berlin, Sunday 31 October 2027:
02:00-03:00 CEST, then 02:00-03:00 CET) and the hour that never happens when they go forward:
organisers say which 02:30 they mean, the rules warn, feeds and pages show it unambiguously."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from sessions import services
from sessions.enums import ConflictKind, SessionStatus
from sessions.forms import SessionForm
from sessions.models import Session
from tests.agenda.test_calendar_clients import ical_js, icalendar_reads, iso
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
FIRST_0230 = dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
SECOND_0230 = dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET


@pytest.fixture
def berlin(congress):
    congress.time_zone = "Europe/Berlin"
    congress.start_date, congress.end_date = dt.date(2027, 10, 29), dt.date(2027, 11, 1)
    congress.save()
    return congress


@pytest.fixture
def saal(berlin, venue):
    return RoomFactory(venue=venue, name="Saal 1", opens_at=None, closes_at=None)


@pytest.fixture
def night_session(berlin, alice, saal):
    """02:30 CEST to 02:30 CET: one hour, both ends read "02:30"."""
    return services.create_session(
        congress=berlin,
        by=alice,
        title="The hour twice",
        room=saal,
        starts_at=FIRST_0230,
        ends_at=SECOND_0230,
        status=SessionStatus.CONFIRMED,
    ).session


def test_feed_writes_the_repeated_hour_so_every_client_reads_one_hour(
    client, berlin, alice, night_session, tmp_path
):
    services.publish_schedule(congress=berlin, by=alice)
    body = client.get(reverse("agenda:schedule_ics", kwargs={"congress_slug": berlin.slug})).content
    uid = f"convene-{berlin.slug}-{night_session.code}@127.0.0.1"
    [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(hours=1)
    assert icalendar_reads(body) == {uid: (FIRST_0230, SECOND_0230)}
    [[read]] = ical_js([body], tmp_path)
    assert (read["start"], read["end"]) == (iso(FIRST_0230), iso(SECOND_0230))


def test_session_page_says_which_0230(client, berlin, alice, night_session):
    services.publish_schedule(congress=berlin, by=alice)
    page = client.get(
        reverse("agenda:session", kwargs={"congress_slug": berlin.slug, "code": night_session.code})
    ).content.decode()
    assert "02:30 CEST" in page and "02:30 CET<" in page
    schedule = client.get(
        reverse("agenda:schedule", kwargs={"congress_slug": berlin.slug}),
        {"day": "2027-10-31", "view": "list"},
    ).content.decode()
    assert "02:30 CEST" in schedule and "02:30 CET<" in schedule


def _form(saal, **extra):
    return {
        "title": "Night owls",
        "format": "parallel",
        "status": "confirmed",
        "room": saal.pk,
        "starts_at": "2027-10-31T02:30",
        "ends_at": "2027-10-31T03:30",
        **extra,
    }


def test_organiser_form_asks_which_0230_and_stores_the_one_chosen(client, alice, berlin, saal):
    client.force_login(alice)
    create = reverse("agenda:manage_session_create", kwargs={"congress_slug": berlin.slug})
    response = client.post(create, _form(saal))
    assert response.status_code == 200
    assert "happens twice" in response.content.decode()
    assert not Session.objects.exists()
    response = client.post(create, _form(saal, starts_at_fold="1"))
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.starts_at, session.ends_at) == (
        SECOND_0230,
        SECOND_0230 + dt.timedelta(hours=1),
    )


def test_editing_a_session_at_the_second_0230_keeps_it_there(berlin, alice, saal):
    session = services.create_session(
        congress=berlin,
        by=alice,
        title="Second",
        room=saal,
        starts_at=SECOND_0230,
        ends_at=SECOND_0230 + dt.timedelta(hours=1),
    ).session
    initial = SessionForm.initial_for(session)
    assert initial["starts_at_fold"] == "1" and initial["ends_at_fold"] == ""
    data = {**_form(saal), "starts_at_fold": initial["starts_at_fold"]}
    form = SessionForm(data, congress=berlin)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"].astimezone(UTC) == SECOND_0230


def test_a_time_that_never_happens_is_refused(client, alice, berlin, saal):
    berlin.start_date, berlin.end_date = dt.date(2027, 3, 26), dt.date(2027, 3, 29)
    berlin.save()
    client.force_login(alice)
    response = client.post(
        reverse("agenda:manage_session_create", kwargs={"congress_slug": berlin.slug}),
        _form(saal, starts_at="2027-03-28T02:30", ends_at="2027-03-28T04:00"),
    )
    assert response.status_code == 200
    assert "does not exist in Europe/Berlin" in response.content.decode()
    assert not Session.objects.exists()


def test_rules_warn_about_a_start_or_end_in_the_repeated_hour(berlin, alice, saal):
    saved = services.create_session(
        congress=berlin,
        by=alice,
        title="Twice",
        room=saal,
        starts_at=FIRST_0230,
        ends_at=SECOND_0230,
    )
    warnings = [w for w in saved.warnings if w.kind == ConflictKind.REPEATED_TIME]
    assert [w.message for w in warnings] == [
        f"{saved.session.code} “Twice” starts at Sun 31 Oct, 02:30 CEST, in the hour that "
        "happens twice when the clocks go back: check it is the one you mean.",
        f"{saved.session.code} “Twice” ends at Sun 31 Oct, 02:30 CET, in the hour that "
        "happens twice when the clocks go back: check it is the one you mean.",
    ]
