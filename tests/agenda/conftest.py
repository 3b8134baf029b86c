"""Fixtures for the agenda tests: a venue with rooms, tracks, speakers and a session maker."""

import datetime as dt

import pytest
from django.core.cache import cache

from sessions import services
from sessions.enums import SessionFormat, SessionStatus
from tests.factories import DelegateFactory, OrderFactory, RoomFactory, VenueFactory


@pytest.fixture(autouse=True)
def _clear_feed_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def venue(congress):
    return VenueFactory(congress=congress, name="Daejeon Convention Center")


@pytest.fixture
def hall(venue):
    return RoomFactory(
        venue=venue,
        name="Hall A",
        capacity=300,
        opens_at=dt.time(8),
        closes_at=dt.time(20),
        position=1,
    )


@pytest.fixture
def small_room(venue):
    return RoomFactory(
        venue=venue,
        name="Room 101",
        capacity=20,
        opens_at=dt.time(9),
        closes_at=dt.time(18),
        position=2,
    )


@pytest.fixture
def track(congress, alice):
    return services.create_track(
        congress=congress, by=alice, name="Climate", slug="climate", colour="#1b7f3b"
    )


@pytest.fixture
def sdg11(congress, alice):
    return services.create_tag(congress=congress, by=alice, name="SDG 11", slug="sdg-11")


@pytest.fixture
def ana(congress, alice):
    return services.create_speaker(
        congress=congress, by=alice, name="Ana Müller", organisation="City of Lisbon"
    )


@pytest.fixture
def kenji(congress, alice):
    return services.create_speaker(
        congress=congress, by=alice, name="山田 健二", organisation="Yokohama"
    )


def at(congress, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Local time in the congress's zone on its ``day``-th day (0-based)."""
    date = congress.start_date + dt.timedelta(days=day)
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=congress.tz)


@pytest.fixture
def make_session(congress, alice, hall):
    def make(*, day=0, start=(10, 0), minutes=60, room=None, speakers=(), **fields):
        starts_at = at(congress, day, *start)
        fields.setdefault("title", "Urban heat")
        fields.setdefault("status", SessionStatus.CONFIRMED)
        fields.setdefault("format", SessionFormat.PARALLEL)
        fields.setdefault("languages", ["en"])
        return services.create_session(
            congress=congress,
            by=alice,
            room=room if room is not None else hall,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=minutes),
            speakers=list(speakers),
            **fields,
        ).session

    return make


@pytest.fixture
def delegate(congress):
    return DelegateFactory(order=OrderFactory(congress=congress), given_name="Leila", language="fr")


def bulk_programme(congress, alice, *, sessions: int, rooms: int = 10):
    """A large published programme built fast (bulk inserts, then the real publish service)."""
    from events_site.congresses.models import Room
    from sessions.models import Session, SessionSpeaker, Speaker, Tag, Track

    venue = VenueFactory(congress=congress, name="Bulk Centre")
    rooms = max(rooms, -(-sessions // (4 * 12)))
    room_objs = Room.objects.bulk_create(
        Room(venue=venue, name=f"R{n}", capacity=200, position=n) for n in range(rooms)
    )
    track = Track.objects.create(congress=congress, name="Bulk", slug="bulk")
    tag = Tag.objects.create(congress=congress, name="bulk", slug="bulk")
    speakers = Speaker.objects.bulk_create(
        Speaker(congress=congress, code=f"P{n:05d}", name=f"Speaker {n}")
        for n in range(max(1, sessions // 3))
    )
    per_day = -(-sessions // 4)
    objs = []
    for n in range(sessions):
        day, slot = divmod(n, per_day)
        room_index, hour = divmod(slot, 12)
        start = at(congress, day, 8 + hour % 12)
        objs.append(
            Session(
                congress=congress,
                code=f"S{n:05d}",
                title=f"Session {n}",
                abstract="Abstract",
                room=room_objs[room_index % rooms],
                track=track,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=50),
                status=SessionStatus.CONFIRMED,
                languages=["en"],
            )
        )
    created = Session.objects.bulk_create(objs)
    Session.tags.through.objects.bulk_create(
        Session.tags.through(session=s, tag=tag) for s in created
    )
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=s, speaker=speakers[n % len(speakers)], role="speaker")
        for n, s in enumerate(created)
    )
    return services.publish_schedule(congress=congress, by=alice)
