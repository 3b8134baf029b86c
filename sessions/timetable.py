"""The timetable grid of one day: rooms as columns, five-minute rows, each session placed by
its start and end in the congress's zone (rendered as a CSS grid)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .published import PublishedRoom, PublishedSession

SLOT_MINUTES = 5


@dataclass
class Placed:
    session: PublishedSession
    column: int
    row_start: int
    row_end: int


@dataclass
class HourMark:
    label: str
    row: int


@dataclass
class Timetable:
    rooms: list[PublishedRoom | None]
    rows: int
    hours: list[HourMark]
    placed: list[Placed]

    @property
    def columns(self) -> int:
        return len(self.rooms)


def _minutes(moment: dt.datetime, origin: dt.datetime) -> int:
    return int((moment - origin).total_seconds() // 60)


def build_timetable(sessions: list[PublishedSession], rooms: list[PublishedRoom]) -> Timetable:
    if not sessions:
        return Timetable([], 0, [], [])
    used = {s.room.id for s in sessions if s.room}
    columns: list[PublishedRoom | None] = [r for r in rooms if r.id in used]
    if any(s.room is None for s in sessions):
        columns.append(None)
    index = {(r.id if r else None): n for n, r in enumerate(columns)}
    first = min(s.local_start for s in sessions)
    origin = first.replace(minute=0, second=0, microsecond=0)
    last = max(s.local_end for s in sessions)
    placed = []
    for s in sessions:
        start = _minutes(s.local_start, origin) // SLOT_MINUTES
        end = max(start + 1, -(-_minutes(s.local_end, origin) // SLOT_MINUTES))
        placed.append(Placed(s, index[s.room.id if s.room else None] + 2, start + 2, end + 2))
    rows = max(p.row_end for p in placed)
    hours = []
    mark = origin
    while mark < last:
        hours.append(HourMark(mark.strftime("%H:%M"), _minutes(mark, origin) // SLOT_MINUTES + 2))
        mark += dt.timedelta(hours=1)
    return Timetable(columns, rows, hours, placed)
