""" "Now and next" screens: which session is on and which comes next per room, around
midnight and a daylight-saving change, the pages and their JSON, and the ``?at=`` override."""

import datetime as dt

import pytest
from django.urls import reverse

from sessions import screens, selectors, services
from sessions.enums import SessionStatus

from .conftest import at

pytestmark = pytest.mark.django_db


def room_url(congress, room, suffix=""):
    url = reverse("agenda:screen_room", kwargs={"congress_slug": congress.slug, "room_id": room.id})
    return url + suffix


def venue_url(congress):
    return reverse("agenda:screen_venue", kwargs={"congress_slug": congress.slug})


@pytest.fixture
def day_programme(congress, alice, make_session, small_room, ana):
    sessions = {
        "opening": make_session(
            title="Opening", start=(9, 0), minutes=60, speakers=[(ana, "speaker")]
        ),
        "heat": make_session(title="Heat plans", start=(10, 0), minutes=60),
        "roofs": make_session(title="Cool roofs", start=(10, 30), minutes=30, room=small_room),
        "dropped": make_session(title="Dropped talk", start=(11, 0), minutes=30),
        "tomorrow": make_session(title="Day two keynote", day=1, start=(9, 0)),
    }
    services.cancel_session(session=sessions["dropped"], by=alice)
    services.publish_schedule(congress=congress, by=alice)
    return sessions


def programme(congress):
    return selectors.published_programme(congress)


def test_now_is_from_start_inclusive_to_end_exclusive(congress, day_programme, hall):
    p = programme(congress)
    [entry] = screens.now_and_next(p, at=at(congress, 0, 10, 0), room_id=hall.id)
    assert entry.current.title == "Heat plans"  # 10:00 exactly: Opening has ended
    assert entry.next.title == "Day two keynote"  # the cancelled talk is left out
    [before] = screens.now_and_next(p, at=at(congress, 0, 9, 59), room_id=hall.id)
    assert before.current.title == "Opening" and before.next.title == "Heat plans"


def test_venue_lists_every_room_in_order(congress, day_programme, hall, small_room):
    entries = screens.now_and_next(programme(congress), at=at(congress, 0, 10, 45))
    assert [e.room.id for e in entries] == [hall.id, small_room.id]
    assert entries[1].current.title == "Cool roofs"
    assert entries[1].next is None


def test_after_the_last_session_of_the_day_next_is_tomorrow_with_its_date(
    client, congress, day_programme, hall, settings
):
    settings.SCREENS_TIME_OVERRIDE = True
    p = programme(congress)
    [entry] = screens.now_and_next(p, at=at(congress, 0, 23, 59), room_id=hall.id)
    assert entry.current is None and entry.next.title == "Day two keynote"
    assert entry.next_is_another_day
    body = client.get(room_url(congress, hall), {"at": at(congress, 0, 23, 59).isoformat()})
    text = body.content.decode()
    assert "Nothing on right now" in text and "Day two keynote" in text
    assert "Tue 11 May, 09:00" in text  # the congress day after, in the congress zone


def test_a_session_across_midnight_is_on_both_sides_of_it(congress, alice, make_session, venue):
    from tests.factories import RoomFactory

    hall = RoomFactory(venue=venue, name="Night hall", opens_at=None, closes_at=None)
    make_session(title="Night owls", start=(23, 30), minutes=60, room=hall)
    services.publish_schedule(congress=congress, by=alice)
    p = programme(congress)
    for moment in (at(congress, 0, 23, 45), at(congress, 1, 0, 15)):
        [entry] = screens.now_and_next(p, at=moment, room_id=hall.id)
        assert entry.current.title == "Night owls"
    [after] = screens.now_and_next(p, at=at(congress, 1, 0, 30), room_id=hall.id)
    assert after.current is None


def test_across_a_dst_change_the_repeated_hour_is_told_apart(db, alice, settings):
    from tests.factories import CongressFactory, RoomFactory, TeamMembershipFactory, VenueFactory

    settings.SCREENS_TIME_OVERRIDE = True
    congress = CongressFactory(
        slug="paris-2027",
        time_zone="Europe/Paris",
        start_date=dt.date(2027, 10, 30),
        end_date=dt.date(2027, 10, 31),
    )
    TeamMembershipFactory(congress=congress, user=alice, role="owner")
    room = RoomFactory(
        venue=VenueFactory(congress=congress), name="Salle 1", opens_at=None, closes_at=None
    )
    tz = congress.tz
    # 02:00-02:59 happens twice on 31 Oct 2027: CEST (fold 0), then CET (fold 1).
    # (aware arithmetic keeps the wall clock and drops the fold: add in UTC)
    first = dt.datetime(2027, 10, 31, 2, 0, tzinfo=tz, fold=0).astimezone(dt.UTC)
    second = dt.datetime(2027, 10, 31, 2, 0, tzinfo=tz, fold=1).astimezone(dt.UTC)
    assert second - first == dt.timedelta(hours=1)
    for title, start in (("Summer hour", first), ("Winter hour", second)):
        services.create_session(
            congress=congress,
            by=alice,
            room=room,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45),
            title=title,
            status=SessionStatus.CONFIRMED,
            languages=["fr"],
        )
    services.publish_schedule(congress=congress, by=alice)
    p = programme(congress)
    [during_first] = screens.now_and_next(p, at=first + dt.timedelta(minutes=30), room_id=room.id)
    assert during_first.current.title == "Summer hour" and during_first.next.title == "Winter hour"
    [during_second] = screens.now_and_next(p, at=second + dt.timedelta(minutes=30), room_id=room.id)
    assert during_second.current.title == "Winter hour"
    page = room_url(congress, room)
    text = _get_text(page, first + dt.timedelta(minutes=30))
    assert "02:00 CEST" in text and "02:00 CET" in text
    assert "Europe/Paris" in text


def _get_text(url, moment):
    from django.test import Client

    return Client().get(url, {"at": moment.isoformat()}).content.decode()


def test_room_page_names_the_zone_and_refreshes_without_js(client, congress, day_programme, hall):
    response = client.get(room_url(congress, hall))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Asia/Seoul" in text
    assert '<noscript><meta http-equiv="refresh"' in text
    assert "screens.js" in text and "<script>" not in text
    assert "no-cache" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in text


def test_json_carries_the_rooms_and_when_to_ask_again(
    client, congress, day_programme, hall, settings
):
    settings.SCREENS_TIME_OVERRIDE = True
    url = room_url(congress, hall, "now.json")
    data = client.get(
        url,
        {
            "at": at(
                congress,
                0,
                9,
                59,
            ).isoformat()
        },
    ).json()
    assert "Opening" in data["html"] and "Heat plans" in data["html"]
    assert data["zone"] == "Asia/Seoul"
    assert 1 <= data["poll_seconds"] <= 61
    venue = client.get(venue_url(congress) + "now.json").json()
    assert "Hall A" in venue["html"] and "Room 101" in venue["html"]


def test_the_time_override_is_ignored_outside_debug_and_tests(
    client, congress, day_programme, hall
):
    moment = at(congress, 0, 9, 30).isoformat()
    text = client.get(room_url(congress, hall), {"at": moment}).content.decode()
    assert "data-at=" not in text
    assert "Nothing on right now" in text  # today, long before the congress


@pytest.mark.parametrize(
    "value", ["not-a-date", "2027-05-10T10:00", "\x00", "9" * 10000, "<script>", "２０２７"]
)
def test_hostile_time_values_fall_back_to_now(
    client, congress, day_programme, hall, settings, value
):
    settings.SCREENS_TIME_OVERRIDE = True
    for url in (room_url(congress, hall), room_url(congress, hall, "now.json")):
        response = client.get(url, {"at": value})
        assert response.status_code in (200, 400), url
        assert "<script>" not in response.content.decode()


def test_unknown_room_and_unknown_congress_are_404(client, congress, day_programme, other_congress):
    assert client.get(f"/{congress.slug}/screens/rooms/999999/").status_code == 404
    assert client.get(f"/{congress.slug}/screens/rooms/999999/now.json").status_code == 404
    assert client.get("/no-such-congress/screens/").status_code == 404


def test_a_room_of_another_congress_is_404(client, congress, day_programme, other_congress):
    from tests.factories import RoomFactory, VenueFactory

    foreign = RoomFactory(venue=VenueFactory(congress=other_congress), name="Elsewhere")
    assert client.get(room_url(congress, foreign)).status_code == 404


def test_before_publishing_the_venue_screen_says_so(client, congress):
    text = client.get(venue_url(congress)).content.decode()
    assert "not been published" in text


def test_screens_cost_few_queries_with_many_sessions(
    client, congress, alice, django_assert_max_num_queries
):
    from .conftest import bulk_programme

    bulk_programme(congress, alice, sessions=400)
    client.get(venue_url(congress))  # warm the in-process programme
    with django_assert_max_num_queries(3):
        assert client.get(venue_url(congress)).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(venue_url(congress) + "now.json").status_code == 200
