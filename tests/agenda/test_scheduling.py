"""The scheduling rules: one service refuses or flags, naming the other party."""

import datetime as dt

import pytest

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.enums import ConflictKind, SessionFormat, SessionStatus, SpeakerRole
from sessions.errors import InvalidProgrammeData, ScheduleConflict
from sessions.models import Session
from tests.agenda.conftest import at

pytestmark = pytest.mark.django_db


def kinds(conflicts):
    return {c.kind for c in conflicts}


def test_a_valid_session_is_saved_with_a_code_and_an_audit_entry(make_session, ana):
    session = make_session(speakers=[(ana, SpeakerRole.MODERATOR)])
    assert len(session.code) == 6
    assert session.roles.get().role == SpeakerRole.MODERATOR
    assert AuditEntry.objects.filter(action="convene.agenda.session_created").count() == 1


def test_room_double_booking_is_refused_naming_room_and_other_session(make_session):
    first = make_session(title="Heat plans")
    with pytest.raises(ScheduleConflict) as err:
        make_session(title="Flood maps", start=(10, 30))
    assert kinds(err.value.conflicts) == {ConflictKind.ROOM_DOUBLE_BOOKED}
    assert "Hall A" in str(err.value) and first.code in str(err.value)
    assert "Heat plans" in str(err.value)
    assert Session.objects.count() == 1


def test_back_to_back_sessions_in_one_room_are_fine(make_session):
    make_session(start=(10, 0), minutes=60)
    make_session(start=(11, 0), minutes=60)
    assert Session.objects.count() == 2


def test_a_cancelled_session_frees_its_room(make_session, alice):
    first = make_session()
    services.cancel_session(session=first, by=alice)
    make_session(title="Replacement")
    assert Session.objects.count() == 2


def test_speaker_in_two_places_at_once_is_refused_naming_the_speaker(make_session, ana, small_room):
    first = make_session(speakers=[(ana, SpeakerRole.SPEAKER)])
    with pytest.raises(ScheduleConflict) as err:
        make_session(room=small_room, start=(10, 15), speakers=[(ana, SpeakerRole.PANELLIST)])
    assert kinds(err.value.conflicts) == {ConflictKind.SPEAKER_DOUBLE_BOOKED}
    assert "Ana Müller" in str(err.value) and first.code in str(err.value)


def test_end_before_start_is_refused(congress, alice, hall):
    with pytest.raises(InvalidProgrammeData):
        services.create_session(
            congress=congress,
            by=alice,
            title="Backwards",
            room=hall,
            starts_at=at(congress, 0, 11),
            ends_at=at(congress, 0, 10),
        )


def test_session_outside_congress_dates_is_refused(make_session):
    with pytest.raises(ScheduleConflict) as err:
        make_session(day=-1)
    assert kinds(err.value.conflicts) == {ConflictKind.OUTSIDE_CONGRESS}
    with pytest.raises(ScheduleConflict):
        make_session(day=4)


def test_session_outside_room_hours_is_refused_in_local_time(make_session, small_room):
    # Room 101 opens 09:00-18:00 Seoul time; 08:30 Seoul is 23:30 UTC the day before.
    with pytest.raises(ScheduleConflict) as err:
        make_session(room=small_room, start=(8, 30))
    assert kinds(err.value.conflicts) == {ConflictKind.OUTSIDE_ROOM_HOURS}
    assert "Room 101" in str(err.value) and "09:00" in str(err.value)
    with pytest.raises(ScheduleConflict):
        make_session(room=small_room, start=(17, 30), minutes=60)
    make_session(room=small_room, start=(9, 0), minutes=540, expected_attendance=10)


def test_room_too_small_is_a_warning_not_a_refusal(congress, alice, small_room):
    saved = services.create_session(
        congress=congress,
        by=alice,
        title="Popular",
        room=small_room,
        starts_at=at(congress, 1, 10),
        ends_at=at(congress, 1, 11),
        expected_attendance=80,
    )
    assert saved.session.pk
    assert kinds(saved.warnings) == {ConflictKind.ROOM_TOO_SMALL}
    assert "Room 101" in saved.warnings[0].message and "80" in saved.warnings[0].message


def test_update_is_checked_against_others_but_not_itself(make_session, alice):
    session = make_session(start=(10, 0))
    make_session(start=(12, 0), title="Later")
    saved = services.update_session(session=session, by=alice, title="Renamed")
    assert saved.session.title == "Renamed"
    with pytest.raises(ScheduleConflict):
        services.update_session(
            session=session,
            by=alice,
            starts_at=session.starts_at + dt.timedelta(hours=2),
            ends_at=session.ends_at + dt.timedelta(hours=2),
        )
    session.refresh_from_db()
    assert session.title == "Renamed"


def test_rooms_tracks_and_speakers_of_another_congress_are_refused(
    congress, other_congress, alice, make_session
):
    from tests.factories import RoomFactory, VenueFactory

    foreign = RoomFactory(venue=VenueFactory(congress=other_congress))
    with pytest.raises(InvalidProgrammeData):
        make_session(room=foreign)
    stranger = services.create_speaker(congress=other_congress, by=alice, name="X")
    with pytest.raises(InvalidProgrammeData):
        make_session(speakers=[(stranger, "speaker")])


def test_unknown_language_and_another_congress_s_tag_are_refused(make_session, other_congress):
    with pytest.raises(InvalidProgrammeData):
        make_session(languages=["xx-nope"])
    theirs = services.create_tag(congress=other_congress, by=None, name="Theirs", slug="theirs")
    with pytest.raises(InvalidProgrammeData):
        make_session(tags=[theirs])


def test_congress_conflicts_lists_every_clash_once(congress, make_session, ana, small_room):
    a = make_session(title="A", speakers=[(ana, "speaker")])
    b = make_session(title="B", start=(14, 0), room=small_room, speakers=[(ana, "speaker")])
    # Bypass the service to simulate legacy/imported data that breaks the rules.
    Session.objects.filter(pk=b.pk).update(starts_at=a.starts_at, ends_at=a.ends_at)
    c = make_session(title="C", start=(16, 0))
    Session.objects.filter(pk=c.pk).update(
        starts_at=a.starts_at + dt.timedelta(minutes=30), ends_at=a.ends_at
    )
    found = services.congress_conflicts(congress)
    assert [x.kind for x in found if x.kind == ConflictKind.ROOM_DOUBLE_BOOKED] == [
        ConflictKind.ROOM_DOUBLE_BOOKED
    ]
    assert [x.kind for x in found if x.kind == ConflictKind.SPEAKER_DOUBLE_BOOKED] == [
        ConflictKind.SPEAKER_DOUBLE_BOOKED
    ]


def test_sign_up_format_without_capacity_is_flagged(make_session, congress):
    make_session(format=SessionFormat.WORKSHOP)
    assert ConflictKind.NO_CAPACITY in kinds(services.congress_conflicts(congress))


def test_cancelling_keeps_the_session_and_its_code(make_session, alice):
    session = make_session()
    services.cancel_session(session=session, by=alice)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
