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

from django.db.models import Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from events_site.congresses.models import Congress, Room

from ..enums import SIGN_UP_FORMATS, ConflictKind, SessionStatus, Severity
from ..models import (
    Break,
    Contribution,
    Session,
    SessionSpeaker,
    Speaker,
    SpeakerUnavailability,
)
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


# A speaker with less than this between two sessions in different buildings is warned about.
BACK_TO_BACK = dt.timedelta(minutes=15)

ContributionSpeaker = Contribution.speakers.through


def contribution_speaker_ids(session: Session) -> set[int]:
    """The speakers of the contributions inside a saved session: booked for its whole time."""
    if not session.pk:
        return set()
    return set(
        ContributionSpeaker.objects.filter(contribution__session_id=session.pk).values_list(
            "speaker_id", flat=True
        )
    )


def bookings(speaker_ids: Iterable[int], sessions) -> list[tuple[Speaker, Session]]:
    """Who of ``speaker_ids`` is booked in which of ``sessions`` (a queryset), as a speaker of
    the session or of a contribution inside it, each pair once (two queries)."""
    speaker_ids = list(speaker_ids)
    if not speaker_ids:
        return []
    found: dict[tuple[int, int], tuple[Speaker, Session]] = {}
    roles = SessionSpeaker.objects.filter(
        speaker_id__in=speaker_ids, session__in=sessions
    ).select_related("speaker", "session__room")
    for role in roles:
        found.setdefault((role.speaker_id, role.session_id), (role.speaker, role.session))
    inside = ContributionSpeaker.objects.filter(
        speaker_id__in=speaker_ids, contribution__session__in=sessions
    ).select_related("speaker", "contribution__session__room")
    for row in inside:
        session = row.contribution.session
        found.setdefault((row.speaker_id, session.pk), (row.speaker, session))
    return sorted(found.values(), key=lambda pair: (pair[1].starts_at, pair[0].name, pair[1].code))


def _unavailable(session: Session, block: SpeakerUnavailability, congress) -> Conflict:
    return Conflict(
        ConflictKind.SPEAKER_UNAVAILABLE,
        Severity.ERROR,
        _("%(speaker)s cannot speak from %(start)s to %(end)s%(note)s: %(session)s overlaps it.")
        % {
            "speaker": block.speaker.name,
            "start": _local(block.starts_at, congress),
            "end": time_label(block.ends_at, congress.tz),
            "note": f" ({block.note})" if block.note else "",
            "session": _label(session),
        },
        session.code,
        block.speaker.name,
    )


def _neighbour_conflicts(
    session: Session, congress: Congress, room: Room | None, speaker_ids: list[int]
) -> list[Conflict]:
    """Warnings about what is next to the session: the same track at the same time, and a
    speaker who must cross to another building with almost no time between two sessions."""
    found: list[Conflict] = []
    live = Session.objects.filter(congress=congress, unscheduled=False).exclude(
        status=SessionStatus.CANCELLED
    )
    if session.pk:
        live = live.exclude(pk=session.pk)
    if session.track_id:
        same_track = live.filter(
            track_id=session.track_id,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        ).order_by("starts_at", "code")
        for other in same_track:
            found.append(_track_clash(session, other))
    if room is not None and room.building and speaker_ids:
        near = bookings(
            speaker_ids,
            live.filter(
                starts_at__lt=session.ends_at + BACK_TO_BACK,
                ends_at__gt=session.starts_at - BACK_TO_BACK,
            )
            .exclude(starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)
            .exclude(room__building="")
            .exclude(room__building=room.building)
            .exclude(room__isnull=True),
        )
        for speaker, other in near:
            found.append(_buildings(speaker, session, room, other, other.room))
    return found


def _track_clash(session: Session, other: Session) -> Conflict:
    return Conflict(
        ConflictKind.TRACK_CLASH,
        Severity.WARNING,
        _("Track %(track)s clashes with itself: %(session)s overlaps %(other)s.")
        % {"track": session.track.name, "session": _label(session), "other": _label(other)},
        session.code,
        other.code,
    )


def _buildings(speaker: Speaker, one: Session, here: Room, other: Session, there: Room):
    return Conflict(
        ConflictKind.SPEAKER_BUILDINGS,
        Severity.WARNING,
        _(
            "%(speaker)s goes straight from %(one)s in %(here)s to %(other)s in "
            "%(there)s, with under %(minutes)s minutes between."
        )
        % {
            "speaker": speaker.name,
            "one": _label(one),
            "here": here.building,
            "other": _label(other),
            "there": there.building,
            "minutes": int(BACK_TO_BACK.total_seconds() // 60),
        },
        one.code,
        other.code,
    )


def _break_clash(session: Session, brk: Break, room: Room, congress: Congress) -> Conflict:
    return Conflict(
        ConflictKind.BREAK_IN_ROOM,
        Severity.ERROR,
        _("Room %(room)s has the break “%(break)s” (%(start)s–%(end)s) during %(session)s.")
        % {
            "room": room.name,
            "break": brk.title,
            "start": _local(brk.starts_at, congress),
            "end": time_label(brk.ends_at, congress.tz),
            "session": _label(session),
        },
        session.code,
        brk.code,
    )


def breaks_in_room(
    congress: Congress, room: Room, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[Break]:
    """The breaks that occupy ``room`` at some moment between ``starts_at`` and ``ends_at``
    (breaks of all rooms and those naming it), in one query."""
    return list(
        Break.objects.filter(congress=congress, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .filter(Q(all_rooms=True) | Q(rooms=room))
        .distinct()
        .order_by("starts_at", "code")
    )


def break_conflicts(
    congress: Congress, room: Room | None, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[Conflict]:
    """Whether a session may stand in ``room`` from ``starts_at`` to ``ends_at`` as far as
    breaks go: one error per break in the way (the editor asks this while a session is dragged,
    ``check_session`` on every save). A session without a room is never over a break."""
    if room is None or ends_at <= starts_at:
        return []
    probe = Session(congress=congress, title="", starts_at=starts_at, ends_at=ends_at)
    return [
        _break_clash(probe, brk, room, congress)
        for brk in breaks_in_room(congress, room, starts_at, ends_at)
    ]


def _contributions_too_long(session: Session, minutes: int) -> Conflict:
    return Conflict(
        ConflictKind.CONTRIBUTIONS_TOO_LONG,
        Severity.ERROR,
        _(
            "The contributions of %(session)s last %(minutes)s minutes, longer than the "
            "session (%(length)s minutes)."
        )
        % {
            "session": _label(session),
            "minutes": minutes,
            "length": int((session.ends_at - session.starts_at).total_seconds() // 60),
        },
        session.code,
    )


def contribution_minutes(session: Session) -> int:
    """How long the contributions of a saved session last together (0 without any)."""
    if not session.pk:
        return 0
    return session.contributions.aggregate(total=Sum("minutes"))["total"] or 0


def check_session(session: Session, *, speaker_ids: Iterable[int] | None = None) -> list[Conflict]:
    """Every conflict of ``session`` (saved or not) against the rest of its congress's draft.

    ``speaker_ids`` are the speakers it will have (default: those it has now). Cancelled
    sessions occupy neither rooms nor speakers.
    """
    if session.unscheduled:  # in the editor's queue: it takes nobody's time
        return []
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
        .exclude(unscheduled=True)
        .exclude(pk=session.pk)
    )
    if room is not None:
        for other in overlapping.filter(room=room).order_by("starts_at"):
            found.append(_room_clash(session, other, room, congress))
        for brk in breaks_in_room(congress, room, session.starts_at, session.ends_at):
            found.append(_break_clash(session, brk, room, congress))
    minutes = contribution_minutes(session)
    if minutes * 60 > (session.ends_at - session.starts_at).total_seconds():
        found.append(_contributions_too_long(session, minutes))
    if speaker_ids is None:
        speaker_ids = list(session.roles.values_list("speaker_id", flat=True)) if session.pk else []
    # the speakers of its contributions are booked for the whole session too
    speaker_ids = sorted(set(speaker_ids) | contribution_speaker_ids(session))
    found.extend(speaker_conflicts(session, speaker_ids, overlapping=overlapping))
    found.extend(_neighbour_conflicts(session, congress, room, speaker_ids))
    return found


def speaker_conflicts(
    session: Session, speaker_ids: Iterable[int], *, overlapping=None
) -> list[Conflict]:
    """``speaker_ids`` booked elsewhere during ``session`` (as speakers of another session or
    of a contribution inside one) or unavailable then: the errors ``check_session`` reports for
    them, and what ``blocks`` asks before giving a contribution its speakers."""
    speaker_ids = list(speaker_ids)
    if not speaker_ids or session.unscheduled or session.status == SessionStatus.CANCELLED:
        return []
    congress = session.congress
    if overlapping is None:
        overlapping = (
            Session.objects.filter(
                congress=congress, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
            )
            .exclude(status=SessionStatus.CANCELLED)
            .exclude(unscheduled=True)
            .exclude(pk=session.pk)
        )
    found = [
        _speaker_clash(session, other, speaker, congress)
        for speaker, other in bookings(speaker_ids, overlapping)
    ]
    blocks = (
        SpeakerUnavailability.objects.filter(
            speaker_id__in=speaker_ids,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        )
        .select_related("speaker")
        .order_by("starts_at", "speaker__name")
    )
    found.extend(_unavailable(session, block, congress) for block in blocks)
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
    congress: Congress,
    *,
    statuses: Iterable[str] | None = None,
    between: tuple[dt.datetime, dt.datetime] | None = None,
) -> list[Conflict]:
    """Every conflict in the congress's draft (a fixed number of queries, a sweep per room, track
    and speaker; a contribution's speakers are booked for its whole block);
    ``between`` keeps to the sessions that overlap that span (one day of the editor)."""
    statuses = list(statuses or [SessionStatus.DRAFT, SessionStatus.CONFIRMED])
    sessions = Session.objects.filter(congress=congress, status__in=statuses, unscheduled=False)
    if between is not None:
        sessions = sessions.filter(starts_at__lt=between[1], ends_at__gt=between[0])
    sessions = list(sessions.select_related("room", "track").order_by("starts_at", "code"))
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
    found.extend(_breaks_over_sessions(congress, by_room))
    found.extend(_overlong_blocks(by_pk))
    found.extend(_track_clashes(sessions))
    by_speaker: dict[int, list[Session]] = defaultdict(list)
    speakers: dict[int, Speaker] = {}
    roles = SessionSpeaker.objects.filter(session_id__in=by_pk).select_related("speaker")
    inside = ContributionSpeaker.objects.filter(contribution__session_id__in=by_pk).select_related(
        "speaker", "contribution"
    )
    booked = set()
    for role in roles:
        speakers[role.speaker_id] = role.speaker
        booked.add((role.speaker_id, role.session_id))
    for row in inside:
        speakers[row.speaker_id] = row.speaker
        booked.add((row.speaker_id, row.contribution.session_id))
    for speaker_id, session_id in sorted(booked):
        session = by_pk[session_id]
        if session.ends_at > session.starts_at:
            by_speaker[speaker_id].append(session)
    for speaker_id, items in by_speaker.items():
        for earlier, later in _sweep(items):
            found.append(_speaker_clash(later, earlier, speakers[speaker_id], congress))
        found.extend(_back_to_back(speakers[speaker_id], items))
    blocks = SpeakerUnavailability.objects.filter(speaker_id__in=by_speaker).select_related(
        "speaker"
    )
    for block in blocks:
        for session in by_speaker[block.speaker_id]:
            if session.starts_at < block.ends_at and session.ends_at > block.starts_at:
                found.append(_unavailable(session, block, congress))
    found.sort(key=lambda c: (c.severity != Severity.ERROR, c.session_code, c.kind))
    return found


def _track_clashes(sessions: list[Session]) -> list[Conflict]:
    """A track overlapping itself, once per pair (on the later session, as ``check_session``
    reports it for the session that was moved there)."""
    by_track: dict[int, list[Session]] = defaultdict(list)
    for session in sessions:
        if session.track_id and session.ends_at > session.starts_at:
            by_track[session.track_id].append(session)
    return [
        _track_clash(later, earlier)
        for items in by_track.values()
        for earlier, later in _sweep(items)
    ]


def _back_to_back(speaker: Speaker, items: list[Session]) -> list[Conflict]:
    """One speaker's sessions in two buildings with under ``BACK_TO_BACK`` between them."""
    found = []
    ordered = sorted(
        (s for s in items if s.room_id and s.room.building),
        key=lambda s: (s.starts_at, s.ends_at, s.code),
    )
    for n, earlier in enumerate(ordered):
        for later in ordered[n + 1 :]:
            if later.starts_at >= earlier.ends_at + BACK_TO_BACK:
                break
            if later.starts_at >= earlier.ends_at and later.room.building != earlier.room.building:
                # told from each side, in the words check_session uses for a session moved there
                found.append(_buildings(speaker, earlier, earlier.room, later, later.room))
                found.append(_buildings(speaker, later, later.room, earlier, earlier.room))
    return found


def _breaks_over_sessions(congress: Congress, by_room: dict[int, list[Session]]) -> list[Conflict]:
    """Every session standing over a break of its room (two queries: breaks, their rooms)."""
    breaks = list(Break.objects.filter(congress=congress).prefetch_related("rooms"))
    found = []
    for brk in breaks:
        room_ids = by_room.keys() if brk.all_rooms else {r.pk for r in brk.rooms.all()}
        for room_id in room_ids:
            for session in by_room.get(room_id, ()):
                if session.starts_at < brk.ends_at and brk.starts_at < session.ends_at:
                    found.append(_break_clash(session, brk, session.room, congress))
    return found


def _overlong_blocks(by_pk: dict[int, Session]) -> list[Conflict]:
    """Blocks whose contributions no longer fit in them (one query)."""
    totals = (
        Contribution.objects.filter(session_id__in=by_pk)
        .values("session_id")
        .annotate(total=Sum("minutes"))
    )
    found = []
    for row in totals:
        session = by_pk[row["session_id"]]
        if row["total"] * 60 > (session.ends_at - session.starts_at).total_seconds():
            found.append(_contributions_too_long(session, row["total"]))
    return found


def room_change_warnings(room: Room) -> list[str]:
    """What a changed room (size, hours) now clashes with in the agenda, as messages for the
    organiser who changed it: reported, not refused (``ROOM_CHANGE_WARNINGS`` in settings, the
    core's room pages call it)."""
    congress = room.venue.congress
    return [c.message for c in congress_conflicts(congress) if c.other == room.name]
