"""The timetable editor's day: rooms as columns in their order, wall-clock rows at the congress's
slot size, the draft sessions placed on them, and the queue of sessions waiting for a place.

Rows are wall-clock readings in the congress's zone (what an organiser types and sees), so on
the night the clocks change a row may be a time that never happens or happens twice: it is
marked, and a drop there is refused by the scheduling rules with that reason. Every query
here is fixed in number, whatever the size of the programme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from events_site.congresses.models import Congress, Room

from .enums import ConflictKind, SessionFormat, SessionStatus
from .models import Break, Contribution, Session, SessionSpeaker, SpeakerUnavailability, Track
from .services.editor import session_version
from .services.scheduling import congress_conflicts
from .wallclock import AMBIGUOUS, NONEXISTENT, wall_clock_kind

DEFAULT_OPENS, DEFAULT_CLOSES = dt.time(8), dt.time(20)
QUEUE_SHOWN = 200
MAX_QUERY = 200


@dataclass
class Row:
    index: int  # CSS grid row (the header is row 1)
    naive: dt.datetime
    kind: str | None  # AMBIGUOUS / NONEXISTENT on the night the clocks change

    @property
    def value(self) -> str:
        return self.naive.strftime("%Y-%m-%dT%H:%M")

    @property
    def label(self) -> str:
        return self.naive.strftime("%H:%M")

    @property
    def is_hour(self) -> bool:
        return self.naive.minute == 0


@dataclass
class Card:
    session: Session
    version: str
    minutes: int
    local_start: dt.datetime
    local_end: dt.datetime
    speakers: list = field(default_factory=list)
    column: int = 0
    row_start: int = 0
    row_end: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def start_value(self) -> str:
        return self.local_start.strftime("%Y-%m-%dT%H:%M")

    @property
    def when(self) -> str:
        """Plain strftime (formatting filters cost half a millisecond a card on this page)."""
        return f"{self.local_start:%H:%M}–{self.local_end:%H:%M}"

    @property
    def speaker_codes(self) -> str:
        return " ".join(s.code for s in self.speakers)

    @property
    def speaker_names(self) -> str:
        return ", ".join(s.name for s in self.speakers if s.name)

    @property
    def notes_text(self) -> str:
        """Every error and warning in one line, for the card's tooltip when it is too short."""
        return " ".join([*self.errors, *self.warnings])


@dataclass
class BreakBand:
    """A break drawn over a run of neighbouring rooms' columns (a break of rooms 1, 2 and 4 is
    two bands)."""

    brk: Break
    column_start: int
    column_end: int
    row_start: int
    row_end: int
    room_names: str
    local_start: dt.datetime
    local_end: dt.datetime

    @property
    def when(self) -> str:
        return f"{self.local_start:%H:%M}–{self.local_end:%H:%M}"


# Conflicts between two sessions: shown on both cards of the editor.
PAIRED = frozenset(
    {
        ConflictKind.ROOM_DOUBLE_BOOKED,
        ConflictKind.SPEAKER_DOUBLE_BOOKED,
        ConflictKind.TRACK_CLASH,
    }
)


@dataclass
class QueueFilters:
    track: str = ""
    format: str = ""
    query: str = ""


@dataclass
class EditorDay:
    congress: Congress
    day: dt.date
    slot: int
    rooms: list[Room]
    rows: list[Row]
    cards: list[Card]
    queue: list[Card]
    queue_total: int
    tracks: list[Track]
    unavailable: list[dict]
    zone_names: list[str]
    breaks: list[BreakBand] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        return len(self.rows) + 1


def parse_queue_filters(params, tracks: list[Track]) -> QueueFilters:
    """Only known tracks and formats are kept; the text is trimmed and cut, never an error."""

    def one(name: str) -> str:
        value = params.get(name, "")
        return value.replace("\x00", "").strip()[:MAX_QUERY] if isinstance(value, str) else ""

    filters = QueueFilters(query=one("q"))
    if one("track") in {t.slug for t in tracks}:
        filters.track = one("track")
    if one("format") in SessionFormat.values:
        filters.format = one("format")
    return filters


def _local_naive(moment: dt.datetime, congress: Congress) -> dt.datetime:
    return moment.astimezone(congress.tz).replace(tzinfo=None)


def _card(session: Session, congress: Congress) -> Card:
    speakers = [role.speaker for role in session.roles.all()]
    minutes = max(1, int((session.ends_at - session.starts_at).total_seconds() // 60))
    return Card(
        session=session,
        version=session_version(session),
        minutes=minutes,
        local_start=session.starts_at.astimezone(congress.tz),
        local_end=session.ends_at.astimezone(congress.tz),
        speakers=speakers,
    )


def _with_speakers(queryset):
    return queryset.select_related("track").prefetch_related(
        Prefetch("roles", queryset=SessionSpeaker.objects.select_related("speaker"))
    )


def _window(day: dt.date, rooms: list[Room], cards: list[Card], congress, slot: int):
    opens = min((r.opens_at for r in rooms if r.opens_at), default=DEFAULT_OPENS)
    closes_all = [r.closes_at for r in rooms if r.closes_at]
    closes = max(closes_all) if closes_all and len(closes_all) == len(rooms) else DEFAULT_CLOSES
    first = dt.datetime.combine(day, opens)
    last = dt.datetime.combine(day, closes) if closes != dt.time(0) else first
    if last <= first:
        last = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0))
    for card in cards:
        start, end = (
            _local_naive(card.session.starts_at, congress),
            _local_naive(card.session.ends_at, congress),
        )
        first, last = min(first, start), max(last, end)
    midnight = dt.datetime.combine(day, dt.time(0))
    first = midnight + dt.timedelta(minutes=(first - midnight).seconds // 60 // slot * slot)
    end_of_day = midnight + dt.timedelta(days=1)
    last = min(last, end_of_day)
    return first, last


def _runs(columns: list[int]) -> list[tuple[int, int]]:
    """Runs of neighbouring columns: [2, 3, 5] -> [(2, 4), (5, 6)] (CSS start / end lines)."""
    runs: list[tuple[int, int]] = []
    for col in sorted(columns):
        if runs and runs[-1][1] == col:
            runs[-1] = (runs[-1][0], col + 1)
        else:
            runs.append((col, col + 1))
    return runs


def _break_bands(congress, rooms, column, day_start, day_end, first, rows, slot):
    """The day's breaks as bands over their rooms' columns (two queries: breaks, their rooms)."""
    bands = []
    breaks = Break.objects.filter(
        congress=congress, starts_at__lt=day_end, ends_at__gt=day_start
    ).prefetch_related("rooms")
    for brk in breaks:
        chosen = rooms if brk.all_rooms else [r for r in brk.rooms.all() if r.pk in column]
        if not chosen:
            continue
        start = max(_local_naive(brk.starts_at, congress), first)
        end = _local_naive(brk.ends_at, congress)
        if end <= first:
            continue
        row_start = int((start - first).total_seconds() // 60) // slot + 2
        row_end = min(
            max(row_start + 1, -(-int((end - first).total_seconds() // 60) // slot) + 2),
            len(rows) + 2,
        )
        if row_start >= len(rows) + 2:
            continue
        names = ", ".join(r.name for r in chosen)
        for column_start, column_end in _runs([column[r.pk] for r in chosen]):
            bands.append(
                BreakBand(
                    brk=brk,
                    column_start=column_start,
                    column_end=column_end,
                    row_start=row_start,
                    row_end=row_end,
                    room_names=names,
                    local_start=brk.starts_at.astimezone(congress.tz),
                    local_end=brk.ends_at.astimezone(congress.tz),
                )
            )
    return bands


def _contribution_speakers(cards: list[Card]) -> None:
    """Add the speakers of each card's contributions (booked for the whole block) to the card's
    speakers, for the shading of their unavailable times (one query)."""
    by_pk = {c.session.pk: c for c in cards}
    if not by_pk:
        return
    rows = Contribution.speakers.through.objects.filter(
        contribution__session_id__in=by_pk
    ).values_list("contribution__session_id", "speaker__pk", "speaker__code")
    for session_id, speaker_pk, code in rows:
        card = by_pk[session_id]
        if speaker_pk not in {sp.pk for sp in card.speakers}:
            card.speakers.append(_SpeakerRef(speaker_pk, code))


@dataclass(frozen=True)
class _SpeakerRef:
    """A contribution's speaker on a card: known by code for shading, not named on it."""

    pk: int
    code: str
    name: str = ""


def editor_day(congress: Congress, day: dt.date, filters: QueueFilters) -> EditorDay:
    tz = congress.tz
    slot = congress.timetable_slot_minutes or 15
    rooms = list(
        Room.objects.filter(venue__congress=congress)
        .select_related("venue")
        .order_by("position", "name", "pk")
    )
    tracks = list(Track.objects.filter(congress=congress))
    day_start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    placed = _with_speakers(
        Session.objects.filter(
            congress=congress,
            unscheduled=False,
            room__isnull=False,
            starts_at__gte=day_start,
            starts_at__lt=day_end,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "code")
    )
    cards = [_card(s, congress) for s in placed]
    first, last = _window(day, rooms, cards, congress, slot)
    rows = []
    moment, n = first, 0
    while moment < last:
        kind = wall_clock_kind(moment, tz)
        rows.append(Row(n + 2, moment, kind if kind in (AMBIGUOUS, NONEXISTENT) else None))
        moment += dt.timedelta(minutes=slot)
        n += 1
    column = {room.pk: n + 2 for n, room in enumerate(rooms)}
    for card in cards:
        start = _local_naive(card.session.starts_at, congress)
        card.column = column[card.session.room_id]
        card.row_start = int((start - first).total_seconds() // 60) // slot + 2
        card.row_end = max(card.row_start + 1, card.row_start + -(-card.minutes // slot))
        card.row_end = min(card.row_end, len(rows) + 2)
    queue_qs = Session.objects.filter(congress=congress).exclude(status=SessionStatus.CANCELLED)
    queue_qs = queue_qs.filter(Q(unscheduled=True) | Q(room__isnull=True))
    if filters.track:
        queue_qs = queue_qs.filter(track__slug=filters.track)
    if filters.format:
        queue_qs = queue_qs.filter(format=filters.format)
    if filters.query:
        queue_qs = queue_qs.filter(
            Q(title__icontains=filters.query)
            | Q(code__iexact=filters.query)
            | Q(roles__speaker__name__icontains=filters.query)
        ).distinct()
    queue_qs = queue_qs.order_by("title", "code")
    queue = [_card(s, congress) for s in _with_speakers(queue_qs[: QUEUE_SHOWN + 1])]
    total = len(queue) if len(queue) <= QUEUE_SHOWN else queue_qs.count()
    queue = queue[:QUEUE_SHOWN]
    by_code: dict[str, Card] = {c.session.code: c for c in cards}
    for conflict in congress_conflicts(congress, between=(day_start, day_end)):
        codes = [conflict.session_code]
        if conflict.kind in PAIRED and conflict.other != conflict.session_code:
            codes.append(conflict.other)
        for code in codes:
            card = by_code.get(code)
            if card is not None:
                notes = card.errors if conflict.is_error else card.warnings
                notes.append(str(conflict.message))
    _contribution_speakers([*cards, *queue])
    speaker_ids = {sp.pk for c in [*cards, *queue] for sp in c.speakers}
    unavailable = [
        {
            "speaker": block.speaker.code,
            "start": _local_naive(block.starts_at, congress).strftime("%Y-%m-%dT%H:%M"),
            "end": _local_naive(block.ends_at, congress).strftime("%Y-%m-%dT%H:%M"),
        }
        for block in SpeakerUnavailability.objects.filter(
            speaker_id__in=speaker_ids, starts_at__lt=day_end, ends_at__gt=day_start
        ).select_related("speaker")
    ]
    zone_names = sorted({day_start.tzname(), (day_end - dt.timedelta(seconds=1)).tzname()})
    return EditorDay(
        congress=congress,
        day=day,
        slot=slot,
        rooms=rooms,
        rows=rows,
        cards=cards,
        queue=queue,
        queue_total=total,
        tracks=tracks,
        unavailable=unavailable,
        zone_names=zone_names,
        breaks=_break_bands(congress, rooms, column, day_start, day_end, first, rows, slot),
    )


def card_json(card: Card) -> dict:
    """What the editor's script knows of a session (the JSON answers and the changes feed)."""
    s = card.session
    return {
        "code": s.code,
        "title": s.title,
        "version": card.version,
        "room": s.room_id,
        "queued": bool(s.unscheduled or not s.room_id),
        "status": s.status,
        "start": card.local_start.strftime("%Y-%m-%dT%H:%M"),
        "day": card.local_start.date().isoformat(),
        "minutes": card.minutes,
    }


def session_card(session: Session, congress: Congress) -> Card:
    return _card(session, congress)
