"""What subscribers' calendars see change: renamed speakers, rooms and tracks are published with
a higher SEQUENCE and a new LAST-MODIFIED; a session put back to draft stays in the feeds as
CANCELLED (so clients remove it); a waiting-list place is TENTATIVE; VTIMEZONE has no COMMENT."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from sessions import services
from sessions.enums import ChangeKind, SessionFormat, SessionStatus
from sessions.errors import NothingToPublish
from tests.factories import DelegateFactory, OrderFactory

pytestmark = pytest.mark.django_db


def feed(client, congress) -> dict:
    body = client.get(reverse("agenda:schedule_ics", kwargs={"congress_slug": congress.slug}))
    calendar = icalendar.Calendar.from_ical(body.content)
    return {str(e["uid"]).split("-")[-1].split("@")[0]: e for e in calendar.walk("VEVENT")}


@pytest.fixture
def published(congress, alice, make_session, ana, track):
    heat = make_session(title="Heat plans", track=track, speakers=[(ana, "speaker")])
    other = make_session(title="Unrelated", day=1)
    services.publish_schedule(congress=congress, by=alice)
    return heat, other


def _rename(what, *, alice, congress, ana, hall, track):
    if what == "speaker":
        services.update_speaker(speaker=ana, by=alice, name="Ana Müller-Costa")
    elif what == "room":
        services.save_room(
            congress=congress, by=alice, venue=hall.venue, room=hall, name="Hall Alpha"
        )
    else:
        services.update_track(track=track, by=alice, name="Climate and cities")


@pytest.mark.parametrize(
    ("what", "shown"),
    [
        ("speaker", ("description", "Ana Müller-Costa")),
        ("room", ("location", "Hall Alpha")),
        ("track", ("categories", "Climate and cities")),
    ],
)
def test_renaming_a_speaker_room_or_track_is_published_with_a_higher_sequence(
    client, congress, alice, published, ana, hall, track, what, shown
):
    heat, other = published
    before = feed(client, congress)[heat.code]
    _rename(what, alice=alice, congress=congress, ana=ana, hall=hall, track=track)
    version = services.publish_schedule(congress=congress, by=alice)
    renamed = [c for c in version.changelog if c["kind"] == ChangeKind.RENAMED]
    assert [(c["what"], c["to"]) for c in renamed] == [(what, shown[1])]
    changes_page = client.get(reverse("agenda:changelog", kwargs={"congress_slug": congress.slug}))
    assert f"{what.capitalize()} renamed" in changes_page.content.decode()
    events = feed(client, congress)
    event = events[heat.code]
    assert event["sequence"] == before["sequence"] + 1
    assert event.decoded("last-modified") == version.published_at.replace(microsecond=0)
    in_json = {
        s["code"]: dt.datetime.fromisoformat(s["last_modified"])
        for s in client.get(
            reverse("agenda:schedule_json", kwargs={"congress_slug": congress.slug})
        ).json()["sessions"]
    }
    assert in_json[heat.code] == version.published_at  # this version's time, not the first's
    prop, text = shown
    value = event[prop]
    assert text in (", ".join(value.cats) if prop == "categories" else str(value))
    if what != "room":  # both sessions are in Hall A
        assert events[other.code]["sequence"] == 0
        assert in_json[other.code] < version.published_at
    else:
        assert in_json[other.code] == version.published_at


def test_a_rename_nobody_would_see_differently_is_still_nothing_to_publish(
    congress, alice, published, ana
):
    services.update_speaker(speaker=ana, by=alice, name="Ana Müller")  # the same name
    with pytest.raises(NothingToPublish):
        services.publish_schedule(congress=congress, by=alice)


def test_a_session_put_back_to_draft_stays_in_feeds_as_cancelled(
    client, congress, alice, published
):
    heat, _other = published
    services.update_session(session=heat, by=alice, status=SessionStatus.DRAFT, title="Secret")
    version = services.publish_schedule(congress=congress, by=alice)
    assert {(c["kind"], c["code"]) for c in version.changelog} == {(ChangeKind.REMOVED, heat.code)}
    event = feed(client, congress)[heat.code]
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1
    assert str(event["summary"]) == "Heat plans"  # as published: the draft title never leaks
    # It stays cancelled in later versions, and coming back confirmed is a change again.
    services.update_session(session=_other, by=alice, title="Unrelated, renamed")
    services.publish_schedule(congress=congress, by=alice)
    assert str(feed(client, congress)[heat.code]["status"]) == "CANCELLED"
    services.update_session(session=heat, by=alice, status=SessionStatus.CONFIRMED)
    services.publish_schedule(congress=congress, by=alice)
    event = feed(client, congress)[heat.code]
    assert (str(event["status"]), str(event["summary"]), event["sequence"]) == (
        "CONFIRMED",
        "Secret",
        2,
    )


def test_a_waiting_list_place_is_tentative_in_the_personal_feed(
    client, congress, alice, make_session, small_room
):
    workshop = make_session(
        title="Bond workshop", format=SessionFormat.WORKSHOP, capacity=1, room=small_room
    )
    services.publish_schedule(congress=congress, by=alice)
    seated, waiting = (DelegateFactory(order=OrderFactory(congress=congress)) for _ in range(2))
    services.sign_up(delegate=seated, session=workshop)
    services.sign_up(delegate=waiting, session=workshop)

    def status_for(delegate) -> str:
        agenda = services.get_or_create_agenda(delegate=delegate)
        body = client.get(reverse("agenda:personal_ics", args=[congress.slug, agenda.feed_token]))
        [event] = icalendar.Calendar.from_ical(body.content).walk("VEVENT")
        return str(event["status"])

    assert status_for(seated) == "CONFIRMED"
    assert status_for(waiting) == "TENTATIVE"
    services.cancel_signup(delegate=seated, session=workshop)  # the waiting place moves up
    assert status_for(waiting) == "CONFIRMED"


def test_vtimezone_has_no_comment(client, congress, published):
    body = client.get(reverse("agenda:schedule_ics", kwargs={"congress_slug": congress.slug}))
    [vtimezone] = icalendar.Calendar.from_ical(body.content).walk("VTIMEZONE")
    assert "COMMENT" not in vtimezone
    assert all("COMMENT" not in block for block in vtimezone.subcomponents)
    assert dt.timedelta(hours=9) in {b.decoded("tzoffsetto") for b in vtimezone.subcomponents}
