"""The timetable editor's writes (sessions.services.editor): moves through the scheduling rules,
refusals with their reasons, warnings that do not block, stale views, and wall-clock times
that happen twice or never."""

import datetime as dt

import pytest

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.enums import ConflictKind, SessionStatus
from sessions.errors import InvalidProgrammeData, ScheduleConflict
from sessions.models import Session
from sessions.services.availability import add_unavailability
from sessions.services.editor import place_session, session_version, unschedule_session
from tests.agenda.conftest import at
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


def naive(congress, day, hour, minute=0):
    return at(congress, day, hour, minute).replace(tzinfo=None)


def kinds(exc):
    return {c.kind for c in exc.value.conflicts}


def test_a_move_saves_room_start_and_length_and_is_audited(
    congress, alice, make_session, hall, small_room
):
    session = make_session(start=(10, 0), minutes=60)
    saved = place_session(
        session=session,
        by=alice,
        room=small_room,
        start=naive(congress, 1, 14, 15),
        minutes=45,
        shown_version=session_version(session),
    )
    session.refresh_from_db()
    assert session.room == small_room
    assert session.starts_at == at(congress, 1, 14, 15)
    assert session.ends_at == at(congress, 1, 15, 0)
    assert saved.warnings == []
    entry = AuditEntry.objects.filter(action="convene.agenda.session_placed").get()
    assert entry.data["room"] == "Room 101" and entry.data["from_queue"] is False


def test_a_move_onto_a_taken_room_is_refused_with_the_other_session_named(
    congress, alice, make_session, hall
):
    make_session(title="Keynote", start=(10, 0), minutes=60)
    other = make_session(title="Water", start=(12, 0), minutes=60)
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=other, by=alice, room=hall, start=naive(congress, 0, 10, 30), minutes=60
        )
    assert kinds(exc) == {ConflictKind.ROOM_DOUBLE_BOOKED}
    assert "Keynote" in str(exc.value.message)
    other.refresh_from_db()
    assert other.starts_at == at(congress, 0, 12)


def test_a_speaker_elsewhere_outside_room_hours_and_outside_the_days_are_refused(
    congress, alice, make_session, hall, small_room, ana
):
    make_session(title="Keynote", start=(10, 0), speakers=[(ana, "speaker")])
    mine = make_session(title="Panel", start=(15, 0), speakers=[(ana, "speaker")])
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=mine, by=alice, room=small_room, start=naive(congress, 0, 10), minutes=30
        )
    assert kinds(exc) == {ConflictKind.SPEAKER_DOUBLE_BOOKED}
    assert "Ana Müller" in str(exc.value.message)
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=mine, by=alice, room=small_room, start=naive(congress, 0, 17, 30), minutes=60
        )
    assert kinds(exc) == {ConflictKind.OUTSIDE_ROOM_HOURS}
    with pytest.raises(ScheduleConflict) as exc:
        place_session(session=mine, by=alice, room=hall, start=naive(congress, 9, 10), minutes=60)
    assert ConflictKind.OUTSIDE_CONGRESS in kinds(exc)


def test_a_speakers_unavailable_time_refuses_the_move(congress, alice, make_session, hall, ana):
    mine = make_session(title="Panel", start=(15, 0), speakers=[(ana, "speaker")])
    add_unavailability(
        speaker=ana,
        by=alice,
        starts_at=at(congress, 1, 9),
        ends_at=at(congress, 1, 12),
        note="flight",
    )
    with pytest.raises(ScheduleConflict) as exc:
        place_session(session=mine, by=alice, room=hall, start=naive(congress, 1, 11), minutes=60)
    assert kinds(exc) == {ConflictKind.SPEAKER_UNAVAILABLE}
    assert "flight" in str(exc.value.message)
    place_session(session=mine, by=alice, room=hall, start=naive(congress, 1, 12), minutes=60)


def test_warnings_do_not_block_room_too_small_track_clash_and_two_buildings(
    congress, alice, make_session, venue, track, ana
):
    east = RoomFactory(venue=venue, name="East 1", capacity=20, building="East wing", position=3)
    west = RoomFactory(venue=venue, name="West 1", capacity=500, building="West wing", position=4)
    make_session(title="Before", room=west, start=(10, 0), speakers=[(ana, "speaker")], track=track)
    mine = make_session(
        title="After", room=west, start=(14, 0), speakers=[(ana, "speaker")], track=track
    )
    Session.objects.filter(pk=mine.pk).update(expected_attendance=80)
    mine.refresh_from_db()
    saved = place_session(
        session=mine, by=alice, room=east, start=naive(congress, 0, 11, 5), minutes=60
    )
    assert {w.kind for w in saved.warnings} == {
        ConflictKind.ROOM_TOO_SMALL,
        ConflictKind.SPEAKER_BUILDINGS,
    }
    make_session(title="Parallel", start=(16, 0), track=track)
    saved = place_session(
        session=mine, by=alice, room=east, start=naive(congress, 0, 16, 30), minutes=30
    )
    assert ConflictKind.TRACK_CLASH in {w.kind for w in saved.warnings}
    mine.refresh_from_db()
    assert mine.room == east


def test_a_move_based_on_a_stale_view_is_refused(congress, alice, make_session, hall, small_room):
    session = make_session(start=(10, 0))
    shown = session_version(session)
    services.update_session(session=session, by=alice, title="Renamed by Bob")
    with pytest.raises(EditConflict) as exc:
        place_session(
            session=session,
            by=alice,
            room=small_room,
            start=naive(congress, 0, 11),
            minutes=60,
            shown_version=shown,
        )
    assert "Someone else changed this session" in str(exc.value.message)
    session.refresh_from_db()
    assert session.room == hall


def test_the_version_is_the_same_for_a_session_read_back_in_another_zone(make_session):
    session = make_session(start=(10, 0))
    assert session_version(session) == session_version(Session.objects.get(pk=session.pk))


def test_unscheduling_frees_the_room_and_the_speakers_and_leaves_publishing(
    congress, alice, make_session, hall, ana
):
    first = make_session(title="First", start=(10, 0), speakers=[(ana, "speaker")])
    second = make_session(title="Second", start=(12, 0), speakers=[(ana, "speaker")])
    services.publish_schedule(congress=congress, by=alice)
    unschedule_session(session=first, by=alice, shown_version=session_version(first))
    first.refresh_from_db()
    assert first.unscheduled and first.room is None
    place_session(session=second, by=alice, room=hall, start=naive(congress, 0, 10), minutes=60)
    from sessions.services.publishing import build_snapshot

    snapshot = build_snapshot(congress)
    by_code = {s["code"]: s for s in snapshot["sessions"]}
    assert by_code[second.code]["status"] == SessionStatus.CONFIRMED
    assert first.code not in by_code or by_code[first.code]["status"] == SessionStatus.CANCELLED
    place_session(session=first, by=alice, room=hall, start=naive(congress, 0, 14), minutes=60)
    first.refresh_from_db()
    assert not first.unscheduled


def test_a_room_of_another_congress_bad_lengths_and_cancelled_sessions_are_refused(
    congress, other_congress, alice, make_session
):
    session = make_session()
    foreign = RoomFactory(venue__congress=other_congress, name="Elsewhere")
    with pytest.raises(InvalidProgrammeData):
        place_session(
            session=session, by=alice, room=foreign, start=naive(congress, 0, 9), minutes=60
        )
    for minutes in (0, 4, 601, -30):
        with pytest.raises(InvalidProgrammeData):
            place_session(
                session=session,
                by=alice,
                room=session.room,
                start=naive(congress, 0, 9),
                minutes=minutes,
            )
    services.cancel_session(session=session, by=alice)
    with pytest.raises(InvalidProgrammeData):
        place_session(
            session=session, by=alice, room=session.room, start=naive(congress, 0, 9), minutes=60
        )


@pytest.fixture
def berlin(congress, venue):
    congress.time_zone = "Europe/Berlin"
    congress.start_date, congress.end_date = dt.date(2027, 3, 27), dt.date(2027, 10, 31)
    congress.save()
    return congress


def test_wall_clock_times_that_happen_twice_or_never_are_refused_with_the_reason(
    berlin, alice, venue
):
    saal = RoomFactory(venue=venue, name="Saal 1", opens_at=None, closes_at=None)
    session = services.create_session(
        congress=berlin,
        by=alice,
        title="Night owls",
        room=saal,
        starts_at=dt.datetime(2027, 5, 1, 20, tzinfo=berlin.tz),
        ends_at=dt.datetime(2027, 5, 1, 21, tzinfo=berlin.tz),
    ).session
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=session, by=alice, room=saal, start=dt.datetime(2027, 3, 28, 2, 30), minutes=30
        )
    assert kinds(exc) == {ConflictKind.NONEXISTENT_TIME}
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=session, by=alice, room=saal, start=dt.datetime(2027, 10, 31, 2, 30), minutes=30
        )
    assert kinds(exc) == {ConflictKind.REPEATED_TIME}
    assert "happens twice" in str(exc.value.message)
    saved = place_session(
        session=session,
        by=alice,
        room=saal,
        start=dt.datetime(2027, 10, 31, 2, 30),
        minutes=30,
        fold=1,
    )
    assert saved.session.starts_at == dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC)
