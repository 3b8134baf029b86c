"""Demo programme for ``seed_demo``: tracks, speakers and sessions spread over the congress's
days and rooms without a single conflict, published in a few versions, plus personal agendas.

Idempotent: a congress that already has a published schedule is left as it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random

from django.db import transaction

from events_site.congresses.models import Congress, Room, Venue

from . import services
from .enums import SIGN_UP_FORMATS, BreakKind, SessionFormat, SessionStatus, SpeakerRole
from .errors import DomainError
from .models import Break, FormatSetting, ScheduleVersion, Session, Speaker, Tag, Track
from .services.breaks import create_break
from .services.editor import unschedule_session

TRACKS = [
    ("climate", "Climate and resilience", "#1b7f3b"),
    ("mobility", "Mobility and public space", "#0b5cad"),
    ("housing", "Housing and inclusion", "#a15c00"),
    ("finance", "Local finance", "#6b3fa0"),
    ("digital", "Digital cities", "#00838f"),
    ("culture", "Culture and heritage", "#b3261e"),
]
# Tracks and a few topics in the congress's other languages (the rest stay in English, so the
# programme shows the fallback too); only the congress's own languages are kept.
TRACK_TRANSLATIONS = {
    "climate": {
        "fr": "Climat et résilience",
        "es": "Clima y resiliencia",
        "pt": "Clima e resiliência",
        "ar": "المناخ والقدرة على الصمود",
    },
    "mobility": {
        "fr": "Mobilité et espace public",
        "es": "Movilidad y espacio público",
        "pt": "Mobilidade e espaço público",
        "ar": "التنقل والفضاء العام",
    },
    "housing": {"fr": "Logement et inclusion", "es": "Vivienda e inclusión"},
    "finance": {"fr": "Finances locales", "es": "Finanzas locales"},
    "digital": {"fr": "Villes numériques", "es": "Ciudades digitales"},
    "culture": {"fr": "Culture et patrimoine", "es": "Cultura y patrimonio"},
}
TOPIC_TRANSLATIONS = {
    "Heat plans for dense neighbourhoods": {
        "fr": "Plans canicule pour les quartiers denses",
        "es": "Planes contra el calor para barrios densos",
        "pt": "Planos de calor para bairros densos",
        "ar": "خطط مواجهة الحر في الأحياء الكثيفة",
    },
    "Financing green bonds for mid-sized cities": {
        "fr": "Financer des obligations vertes pour les villes moyennes",
        "es": "Financiar bonos verdes para ciudades medianas",
    },
    "Participatory budgeting at scale": {
        "fr": "Le budget participatif à grande échelle",
        "es": "Presupuestos participativos a gran escala",
    },
}


def _in_languages(texts: dict, congress, field: str, suffix: str = "") -> dict:
    return {
        code: {field: f"{text}{suffix}"}
        for code, text in texts.items()
        if code in (congress.languages or [])
    }


TOPICS = [
    "Heat plans for dense neighbourhoods",
    "Financing green bonds for mid-sized cities",
    "Participatory budgeting at scale",
    "Open data that residents use",
    "Ten-minute cities: what worked",
    "Flood-ready public space",
    "Social housing retrofits",
    "Municipal energy cooperatives",
    "Cross-border river basins",
    "Migrant welcome in small towns",
    "Cultural quarters after the pandemic",
    "Procurement for circular construction",
    "Cycling networks beyond the centre",
    "Water reuse in arid regions",
    "Youth councils with real budgets",
    "AI in the town hall: guardrails",
]
TAGS = [
    ("sdg-11", "SDG 11", "#c2410c"),
    ("sdg-13", "SDG 13", "#3f7e44"),
    ("gender", "gender", ""),
    ("youth", "youth", "#6d28d9"),
    ("small-towns", "small towns", ""),
    ("metropolitan", "metropolitan", ""),
    ("africa", "Africa", ""),
    ("asia", "Asia", ""),
]
# The demo congress's own default durations (the other formats keep the site's).
FORMAT_MINUTES = {SessionFormat.PARALLEL: 75, SessionFormat.WORKSHOP: 90}
FORMAT_WEIGHTS = [
    (SessionFormat.PARALLEL, 50),
    (SessionFormat.WORKSHOP, 15),
    (SessionFormat.PLENARY, 5),
    (SessionFormat.SIDE_EVENT, 10),
    (SessionFormat.SITE_VISIT, 6),
    (SessionFormat.NETWORKING, 8),
    (SessionFormat.BREAK, 6),
]
DURATIONS = [45, 60, 60, 75, 90, 90]
GAP = dt.timedelta(minutes=15)
# Lunch in every room each day (a Break, drawn across the editor's grid); sessions avoid it.
LUNCH = (dt.time(12, 30), dt.time(13, 30))
# Sessions left in the editor's queue for an organiser to place: about one in seven, at most 20.
QUEUE_SHARE, QUEUE_MAX = 7, 20
QUEUE_FORMATS = [SessionFormat.PARALLEL, SessionFormat.PARALLEL, SessionFormat.WORKSHOP]


def _rooms(congress: Congress, needed: int) -> list[Room]:
    rooms = list(Room.objects.filter(venue__congress=congress).select_related("venue"))
    if len(rooms) >= needed:
        return rooms
    venue = Venue.objects.filter(congress=congress).first() or Venue.objects.create(
        congress=congress, name="Congress Centre"
    )
    existing = {r.name for r in rooms}
    n = 1
    while len(rooms) < needed:
        name = f"Hall {n}"
        n += 1
        if name in existing:
            continue
        room, _c = services.save_room(
            congress=congress,
            by=None,
            venue=venue,
            name=name,
            capacity=80 + 40 * (n % 5),
            opens_at=dt.time(8, 0),
            closes_at=dt.time(20, 0),
            position=100 + n,
        )
        rooms.append(room)
    return rooms


def _speakers(congress: Congress, people: list[dict], rng: random.Random) -> list[Speaker]:
    existing = {(s.name, s.organisation): s for s in Speaker.objects.filter(congress=congress)}
    result = list(existing.values())
    for person in people[:300]:
        name = f"{person.get('given_name', '')} {person.get('family_name', '')}".strip()
        org = person.get("organisation_name", "")[:200]
        if not name or (name, org) in existing:
            continue
        try:
            speaker = services.create_speaker(
                congress=congress,
                by=None,
                name=name[:200],
                title=person.get("title", "")[:200],
                organisation=org,
                city=person.get("city", "")[:120],
                country=person.get("country", ""),
                bio=f"{name} works on {rng.choice(TOPICS).lower()} at {org or 'a city'}.",
            )
        except DomainError:
            continue
        existing[(name, org)] = speaker
        result.append(speaker)
    return result


def _lunches(congress: Congress) -> bool:
    """A lunch break in all rooms on every day of the congress (none when it has breaks)."""
    if Break.objects.filter(congress=congress).exists():
        return False
    for day in congress.days:
        create_break(
            congress=congress,
            by=None,
            title="Lunch",
            kind=BreakKind.LUNCH,
            starts_at=dt.datetime.combine(day, LUNCH[0], tzinfo=congress.tz),
            ends_at=dt.datetime.combine(day, LUNCH[1], tzinfo=congress.tz),
            all_rooms=True,
        )
    return True


def _slots(congress: Congress, rooms: list[Room], rng: random.Random, *, lunch: bool = False):
    """Every free (room, start, end) of the congress, packed day by day within room hours (and
    around lunch when ``lunch``)."""
    tz = congress.tz
    for day in congress.days:
        lunch_start = dt.datetime.combine(day, LUNCH[0], tzinfo=tz)
        lunch_end = dt.datetime.combine(day, LUNCH[1], tzinfo=tz)
        for room in rooms:
            opens = room.opens_at or dt.time(8, 30)
            closes = room.closes_at or dt.time(19, 30)
            cursor = dt.datetime.combine(day, max(opens, dt.time(8, 30)), tzinfo=tz)
            end_of_day = dt.datetime.combine(day, min(closes, dt.time(19, 30)), tzinfo=tz)
            while True:
                length = dt.timedelta(minutes=rng.choice(DURATIONS))
                if lunch and cursor < lunch_end and cursor + length > lunch_start:
                    cursor = lunch_end
                if cursor + length > end_of_day:
                    break
                yield room, cursor, cursor + length
                cursor += length + GAP


def _pick_speakers(
    speakers: list[Speaker], busy: dict[int, list], start, end, rng: random.Random, count: int
) -> list[Speaker]:
    chosen: list[Speaker] = []
    for _attempt in range(count * 6):
        if len(chosen) >= count or not speakers:
            break
        candidate = rng.choice(speakers)
        if candidate in chosen:
            continue
        if any(s < end and start < e for s, e in busy.get(candidate.pk, [])):
            continue
        chosen.append(candidate)
    for speaker in chosen:
        busy.setdefault(speaker.pk, []).append((start, end))
    return chosen


def _build_sessions(congress, rooms, tracks, tags, speakers, rng, count: int, lunch=False) -> int:
    slots = list(_slots(congress, rooms, rng, lunch=lunch))
    while len(slots) < count:
        rooms = _rooms(congress, len(rooms) + 1 + (count - len(slots)) // 20)
        slots = list(_slots(congress, rooms, rng, lunch=lunch))
    rng.shuffle(slots)
    slots = sorted(slots[:count], key=lambda s: (s[1], s[0].position, s[0].name))
    formats = [f for f, _w in FORMAT_WEIGHTS]
    weights = [w for _f, w in FORMAT_WEIGHTS]
    busy: dict[int, list] = {}
    languages = list(congress.languages or ["en"])
    made = 0
    for n, (room, start, end) in enumerate(slots):
        fmt = rng.choices(formats, weights)[0]
        sign_up = fmt in SIGN_UP_FORMATS
        people = (
            []
            if fmt == SessionFormat.BREAK
            else _pick_speakers(speakers, busy, start, end, rng, rng.randint(1, 4))
        )
        roles = [SpeakerRole.MODERATOR] + [
            rng.choice([SpeakerRole.SPEAKER, SpeakerRole.PANELLIST]) for _ in people[1:]
        ]
        title = "Coffee break" if fmt == SessionFormat.BREAK else rng.choice(TOPICS)
        try:
            services.create_session(
                congress=congress,
                by=None,
                speakers=list(zip(people, roles, strict=False)),
                title=f"{title} ({n + 1})",
                translations=_in_languages(
                    TOPIC_TRANSLATIONS.get(title, {}), congress, "title", f" ({n + 1})"
                ),
                abstract=(
                    f"{title}: practitioners from {len(people) or 'several'} cities compare what "
                    "they tried, what it cost and what they would do again."
                ),
                format=fmt,
                track=None if fmt == SessionFormat.BREAK else rng.choice(tracks),
                room=room,
                starts_at=start,
                ends_at=end,
                languages=[rng.choice(languages)],
                interpretation_languages=[c for c in languages if rng.random() < 0.2],
                captioning=rng.random() < 0.3,
                capacity=min(room.capacity, rng.choice([20, 25, 30, 40])) if sign_up else None,
                expected_attendance=None if sign_up else min(room.capacity, rng.randint(20, 90)),
                status=SessionStatus.DRAFT if rng.random() < 0.03 else SessionStatus.CONFIRMED,
                tags=rng.sample(tags, rng.randint(0, 2)),
            )
        except DomainError:
            continue
        made += 1
    return made


def _queue(congress: Congress, tracks, speakers, rng: random.Random, count: int) -> int:
    """Sessions accepted but not placed yet: in the editor's queue, with their length, track
    and speakers, for an organiser to build the days from (never published until placed)."""
    start = dt.datetime.combine(congress.start_date, dt.time(9), tzinfo=congress.tz)
    made = 0
    for n in range(count):
        fmt = rng.choice(QUEUE_FORMATS)
        minutes = rng.choice([45, 60, 75, 90])
        topic = rng.choice(TOPICS)
        try:
            session = services.create_session(
                congress=congress,
                by=None,
                title=f"{topic} (to place {n + 1})",
                abstract=f"{topic}: accepted, waiting for a room and a time.",
                format=fmt,
                track=rng.choice(tracks),
                room=None,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                languages=list(congress.languages or ["en"])[:1],
                capacity=30 if fmt in SIGN_UP_FORMATS else None,
                expected_attendance=None if fmt in SIGN_UP_FORMATS else rng.randint(20, 80),
                status=SessionStatus.CONFIRMED,
            ).session
            unschedule_session(session=session, by=None)
            people = rng.sample(speakers, min(len(speakers), rng.randint(1, 3)))
            roles = [SpeakerRole.MODERATOR] + [SpeakerRole.SPEAKER] * (len(people) - 1)
            services.update_session(
                session=session, by=None, speakers=list(zip(people, roles, strict=True))
            )
        except DomainError:
            continue
        made += 1
    return made


def _revise(congress: Congress, rng: random.Random, step: int) -> None:
    """A few realistic edits between versions: a cancellation, a retitled session, a move."""
    confirmed = list(
        Session.objects.filter(
            congress=congress, status=SessionStatus.CONFIRMED, unscheduled=False
        ).order_by("code")
    )
    if not confirmed:
        return
    victim = rng.choice(confirmed)
    services.cancel_session(session=victim, by=None)
    edited = rng.choice(confirmed)
    if edited.pk != victim.pk:
        services.update_session(
            session=edited, by=None, title=f"{edited.title} – updated (v{step})"
        )
    for candidate in rng.sample(confirmed, min(10, len(confirmed))):
        if candidate.pk in (victim.pk, edited.pk):
            continue
        try:
            services.update_session(
                session=candidate,
                by=None,
                starts_at=candidate.starts_at + dt.timedelta(minutes=15),
                ends_at=candidate.ends_at + dt.timedelta(minutes=15),
            )
        except DomainError:
            continue
        break


def _personal_agendas(congress: Congress, rng: random.Random) -> int:
    from registrations.models import Delegate

    from .selectors import published_programme

    programme = published_programme(congress)
    if programme is None:
        return 0
    delegates = list(
        Delegate.objects.filter(order__congress=congress, is_cancelled=False).select_related(
            "order"
        )[:40]
    )
    open_sessions = {s.code: s for s in Session.objects.filter(congress=congress)}
    published = [s for s in programme.sessions if not s.is_cancelled and s.code in open_sessions]
    made = 0
    for delegate in delegates:
        agenda = services.get_or_create_agenda(delegate=delegate)
        for item in rng.sample(published, min(5, len(published))):
            try:
                if item.needs_sign_up:
                    services.sign_up(delegate=delegate, session=open_sessions[item.code])
                else:
                    services.mark_session(agenda=agenda, session=open_sessions[item.code])
            except DomainError:
                continue
        made += 1
    return made


DEMO_WIDGET_ORIGINS = ["https://www.wcg-2027.example", "http://localhost:8001"]


def seed_demo(
    *, congress: Congress, speakers: list[dict], rng: random.Random, sessions: int = 150
) -> dict:
    """Seed ``congress``'s programme (idempotent). Returns counts for the command's summary."""
    if ScheduleVersion.objects.filter(congress=congress).exists():
        return {
            "tracks": congress.tracks.count(),
            "tags": congress.tags.count(),
            "speakers": Speaker.objects.filter(congress=congress).count(),
            "sessions": Session.objects.filter(congress=congress).count(),
            "queued": Session.objects.filter(congress=congress, unscheduled=True).count(),
            "versions": ScheduleVersion.objects.filter(congress=congress).count(),
            "personal_agendas": congress.personal_agendas.count(),
            "skipped": True,
        }
    with transaction.atomic():
        tracks = []
        for position, (slug, name, colour) in enumerate(TRACKS):
            track = Track.objects.filter(congress=congress, slug=slug).first()
            tracks.append(
                track
                or services.create_track(
                    congress=congress,
                    by=None,
                    slug=slug,
                    name=name,
                    colour=colour,
                    position=position,
                    translations=_in_languages(TRACK_TRANSLATIONS.get(slug, {}), congress, "name"),
                )
            )
        tags = [
            Tag.objects.filter(congress=congress, slug=slug).first()
            or services.create_tag(congress=congress, by=None, slug=slug, name=name, colour=colour)
            for slug, name, colour in TAGS
        ]
        for fmt, minutes in FORMAT_MINUTES.items():
            if not FormatSetting.objects.filter(congress=congress, format=fmt).exists():
                services.save_format_setting(
                    congress=congress, by=None, format=fmt, default_minutes=minutes
                )
        people = _speakers(congress, speakers, rng)
        per_room = len(congress.days) * 6
        rooms = _rooms(congress, max(4, math.ceil(sessions / per_room)))
        made = queued = 0
        if not Session.objects.filter(congress=congress).exists():
            lunch = _lunches(congress)
            made = _build_sessions(congress, rooms, tracks, tags, people, rng, sessions, lunch)
            queued = _queue(congress, tracks, people, rng, min(QUEUE_MAX, sessions // QUEUE_SHARE))
        services.publish_schedule(congress=congress, by=None, comment="First programme.")
        for step in (2, 3):
            _revise(congress, rng, step)
            with contextlib.suppress(DomainError):  # nothing changed: no new version
                services.publish_schedule(
                    congress=congress, by=None, comment=f"Programme update {step - 1}."
                )
        agendas = _personal_agendas(congress, rng)
        # The congress's own website (and a local test page) may frame the programme widget.
        services.save_widget_origins(congress=congress, by=None, origins=DEMO_WIDGET_ORIGINS)
    return {
        "tracks": len(tracks),
        "tags": len(tags),
        "speakers": len(people),
        "sessions": made,
        "queued": queued,
        "versions": ScheduleVersion.objects.filter(congress=congress).count(),
        "personal_agendas": agendas,
        "skipped": False,
    }
