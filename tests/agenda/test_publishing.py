"""Publishing: numbered versions, a changelog, snapshots the public reads, rising SEQUENCE."""

import datetime as dt

import pytest

from sessions import selectors, services
from sessions.enums import ChangeKind, SessionStatus
from sessions.errors import NothingToPublish, ScheduleConflict
from sessions.models import ScheduleVersion, Session

pytestmark = pytest.mark.django_db


def changes(version):
    return {(c["kind"], c["code"]) for c in version.changelog}


def test_first_publication_adds_confirmed_sessions_only(congress, alice, make_session):
    confirmed = make_session()
    make_session(start=(14, 0), status=SessionStatus.DRAFT, title="Not ready")
    version = services.publish_schedule(congress=congress, by=alice)
    assert version.number == 1
    assert changes(version) == {(ChangeKind.ADDED, confirmed.code)}
    assert [s["code"] for s in version.snapshot["sessions"]] == [confirmed.code]


def test_draft_edits_do_not_leak_until_published(congress, alice, make_session):
    session = make_session(title="Original")
    services.publish_schedule(congress=congress, by=alice)
    services.update_session(session=session, by=alice, title="Edited in the draft")
    programme = selectors.published_programme(congress)
    assert programme.by_code[session.code].title == "Original"
    services.publish_schedule(congress=congress, by=alice)
    assert selectors.published_programme(congress).by_code[session.code].title == (
        "Edited in the draft"
    )


def test_changelog_names_moved_room_changed_cancelled_and_changed(
    congress, alice, make_session, small_room, ana
):
    moved = make_session(title="Moved", start=(10, 0))
    rehoused = make_session(title="Rehoused", start=(12, 0), expected_attendance=10)
    cancelled = make_session(title="Cancelled", start=(14, 0))
    retitled = make_session(title="Retitled", start=(16, 0))
    services.publish_schedule(congress=congress, by=alice)

    services.update_session(
        session=moved,
        by=alice,
        starts_at=moved.starts_at + dt.timedelta(days=1),
        ends_at=moved.ends_at + dt.timedelta(days=1),
    )
    services.update_session(session=rehoused, by=alice, room=small_room)
    services.cancel_session(session=cancelled, by=alice)
    services.update_session(session=retitled, by=alice, speakers=[(ana, "speaker")])
    version = services.publish_schedule(congress=congress, by=alice, comment="Day 2 reshuffle")

    assert version.number == 2
    assert changes(version) == {
        (ChangeKind.MOVED, moved.code),
        (ChangeKind.ROOM_CHANGED, rehoused.code),
        (ChangeKind.CANCELLED, cancelled.code),
        (ChangeKind.CHANGED, retitled.code),
    }
    room_change = next(c for c in version.changelog if c["kind"] == ChangeKind.ROOM_CHANGED)
    assert (room_change["from"], room_change["to"]) == ("Hall A", "Room 101")
    programme = selectors.published_programme(congress)
    assert programme.by_code[cancelled.code].is_cancelled  # still visible, as cancelled


def test_sequence_rises_only_for_sessions_that_changed(congress, alice, make_session):
    changed = make_session(title="Will change")
    steady = make_session(title="Steady", start=(14, 0))
    services.publish_schedule(congress=congress, by=alice)
    for n in range(2):
        services.update_session(session=changed, by=alice, title=f"Changed {n}")
        services.publish_schedule(congress=congress, by=alice)
    programme = selectors.published_programme(congress)
    assert programme.by_code[changed.code].sequence == 2
    assert programme.by_code[steady.code].sequence == 0
    assert programme.by_code[steady.code].last_modified < programme.published_at


def test_publishing_nothing_new_is_refused(congress, alice, make_session):
    make_session()
    services.publish_schedule(congress=congress, by=alice)
    with pytest.raises(NothingToPublish):
        services.publish_schedule(congress=congress, by=alice)
    assert ScheduleVersion.objects.count() == 1


def test_publishing_is_refused_while_a_confirmed_session_breaks_a_rule(
    congress, alice, make_session
):
    a = make_session()
    b = make_session(start=(14, 0))
    Session.objects.filter(pk=b.pk).update(starts_at=a.starts_at, ends_at=a.ends_at)
    with pytest.raises(ScheduleConflict) as err:
        services.publish_schedule(congress=congress, by=alice)
    assert "double-booked" in str(err.value)
    assert not ScheduleVersion.objects.exists()


def test_a_session_back_in_draft_is_listed_as_withdrawn(congress, alice, make_session):
    session = make_session()
    services.publish_schedule(congress=congress, by=alice)
    services.update_session(session=session, by=alice, status=SessionStatus.DRAFT)
    version = services.publish_schedule(congress=congress, by=alice)
    assert changes(version) == {(ChangeKind.REMOVED, session.code)}


def test_preview_shows_what_publishing_would_change(congress, alice, make_session):
    session = make_session()
    assert [c["code"] for c in services.preview_changes(congress)] == [session.code]
    assert not ScheduleVersion.objects.exists()
