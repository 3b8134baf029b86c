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
from .enums import SIGN_UP_FORMATS, SessionFormat, SessionStatus, SpeakerRole
from .errors import DomainError
from .models import ScheduleVersion, Session, Speaker, Track

TRACKS = [
    ("climate", "Climate and resilience", "#1b7f3b"),
    ("mobility", "Mobility and public space", "#0b5cad"),
    ("housing", "Housing and inclusion", "#a15c00"),
    ("finance", "Local finance", "#6b3fa0"),
    ("digital", "Digital cities", "#00838f"),
    ("culture", "Culture and heritage", "#b3261e"),
]
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
TAGS = ["SDG 11", "SDG 13", "gender", "youth", "small towns", "metropolitan", "Africa", "Asia"]
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


def _slots(congress: Congress, rooms: list[Room], rng: random.Random):
    """Every free (room, start, end) of the congress, packed day by day within room hours."""
    tz = congress.tz
    for day in congress.days:
        for room in rooms:
            opens = room.opens_at or dt.time(8, 30)
            closes = room.closes_at or dt.time(19, 30)
            cursor = dt.datetime.combine(day, max(opens, dt.time(8, 30)), tzinfo=tz)
            end_of_day = dt.datetime.combine(day, min(closes, dt.time(19, 30)), tzinfo=tz)
            while True:
                length = dt.timedelta(minutes=rng.choice(DURATIONS))
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


def _build_sessions(congress, rooms, tracks, speakers, rng, count: int) -> int:
    slots = list(_slots(congress, rooms, rng))
    while len(slots) < count:
        rooms = _rooms(congress, len(rooms) + 1 + (count - len(slots)) // 20)
        slots = list(_slots(congress, rooms, rng))
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
                tags=rng.sample(TAGS, rng.randint(0, 2)),
            )
        except DomainError:
            continue
        made += 1
    return made


def _revise(congress: Congress, rng: random.Random, step: int) -> None:
    """A few realistic edits between versions: a cancellation, a retitled session, a move."""
    confirmed = list(
        Session.objects.filter(congress=congress, status=SessionStatus.CONFIRMED).order_by("code")
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


def seed_demo(
    *, congress: Congress, speakers: list[dict], rng: random.Random, sessions: int = 150
) -> dict:
    """Seed ``congress``'s programme (idempotent). Returns counts for the command's summary."""
    if ScheduleVersion.objects.filter(congress=congress).exists():
        return {
            "tracks": congress.tracks.count(),
            "speakers": Speaker.objects.filter(congress=congress).count(),
            "sessions": Session.objects.filter(congress=congress).count(),
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
                )
            )
        people = _speakers(congress, speakers, rng)
        per_room = len(congress.days) * 6
        rooms = _rooms(congress, max(4, math.ceil(sessions / per_room)))
        made = 0
        if not Session.objects.filter(congress=congress).exists():
            made = _build_sessions(congress, rooms, tracks, people, rng, sessions)
        services.publish_schedule(congress=congress, by=None, comment="First programme.")
        for step in (2, 3):
            _revise(congress, rng, step)
            with contextlib.suppress(DomainError):  # nothing changed: no new version
                services.publish_schedule(
                    congress=congress, by=None, comment=f"Programme update {step - 1}."
                )
        agendas = _personal_agendas(congress, rng)
    return {
        "tracks": len(tracks),
        "speakers": len(people),
        "sessions": made,
        "versions": ScheduleVersion.objects.filter(congress=congress).count(),
        "personal_agendas": agendas,
        "skipped": False,
    }
