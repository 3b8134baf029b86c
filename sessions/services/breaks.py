"""Breaks and blocks across rooms (coffee, lunch, plenary): add, change, delete, copy to other
days. A break occupies its rooms: it is refused over a session or another break there, and
``scheduling.check_session`` refuses a session over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.models import Congress, Room

from ..enums import BreakKind, ConflictKind, SessionStatus, Severity
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Break, Session
from ..wallclock import AMBIGUOUS, NONEXISTENT, time_label, wall_clock_kind
from .programme import _full_clean, _lock_congress, _unique_code
from .scheduling import Conflict, _label

BREAK_FIELDS = frozenset({"title", "kind", "starts_at", "ends_at", "all_rooms", "rooms"})


def _rooms_of(congress: Congress, rooms: Sequence[Room] | None) -> list[Room]:
    rooms = list(rooms or [])
    if any(r.venue.congress_id != congress.pk for r in rooms):
        raise InvalidProgrammeData(_("That room belongs to another congress."))
    return rooms


def break_conflicts_of(brk: Break, *, rooms: Sequence[Room] | None) -> list[Conflict]:
    """What ``brk`` (saved or not) would stand over: the congress's dates, sessions that are
    not cancelled in its rooms, and other breaks sharing a room. ``rooms`` of None: all."""
    congress = brk.congress
    found: list[Conflict] = []
    start, end = brk.starts_at, brk.ends_at
    where = _("%(start)s–%(end)s") % {
        "start": time_label(start, congress.tz, "D j M, H:i"),
        "end": time_label(end, congress.tz),
    }
    if start < congress.starts_at or end > congress.ends_at:
        found.append(
            Conflict(
                ConflictKind.OUTSIDE_CONGRESS,
                Severity.ERROR,
                _("The break “%(title)s” (%(when)s) is outside the congress dates.")
                % {"title": brk.title, "when": where},
                brk.code,
            )
        )
    room_ids = None if rooms is None else [r.pk for r in rooms]
    sessions = (
        Session.objects.filter(
            congress=congress, starts_at__lt=end, ends_at__gt=start, room__isnull=False
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("room")
        .order_by("starts_at", "code")
    )
    if room_ids is not None:
        sessions = sessions.filter(room_id__in=room_ids)
    for session in sessions:
        found.append(
            Conflict(
                ConflictKind.BREAK_IN_ROOM,
                Severity.ERROR,
                _("The break “%(title)s” (%(when)s) would stand over %(session)s in room %(room)s.")
                % {
                    "title": brk.title,
                    "when": where,
                    "session": _label(session),
                    "room": session.room.name,
                },
                brk.code,
                session.code,
            )
        )
    others = Break.objects.filter(congress=congress, starts_at__lt=end, ends_at__gt=start)
    if brk.pk:
        others = others.exclude(pk=brk.pk)
    if room_ids is not None:
        others = others.filter(Q(all_rooms=True) | Q(rooms__in=room_ids)).distinct()
    for other in others.order_by("starts_at", "code"):
        found.append(
            Conflict(
                ConflictKind.BREAK_IN_ROOM,
                Severity.ERROR,
                _("The break “%(title)s” (%(when)s) overlaps the break “%(other)s” in a room.")
                % {"title": brk.title, "when": where, "other": other.title},
                brk.code,
                other.code,
            )
        )
    return found


def _check_and_save(brk: Break, rooms: list[Room]) -> None:
    _full_clean(brk, exclude=["congress", "code", "rooms"])
    if brk.kind not in BreakKind.values:
        raise InvalidProgrammeData(_("Unknown kind of break."))
    if not brk.all_rooms and not rooms:
        raise InvalidProgrammeData(_("Choose the rooms of the break, or all rooms."))
    conflicts = break_conflicts_of(brk, rooms=None if brk.all_rooms else rooms)
    if conflicts:
        raise ScheduleConflict(conflicts)
    brk.save()
    brk.rooms.set([] if brk.all_rooms else rooms)


def create_break(*, congress: Congress, by, **fields: Any) -> Break:
    """Add a break to the draft; refused over a session or another break in its rooms."""
    unknown = set(fields) - BREAK_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    rooms = _rooms_of(congress, fields.pop("rooms", None))
    with transaction.atomic():
        _lock_congress(congress)
        brk = Break(congress=congress, code=_unique_code(Break, congress), **fields)
        _check_and_save(brk, rooms)
        audit.record(
            action="convene.agenda.break_created",
            congress=congress,
            actor=by,
            target=brk,
            data={"code": brk.code, "title": brk.title, "rooms": _room_names(brk, rooms)},
        )
    return brk


def update_break(*, brk: Break, by, **fields: Any) -> Break:
    unknown = set(fields) - BREAK_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    congress = brk.congress
    rooms_given = "rooms" in fields
    rooms = _rooms_of(congress, fields.pop("rooms", None))
    with transaction.atomic():
        _lock_congress(congress)
        current = Break.objects.select_for_update().get(pk=brk.pk)
        current.congress = congress
        if not rooms_given:
            rooms = list(current.rooms.all())
        for name, value in fields.items():
            setattr(current, name, value)
        _check_and_save(current, rooms)
        audit.record(
            action="convene.agenda.break_changed",
            congress=congress,
            actor=by,
            target=current,
            data={"code": current.code, "fields": sorted([*fields, *(["rooms"] * rooms_given)])},
        )
    return current


def delete_break(*, brk: Break, by) -> None:
    with transaction.atomic():
        _lock_congress(brk.congress)
        audit.record(
            action="convene.agenda.break_deleted",
            congress=brk.congress,
            actor=by,
            target=brk,
            data={"code": brk.code, "title": brk.title},
        )
        Break.objects.filter(pk=brk.pk).delete()


def _room_names(brk: Break, rooms: list[Room]) -> list[str] | str:
    return "all" if brk.all_rooms else sorted(r.name for r in rooms)


def _same_wall_clock(moment: dt.datetime, day: dt.date, congress: Congress) -> dt.datetime:
    """``moment``'s wall-clock time in the congress's zone on ``day`` (a break past midnight
    ends the day after), refused when that time happens twice or never there."""
    local = moment.astimezone(congress.tz)
    naive = dt.datetime.combine(day, local.time().replace(fold=0))
    kind = wall_clock_kind(naive, congress.tz)
    when = formats.date_format(naive, "D j M Y, H:i")
    if kind == NONEXISTENT:
        raise InvalidProgrammeData(
            _("%(time)s does not exist in %(zone)s: the clocks go forward over it that night.")
            % {"time": when, "zone": congress.time_zone}
        )
    if kind == AMBIGUOUS:
        raise InvalidProgrammeData(
            _(
                "%(time)s happens twice in %(zone)s (the clocks go back that night): add this "
                "break on that day by hand."
            )
            % {"time": when, "zone": congress.time_zone}
        )
    return naive.replace(tzinfo=congress.tz)


def copy_break(*, brk: Break, days: Sequence[dt.date], by) -> list[Break]:
    """Copy a break to other days of the congress at the same wall-clock time in its zone, in
    the same rooms: all the copies or none (a day where that time happens twice or never, or
    where the copy would stand over a session or a break, refuses the whole copy)."""
    congress = brk.congress
    days = sorted(set(days))
    own_day = brk.starts_at.astimezone(congress.tz).date()
    if not days:
        raise InvalidProgrammeData(_("Choose at least one day to copy the break to."))
    for day in days:
        if day not in congress.days:
            raise InvalidProgrammeData(_("That day is not a day of the congress."))
        if day == own_day:
            raise InvalidProgrammeData(_("The break already takes place on that day."))
    rooms = list(brk.rooms.all())
    local_start = brk.starts_at.astimezone(congress.tz)
    local_end = brk.ends_at.astimezone(congress.tz)
    spill = local_end.date() - local_start.date()
    copies = []
    with transaction.atomic():
        _lock_congress(congress)
        conflicts: list[Conflict] = []
        for day in days:
            copy = Break(
                congress=congress,
                code=_unique_code(Break, congress),
                title=brk.title,
                kind=brk.kind,
                all_rooms=brk.all_rooms,
                starts_at=_same_wall_clock(brk.starts_at, day, congress),
                ends_at=_same_wall_clock(brk.ends_at, day + spill, congress),
            )
            conflicts.extend(break_conflicts_of(copy, rooms=None if brk.all_rooms else rooms))
            copies.append(copy)
        if conflicts:
            raise ScheduleConflict(conflicts)
        for copy in copies:
            copy.save()
            copy.rooms.set(rooms if not brk.all_rooms else [])
        audit.record(
            action="convene.agenda.break_copied",
            congress=congress,
            actor=by,
            target=brk,
            data={
                "code": brk.code,
                "days": [d.isoformat() for d in days],
                "copies": [c.code for c in copies],
            },
        )
    return copies
