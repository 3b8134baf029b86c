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

from .ical import describe_contributions, session_uid, session_url_pattern
from .models import CODE_ALPHABET
from .published import PublishedBreak, PublishedProgramme, PublishedSession


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
    shown = s.translated("title")
    title = shown if not s.is_cancelled else f"{shown} (cancelled)"
    _sub(event, "title", title)
    _sub(event, "subtitle", "")
    _sub(event, "track", s.track.translated("name") if s.track else "")
    _sub(event, "type", s.format_label)
    _sub(event, "language", s.languages[0] if s.languages else "")
    _sub(event, "abstract", s.translated("abstract"))
    _sub(event, "description", "\n".join(describe_contributions(s)))
    _sub(event, "logo", "")
    recording = _sub(event, "recording")
    _sub(recording, "license", "")
    _sub(recording, "optout", "false" if s.may_be_recorded else "true")
    persons = _sub(event, "persons")
    for appearance in s.speakers:
        _sub(persons, "person", appearance.speaker.name, id=numeric_id(appearance.speaker.code))
    _sub(event, "links")
    _sub(event, "attachments")


def _break_event(parent: ET.Element, b: PublishedBreak, room: str, *, slug: str) -> None:
    """A break as frab has no breaks: an event of type "break" in each room it occupies."""
    guid = uuid.uuid5(uuid.NAMESPACE_URL, session_uid(slug, f"break-{b.code}-{room}"))
    event = _sub(parent, "event", guid=guid, id=numeric_id(b.code) + 10**12)
    _sub(event, "date", b.local_start.isoformat())
    _sub(event, "start", b.local_start.strftime("%H:%M"))
    _sub(event, "duration", _hhmm(b.duration_minutes))
    _sub(event, "room", room)
    _sub(event, "slug", f"{slug}-break-{b.code}-{slugify(room)}".strip("-"))
    _sub(event, "title", b.title)
    _sub(event, "subtitle", "")
    _sub(event, "track", "")
    _sub(event, "type", "break")
    _sub(event, "language", "")
    _sub(event, "abstract", "")
    _sub(event, "description", "")
    _sub(event, "persons")
    _sub(event, "links")


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
        breaks = programme.breaks_on(day)
        by_name = {r.name: r for r in programme.rooms.values()}
        for b in breaks:
            for room in b.rooms if b.rooms is not None else programme.rooms.values():
                rooms.setdefault(room.name, [])
        for room_name in sorted(rooms, key=lambda n: room_order.get(n, (10**6, n))):
            room_el = _sub(day_el, "room", name=room_name or "—")
            room = by_name.get(room_name)
            items = [(s.starts_at, 0, s) for s in rooms[room_name]]
            if room is not None:
                items += [(b.starts_at, 1, b) for b in breaks if b.in_room(room.id)]
            for _start, is_break, item in sorted(items, key=lambda t: (t[0], t[1])):
                if is_break:
                    _break_event(room_el, item, room_name, slug=congress_slug)
                else:
                    _event(room_el, item, slug=congress_slug, url_pattern=url_pattern)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
