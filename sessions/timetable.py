"""The timetable grid of one day: rooms as columns, five-minute rows, each session placed by
its start and end in the congress's zone (rendered as a CSS grid). Breaks span the columns of
their rooms (every room, or runs of neighbouring ones)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .published import PublishedBreak, PublishedRoom, PublishedSession

SLOT_MINUTES = 5


@dataclass
class Placed:
    session: PublishedSession
    column: int
    row_start: int
    row_end: int


@dataclass
class PlacedBreak:
    brk: PublishedBreak
    column_start: int
    column_end: int
    row_start: int
    row_end: int


@dataclass
class HourMark:
    label: str
    row: int
    #: The hour itself (aware, the congress's zone), so the time-zone button can relabel it.
    at: dt.datetime | None = None


@dataclass
class Timetable:
    rooms: list[PublishedRoom | None]
    rows: int
    hours: list[HourMark]
    placed: list[Placed]
    breaks: list[PlacedBreak] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return len(self.rooms)


def _minutes(moment: dt.datetime, origin: dt.datetime) -> int:
    return int((moment - origin).total_seconds() // 60)


def _runs(columns: list[PublishedRoom | None], brk: PublishedBreak) -> list[tuple[int, int]]:
    """Runs of neighbouring columns the break occupies, as (first, last + 1) grid lines."""
    runs: list[tuple[int, int]] = []
    for n, room in enumerate(columns):
        if room is None or not brk.in_room(room.id):
            continue
        line = n + 2
        if runs and runs[-1][1] == line:
            runs[-1] = (runs[-1][0], line + 1)
        else:
            runs.append((line, line + 1))
    return runs


def build_timetable(
    sessions: list[PublishedSession],
    rooms: list[PublishedRoom],
    breaks: Sequence[PublishedBreak] = (),
) -> Timetable:
    breaks = list(breaks)
    if not sessions and not breaks:
        return Timetable([], 0, [], [])
    used = {s.room.id for s in sessions if s.room}
    if not sessions:  # a day of breaks only: the rooms they name, or every room
        used = {r.id for r in rooms if any(b.in_room(r.id) for b in breaks)}
    columns: list[PublishedRoom | None] = [r for r in rooms if r.id in used]
    if any(s.room is None for s in sessions):
        columns.append(None)
    index = {(r.id if r else None): n for n, r in enumerate(columns)}
    starts = [s.local_start for s in sessions] + [b.local_start for b in breaks]
    ends = [s.local_end for s in sessions] + [b.local_end for b in breaks]
    origin = min(starts).replace(minute=0, second=0, microsecond=0)
    last = max(ends)

    def rows_of(local_start: dt.datetime, local_end: dt.datetime) -> tuple[int, int]:
        start = _minutes(local_start, origin) // SLOT_MINUTES
        end = max(start + 1, -(-_minutes(local_end, origin) // SLOT_MINUTES))
        return start + 2, end + 2

    placed = []
    for s in sessions:
        row_start, row_end = rows_of(s.local_start, s.local_end)
        placed.append(Placed(s, index[s.room.id if s.room else None] + 2, row_start, row_end))
    placed_breaks = []
    for b in breaks:
        row_start, row_end = rows_of(b.local_start, b.local_end)
        for first, end in _runs(columns, b):
            placed_breaks.append(PlacedBreak(b, first, end, row_start, row_end))
    rows = max([p.row_end for p in placed] + [p.row_end for p in placed_breaks])
    hours = []
    mark = origin
    while mark < last:
        hours.append(
            HourMark(mark.strftime("%H:%M"), _minutes(mark, origin) // SLOT_MINUTES + 2, mark)
        )
        mark += dt.timedelta(hours=1)
    return Timetable(columns, rows, hours, placed, placed_breaks)
