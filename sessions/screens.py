""" "Now and next" for the screens at room doors and in the foyer, from the published version.

A session is *now* in its room from its start (inclusive) to its end (exclusive); *next* is the
first one to start after ``at``. Instants are compared in UTC, so midnight and daylight-saving
changes need no special case; only the labels are wall-clock times in the congress's zone
(with CEST / CET when a reading happens twice). Cancelled sessions are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .published import PublishedProgramme, PublishedRoom, PublishedSession

#: A screen never waits longer than this between two looks (seconds).
MAX_POLL_SECONDS = 60


@dataclass
class RoomNow:
    room: PublishedRoom
    current: PublishedSession | None
    next: PublishedSession | None
    today: dt.date  # the congress-zone date at the screen's "now"

    @property
    def next_is_another_day(self) -> bool:
        return self.next is not None and self.next.local_start.date() != self.today


def now_and_next(
    programme: PublishedProgramme, *, at: dt.datetime, room_id: int | None = None
) -> list[RoomNow]:
    """Per room (one room, or every room in order), the session on now and the next one."""
    rooms = sorted(programme.rooms.values(), key=lambda r: (r.position, r.name, r.id))
    if room_id is not None:
        rooms = [r for r in rooms if r.id == room_id]
    today = at.astimezone(programme.tz).date()
    found = []
    for room in rooms:
        mine = [
            s
            for s in programme.sessions
            if s.room is not None and s.room.id == room.id and not s.is_cancelled
        ]
        mine.sort(key=lambda s: (s.starts_at, s.code))
        current = next((s for s in mine if s.starts_at <= at < s.ends_at), None)
        upcoming = next((s for s in mine if s.starts_at > at), None)
        found.append(RoomNow(room=room, current=current, next=upcoming, today=today))
    return found


def next_change(rooms: list[RoomNow], *, at: dt.datetime) -> dt.datetime | None:
    """The next instant at which what the screen shows changes (a start or an end)."""
    moments = [s.ends_at for r in rooms if (s := r.current)] + [
        s.starts_at for r in rooms if (s := r.next)
    ]
    later = [m for m in moments if m > at]
    return min(later) if later else None


def poll_seconds(rooms: list[RoomNow], *, at: dt.datetime) -> int:
    """How long the screen waits before asking again: until just after the next change, at
    most ``SCREENS_POLL_SECONDS`` (so a newly published version shows within that time)."""
    ceiling = min(getattr(settings, "SCREENS_POLL_SECONDS", 30), MAX_POLL_SECONDS)
    change = next_change(rooms, at=at)
    if change is None:
        return max(1, ceiling)
    return max(1, min(ceiling, int((change - at).total_seconds()) + 1))


def time_override_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "SCREENS_TIME_OVERRIDE", False))


def screen_time(value: str | None) -> dt.datetime:
    """Now, or the ``?at=`` instant when overrides are allowed (DEBUG, or tests that set
    ``SCREENS_TIME_OVERRIDE``): a naive or unparsable value falls back to now."""
    if value and time_override_allowed():
        try:
            moment = dt.datetime.fromisoformat(
                value.strip().replace(" ", "+").replace("Z", "+00:00")
            )
        except ValueError:
            return timezone.now()
        if moment.tzinfo is not None:
            return moment.astimezone(dt.UTC)
    return timezone.now()
