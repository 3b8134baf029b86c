"""The scheduling rules, in one place: the admin, the API, the organiser pages and publishing all
ask ``check_session`` (one session before it is saved) or ``congress_conflicts`` (all of them).

Errors refuse a change; warnings are shown but let it through. Every message names the other
party: the room, the other session, the speaker.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from events_site.congresses.models import Congress, Room

from ..enums import SIGN_UP_FORMATS, ConflictKind, SessionStatus, Severity
from ..models import Session, SessionSpeaker, Speaker
from ..wallclock import AMBIGUOUS, NONEXISTENT, repeats, time_label, wall_clock_kind


@dataclass(frozen=True)
class Conflict:
    kind: str
    severity: str
    message: str
    session_code: str = ""
    other: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def _local(moment: dt.datetime, congress: Congress) -> str:
    """Congress-local wall-clock text, with CEST / CET when that reading happens twice."""
    return time_label(moment, congress.tz, "D j M, H:i")


def wall_clock_conflict(
    naive: dt.datetime, congress: Congress, *, fold: int | None
) -> Conflict | None:
    """A wall-clock time an organiser typed (in the congress's zone) that cannot be read as one
    moment: it never happens (clocks go forward over it), or it happens twice (clocks go back)
    and ``fold`` does not say which of the two is meant (0 the first, 1 the second)."""
    kind = wall_clock_kind(naive, congress.tz)
    when = formats.date_format(naive, "D j M Y, H:i")
    if kind == NONEXISTENT:
        return Conflict(
            ConflictKind.NONEXISTENT_TIME,
            Severity.ERROR,
            _("%(time)s does not exist in %(zone)s: the clocks go forward over it that night.")
            % {"time": when, "zone": congress.time_zone},
        )
    if kind == AMBIGUOUS and fold is None:
        return Conflict(
            ConflictKind.REPEATED_TIME,
            Severity.ERROR,
            _(
                "%(time)s happens twice in %(zone)s (the clocks go back that night): say "
                "whether you mean the first (%(first)s) or the second (%(second)s)."
            )
            % {
                "time": when,
                "zone": congress.time_zone,
                "first": naive.replace(tzinfo=congress.tz, fold=0).tzname(),
                "second": naive.replace(tzinfo=congress.tz, fold=1).tzname(),
            },
        )
    return None


def _repeated_times(session: Session, congress: Congress) -> list[Conflict]:
    """A warning for a start or end whose wall-clock reading happens twice that day."""
    found = []
    for moment, message in (
        (
            session.starts_at,
            _(
                "%(session)s starts at %(time)s, in the hour that happens twice when the clocks "
                "go back: check it is the one you mean."
            ),
        ),
        (
            session.ends_at,
            _(
                "%(session)s ends at %(time)s, in the hour that happens twice when the clocks "
                "go back: check it is the one you mean."
            ),
        ),
    ):
        if repeats(moment, congress.tz):
            found.append(
                Conflict(
                    ConflictKind.REPEATED_TIME,
                    Severity.WARNING,
                    message % {"session": _label(session), "time": _local(moment, congress)},
                    session.code,
                )
            )
    return found


def _label(session: Session) -> str:
    return f"{session.code} “{session.title}”" if session.code else f"“{session.title}”"


def intrinsic_conflicts(session: Session, congress: Congress, room: Room | None) -> list[Conflict]:
    """Rules that need only the session, its room and the congress."""
    found: list[Conflict] = []
    code = session.code
    start, end = session.starts_at, session.ends_at
    if start is None or end is None:
        return found
    if end <= start:
        found.append(
            Conflict(
                ConflictKind.END_BEFORE_START,
                Severity.ERROR,
                _("%(session)s ends (%(end)s) before it starts (%(start)s).")
                % {
                    "session": _label(session),
                    "end": _local(end, congress),
                    "start": _local(start, congress),
                },
                code,
            )
        )
        return found
    found.extend(_repeated_times(session, congress))
    if start < congress.starts_at or end > congress.ends_at:
        found.append(
            Conflict(
                ConflictKind.OUTSIDE_CONGRESS,
                Severity.ERROR,
                _("%(session)s is outside the congress dates (%(first)s to %(last)s).")
                % {
                    "session": _label(session),
                    "first": formats.date_format(congress.start_date, "j M Y"),
                    "last": formats.date_format(congress.end_date, "j M Y"),
                },
                code,
                congress.slug,
            )
        )
    if room is not None:
        local_start, local_end = start.astimezone(congress.tz), end.astimezone(congress.tz)
        opens, closes = room.opens_at, room.closes_at
        crosses_midnight = local_end.date() != local_start.date() and local_end.time() != dt.time(0)
        too_early = opens is not None and local_start.time() < opens
        too_late = closes is not None and (
            crosses_midnight
            or local_end.time() > closes
            or (local_end.time() == dt.time(0) and closes != dt.time(0))
        )
        if too_early or too_late:
            found.append(
                Conflict(
                    ConflictKind.OUTSIDE_ROOM_HOURS,
                    Severity.ERROR,
                    _("%(session)s is outside the hours of room %(room)s (%(opens)s–%(closes)s).")
                    % {
                        "session": _label(session),
                        "room": room.name,
                        "opens": opens.strftime("%H:%M") if opens else "00:00",
                        "closes": closes.strftime("%H:%M") if closes else "24:00",
                    },
                    code,
                    room.name,
                )
            )
        attendance = session.expected_attendance or session.capacity
        if attendance and attendance > room.capacity:
            found.append(
                Conflict(
                    ConflictKind.ROOM_TOO_SMALL,
                    Severity.WARNING,
                    _("Room %(room)s seats %(seats)s but %(session)s expects %(expected)s people.")
                    % {
                        "room": room.name,
                        "seats": room.capacity,
                        "session": _label(session),
                        "expected": attendance,
                    },
                    code,
                    room.name,
                )
            )
    if session.format in SIGN_UP_FORMATS and not session.capacity:
        found.append(
            Conflict(
                ConflictKind.NO_CAPACITY,
                Severity.WARNING,
                _("%(session)s is a sign-up format but has no capacity: nobody can sign up.")
                % {"session": _label(session)},
                code,
            )
        )
    return found


def _room_clash(session: Session, other: Session, room: Room, congress: Congress) -> Conflict:
    return Conflict(
        ConflictKind.ROOM_DOUBLE_BOOKED,
        Severity.ERROR,
        _("Room %(room)s is double-booked: %(session)s overlaps %(other)s (%(start)s–%(end)s).")
        % {
            "room": room.name,
            "session": _label(session),
            "other": _label(other),
            "start": _local(other.starts_at, congress),
            "end": time_label(other.ends_at, congress.tz),
        },
        session.code,
        other.code,
    )


def _speaker_clash(session: Session, other: Session, speaker: Speaker, congress) -> Conflict:
    return Conflict(
        ConflictKind.SPEAKER_DOUBLE_BOOKED,
        Severity.ERROR,
        _("%(speaker)s would be in two places at once: %(session)s and %(other)s (%(start)s).")
        % {
            "speaker": speaker.name,
            "session": _label(session),
            "other": _label(other),
            "start": _local(other.starts_at, congress),
        },
        session.code,
        other.code,
    )


def check_session(session: Session, *, speaker_ids: Iterable[int] | None = None) -> list[Conflict]:
    """Every conflict of ``session`` (saved or not) against the rest of its congress's draft.

    ``speaker_ids`` are the speakers it will have (default: those it has now). Cancelled
    sessions occupy neither rooms nor speakers.
    """
    congress = session.congress
    room = session.room if session.room_id else None
    found = intrinsic_conflicts(session, congress, room)
    if session.status == SessionStatus.CANCELLED or any(
        c.kind == ConflictKind.END_BEFORE_START for c in found
    ):
        return found
    overlapping = (
        Session.objects.filter(
            congress=congress, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
        )
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk=session.pk)
    )
    if room is not None:
        for other in overlapping.filter(room=room).order_by("starts_at"):
            found.append(_room_clash(session, other, room, congress))
    if speaker_ids is None:
        speaker_ids = list(session.roles.values_list("speaker_id", flat=True)) if session.pk else []
    speaker_ids = list(speaker_ids)
    if speaker_ids:
        clashes = (
            SessionSpeaker.objects.filter(speaker_id__in=speaker_ids, session__in=overlapping)
            .select_related("speaker", "session")
            .order_by("session__starts_at", "speaker__name")
        )
        for role in clashes:
            found.append(_speaker_clash(session, role.session, role.speaker, congress))
    return found


def _sweep(items: list[Session]) -> Iterable[tuple[Session, Session]]:
    """Pairs of overlapping sessions among ``items`` (sorted by start inside)."""
    ordered = sorted(items, key=lambda s: (s.starts_at, s.ends_at, s.code))
    active: list[Session] = []
    for current in ordered:
        active = [a for a in active if a.ends_at > current.starts_at]
        for earlier in active:
            yield earlier, current
        active.append(current)


def congress_conflicts(
    congress: Congress, *, statuses: Iterable[str] | None = None
) -> list[Conflict]:
    """Every conflict in the congress's draft (two queries, a sweep per room and speaker)."""
    statuses = list(statuses or [SessionStatus.DRAFT, SessionStatus.CONFIRMED])
    sessions = list(
        Session.objects.filter(congress=congress, status__in=statuses)
        .select_related("room")
        .order_by("starts_at", "code")
    )
    by_pk = {s.pk: s for s in sessions}
    found: list[Conflict] = []
    by_room: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        session.congress = congress
        found.extend(intrinsic_conflicts(session, congress, session.room))
        if session.room_id and session.ends_at > session.starts_at:
            by_room[session.room_id].append(session)
    for items in by_room.values():
        for earlier, later in _sweep(items):
            found.append(_room_clash(later, earlier, later.room, congress))
    by_speaker: dict[int, list[Session]] = defaultdict(list)
    speakers: dict[int, Speaker] = {}
    roles = SessionSpeaker.objects.filter(session_id__in=by_pk).select_related("speaker")
    for role in roles:
        session = by_pk[role.session_id]
        if session.ends_at > session.starts_at:
            by_speaker[role.speaker_id].append(session)
            speakers[role.speaker_id] = role.speaker
    for speaker_id, items in by_speaker.items():
        for earlier, later in _sweep(items):
            found.append(_speaker_clash(later, earlier, speakers[speaker_id], congress))
    found.sort(key=lambda c: (c.severity != Severity.ERROR, c.session_code, c.kind))
    return found


def room_change_warnings(room: Room) -> list[str]:
    """What a changed room (size, hours) now clashes with in the agenda, as messages for the
    organiser who changed it: reported, not refused (``ROOM_CHANGE_WARNINGS`` in settings, the
    core's room pages call it)."""
    congress = room.venue.congress
    return [c.message for c in congress_conflicts(congress) if c.other == room.name]
