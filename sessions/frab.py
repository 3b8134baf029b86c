"""frab-compatible ``schedule.xml``: the format conference schedule apps (Giggity, ConfClerk,
the c3 Fahrplan app, EventFahrplan) import. Built with ElementTree, so every text is escaped."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict

from django.conf import settings
from django.utils.text import slugify

from events_site.congresses.text import printable

from .ical import session_uid, session_url_pattern
from .models import CODE_ALPHABET
from .published import PublishedProgramme, PublishedSession


def numeric_id(code: str) -> int:
    """A stable integer for a code (frab ids are integers): the code read in base 32."""
    value = 0
    for char in code:
        index = CODE_ALPHABET.find(char)
        value = value * 32 + (index if index >= 0 else 0)
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: printable(v) for k, v in attrs.items()})
    if text is not None:
        element.text = printable(text)
    return element


def _event(parent: ET.Element, s: PublishedSession, *, slug: str, url_pattern: str) -> None:
    guid = uuid.uuid5(uuid.NAMESPACE_URL, session_uid(slug, s.code))
    event = _sub(parent, "event", guid=guid, id=numeric_id(s.code))
    _sub(event, "date", s.local_start.isoformat())
    _sub(event, "start", s.local_start.strftime("%H:%M"))
    _sub(event, "duration", _hhmm(s.duration_minutes))
    _sub(event, "room", s.room.name if s.room else "")
    _sub(event, "slug", f"{slug}-{s.code}-{slugify(s.title)[:40]}".strip("-"))
    _sub(event, "url", url_pattern.format(code=s.code))
    title = s.title if not s.is_cancelled else f"{s.title} (cancelled)"
    _sub(event, "title", title)
    _sub(event, "subtitle", "")
    _sub(event, "track", s.track.name if s.track else "")
    _sub(event, "type", s.format_label)
    _sub(event, "language", s.languages[0] if s.languages else "")
    _sub(event, "abstract", s.abstract)
    _sub(event, "description", "")
    _sub(event, "logo", "")
    recording = _sub(event, "recording")
    _sub(recording, "license", "")
    _sub(recording, "optout", "true")
    persons = _sub(event, "persons")
    for appearance in s.speakers:
        _sub(persons, "person", appearance.speaker.name, id=numeric_id(appearance.speaker.code))
    _sub(event, "links")
    _sub(event, "attachments")


def build_frab(programme: PublishedProgramme, *, congress_slug: str, congress_name: str) -> bytes:
    root = ET.Element("schedule")
    _sub(root, "generator", name="convene", version="1")
    _sub(root, "version", f"v{programme.version}")
    conference = _sub(root, "conference")
    _sub(conference, "acronym", congress_slug)
    _sub(conference, "title", congress_name)
    days = programme.days
    if days:
        _sub(conference, "start", days[0].isoformat())
        _sub(conference, "end", days[-1].isoformat())
    _sub(conference, "days", len(days))
    _sub(conference, "timeslot_duration", "00:15")
    _sub(conference, "time_zone_name", programme.tz.key)
    _sub(conference, "base_url", settings.SITE_URL + "/")
    by_day: dict[dt.date, dict[str, list[PublishedSession]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for s in programme.sessions:
        by_day[s.day][s.room.name if s.room else ""].append(s)
    url_pattern = session_url_pattern(congress_slug)
    room_order = {r.name: (r.position, r.name) for r in programme.rooms.values()}
    for index, day in enumerate(days, start=1):
        start = dt.datetime.combine(day, dt.time.min, tzinfo=programme.tz)
        day_el = _sub(
            root,
            "day",
            index=index,
            date=day.isoformat(),
            start=start.isoformat(),
            end=(start + dt.timedelta(days=1)).isoformat(),
        )
        rooms = by_day.get(day, {})
        for room_name in sorted(rooms, key=lambda n: room_order.get(n, (10**6, n))):
            room_el = _sub(day_el, "room", name=room_name or "—")
            for s in rooms[room_name]:
                _event(room_el, s, slug=congress_slug, url_pattern=url_pattern)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
