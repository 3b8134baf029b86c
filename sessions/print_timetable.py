"""Printable timetables from the published programme: one day with rooms as columns (a table in
15-minute rows, each session or break spanning its rows) and a door sign per room (that room's
sessions, a page per day). Rendered by WeasyPrint through the project's one fetcher."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from .published import PublishedBreak, PublishedProgramme, PublishedRoom, PublishedSession
from .wallclock import time_label

PRINT_SLOT_MINUTES = 15


@dataclass
class Cell:
    item: PublishedSession | PublishedBreak | None = None
    rowspan: int = 1
    is_break: bool = False
    covered: bool = False


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class DaySheet:
    day: dt.date
    rooms: list[PublishedRoom | None]
    rows: list[Row] = field(default_factory=list)


def _slot(moment: dt.datetime, origin: dt.datetime) -> int:
    return int((moment - origin).total_seconds() // 60) // PRINT_SLOT_MINUTES


def _end_slot(moment: dt.datetime, origin: dt.datetime) -> int:
    return -(-int((moment - origin).total_seconds() // 60) // PRINT_SLOT_MINUTES)


def day_sheet(programme: PublishedProgramme, day: dt.date) -> DaySheet:
    """The day as a table: one row per 15 minutes from the first hour to the last end; in each
    room's column a session or break spans its rows (an overlapping one, which publishing
    refuses, would be left out rather than break the table)."""
    sessions = [s for s in programme.select(day=day) if not s.is_cancelled]
    breaks = programme.breaks_on(day)
    used = {s.room.id for s in sessions if s.room}
    rooms: list[PublishedRoom | None] = [
        r
        for r in sorted(programme.rooms.values(), key=lambda r: (r.position, r.name))
        if r.id in used or (not used and any(b.in_room(r.id) for b in breaks))
    ]
    if any(s.room is None for s in sessions):
        rooms.append(None)
    sheet = DaySheet(day, rooms)
    if not sessions and not breaks:
        return sheet
    tz = programme.tz
    starts = [s.local_start for s in sessions] + [b.local_start for b in breaks]
    ends = [s.ends_at for s in sessions] + [b.ends_at for b in breaks]
    origin = min(starts).replace(minute=0, second=0, microsecond=0)
    count = max(_end_slot(e, origin) for e in ends)
    grid = [[Cell() for _room in rooms] for _n in range(count)]

    def place(column: int, item, start: dt.datetime, end: dt.datetime, is_break: bool) -> None:
        first = _slot(start, origin)
        last = max(first + 1, _end_slot(end, origin))
        if any(grid[n][column].item or grid[n][column].covered for n in range(first, last)):
            return
        grid[first][column] = Cell(item, last - first, is_break)
        for n in range(first + 1, last):
            grid[n][column].covered = True

    index = {(r.id if r else None): n for n, r in enumerate(rooms)}
    for b in breaks:
        for n, room in enumerate(rooms):
            if room is not None and b.in_room(room.id):
                place(n, b, b.starts_at, b.ends_at, True)
    for s in sessions:
        place(index[s.room.id if s.room else None], s, s.starts_at, s.ends_at, False)
    for n, cells in enumerate(grid):
        moment = (origin + dt.timedelta(minutes=n * PRINT_SLOT_MINUTES)).astimezone(tz)
        sheet.rows.append(Row(time_label(moment, tz), cells))
    return sheet


def room_days(
    programme: PublishedProgramme, room: PublishedRoom
) -> list[tuple[dt.date, list[tuple[PublishedSession | PublishedBreak, bool]]]]:
    """The room's sessions and breaks, by day (days without any left out)."""
    days = []
    for day in programme.days:
        items: list[tuple[PublishedSession | PublishedBreak, bool]] = [
            (s, False) for s in programme.select(day=day, room=room.id) if not s.is_cancelled
        ]
        items += [(b, True) for b in programme.breaks_on(day) if b.in_room(room.id)]
        if items:
            days.append((day, sorted(items, key=lambda pair: pair[0].starts_at)))
    return days


def day_pdf(*, congress, programme: PublishedProgramme, day: dt.date, language: str) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    sheet = day_sheet(programme, day)
    html = render_to_string(
        "agenda/print/day.html",
        {
            "congress": congress,
            "programme": programme,
            "sheet": sheet,
            "wide": len(sheet.rooms) > 6,
            "language": language,
        },
    )
    return html_to_pdf(html, congress=congress)


def room_pdf(
    *, congress, programme: PublishedProgramme, room: PublishedRoom, language: str
) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    html = render_to_string(
        "agenda/print/room.html",
        {
            "congress": congress,
            "programme": programme,
            "room": room,
            "days": room_days(programme, room),
            "language": language,
        },
    )
    return html_to_pdf(html, congress=congress)
