"""The timetable editor's writes: place a session in a room at a wall-clock time for a length,
or put it back in the queue. Both go through the scheduling rules (``check_session``) under the
congress lock, and both refuse a change based on a stale view of the session (its version, a
digest of what the grid shows, no longer matches the row).

Times come as the congress's wall-clock reading (what the organiser sees in a grid row), so a
time that never happens or happens twice that night is refused with its reason, like a room
that is taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.models import Congress, Room

from ..enums import MAX_SESSION_MINUTES, MIN_SESSION_MINUTES, SessionStatus
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Session
from ..wallclock import aware
from .programme import SavedSession, _lock_congress, _validate_and_save
from .scheduling import wall_clock_conflict

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this session since your page loaded: it was not moved. "
    "It now shows where it is; move it again if you still want to."
)


def session_version(session: Session) -> str:
    """A digest of what the grid shows of a session (room, times, queue, status, title, track),
    stable across processes and zones (times in UTC)."""
    parts = [
        str(session.room_id or ""),
        session.starts_at.astimezone(dt.UTC).isoformat(),
        session.ends_at.astimezone(dt.UTC).isoformat(),
        "q" if session.unscheduled else "g",
        session.status,
        str(session.track_id or ""),
        session.title,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _refuse_if_stale(current: Session, shown_version: str | None) -> None:
    if shown_version is not None and not hmac.compare_digest(
        session_version(current), str(shown_version)
    ):
        raise EditConflict(STALE_MESSAGE)


def _locked(session: Session, congress: Congress) -> Session:
    current = (
        Session.objects.select_for_update(of=("self",))
        .select_related("track", "room")
        .get(pk=session.pk)
    )
    current.congress = congress
    return current


def place_session(
    *,
    session: Session,
    by,
    room: Room,
    start: dt.datetime,
    minutes: int,
    fold: int | None = None,
    shown_version: str | None = None,
) -> SavedSession:
    """Put ``session`` in ``room`` from the congress-local wall-clock ``start`` (naive) for
    ``minutes``; it leaves the queue. Refused (``ScheduleConflict``) on any scheduling error,
    including a wall-clock time that never happens or happens twice without ``fold``;
    ``EditConflict`` when ``shown_version`` is not the session's version any more."""
    congress = session.congress
    if room.venue.congress_id != congress.pk:
        raise InvalidProgrammeData(_("That room belongs to another congress."))
    if not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
        raise InvalidProgrammeData(
            _("A session lasts from %(min)s to %(max)s minutes.")
            % {"min": MIN_SESSION_MINUTES, "max": MAX_SESSION_MINUTES}
        )
    if session.status == SessionStatus.CANCELLED:
        raise InvalidProgrammeData(_("A cancelled session cannot be placed."))
    start = start.replace(tzinfo=None, second=0, microsecond=0)
    refused = wall_clock_conflict(start, congress, fold=fold)
    if refused is not None:
        raise ScheduleConflict([refused])
    starts_at = aware(start, congress.tz, fold=fold or 0).astimezone(dt.UTC)
    with transaction.atomic():
        _lock_congress(congress)
        current = _locked(session, congress)
        _refuse_if_stale(current, shown_version)
        before = (current.room_id, current.starts_at, current.ends_at, current.unscheduled)
        current.room = room
        current.starts_at = starts_at
        current.ends_at = starts_at + dt.timedelta(minutes=minutes)
        current.unscheduled = False
        warnings = _validate_and_save(current, speakers=None)
        audit.record(
            action="convene.agenda.session_placed",
            congress=congress,
            actor=by,
            target=current,
            data={
                "code": current.code,
                "room": room.name,
                "starts_at": current.starts_at.isoformat(),
                "ends_at": current.ends_at.isoformat(),
                "from_queue": before[3],
                "before": {
                    "room_id": before[0],
                    "starts_at": before[1].isoformat(),
                    "ends_at": before[2].isoformat(),
                },
            },
        )
    return SavedSession(current, warnings)


def unschedule_session(*, session: Session, by, shown_version: str | None = None) -> SavedSession:
    """Put ``session`` back in the editor's queue: it keeps its length, frees its room and its
    speakers' time, and leaves the next published version (withdrawn if it was published)."""
    congress = session.congress
    with transaction.atomic():
        _lock_congress(congress)
        current = _locked(session, congress)
        _refuse_if_stale(current, shown_version)
        if current.unscheduled:
            return SavedSession(current, [])
        room = current.room.name if current.room_id else ""
        current.unscheduled = True
        current.room = None
        current.save(update_fields=["unscheduled", "room", "updated_at"])
        audit.record(
            action="convene.agenda.session_unscheduled",
            congress=congress,
            actor=by,
            target=current,
            data={"code": current.code, "room": room, "starts_at": current.starts_at.isoformat()},
        )
    return SavedSession(current, [])
