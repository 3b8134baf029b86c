"""The c3voc/frab **JSON** schedule (``schedule.c3voc.json``): the JSON twin of ``schedule.xml``
that the c3voc tools, EventFahrplan, Giggity and pretalx's importers read, written to the
c3voc schedule JSON schema (``validator/json/schema.json`` of the voc/schedule project).

Where the schema and the readers differ, the readers win where the schema cannot tell (an
event's ``start`` is ``HH:MM`` as every frab exporter writes it), and the schema where it can:
``do_not_record`` is a string or null (``"true"`` or null, right in any truthiness test), and a
person is the schema's "pretalx person" (``name``, ``code``), never both kinds at once."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from events_site.congresses.text import printable_tree

from .frab import numeric_id
from .ical import describe_contributions, session_uid, session_url_pattern
from .published import PublishedBreak, PublishedProgramme, PublishedSession

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
NO_ROOM = "—"


def acronym(congress_slug: str) -> str:
    """The schema's acronym (lower-case letters, digits and ``_``, at least four): the slug
    with every other character as ``_`` (``wcg-2027`` -> ``wcg_2027``)."""
    text = re.sub(r"[^a-z0-9_]", "_", congress_slug.lower())
    return text.ljust(4, "_")


def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slug(*parts: str) -> str:
    """``^[a-z0-9_-]+[a-z0-9]$``: lower case, ends on a letter or digit."""
    return "-".join(slugify(p) for p in parts if slugify(p)).lower().strip("-_")


def _absolute(url: str) -> str:
    return url if "://" in url else settings.SITE_URL + url


def _person(speaker) -> dict:
    person = {
        "code": speaker.code,
        "id": numeric_id(speaker.code),
        "guid": _guid(f"acct:{speaker.code}@{settings.SITE_URL}"),
        "name": speaker.name,
        "biography": speaker.bio,
    }
    if speaker.photo:
        person["avatar"] = _absolute(speaker.photo)
    return person


def _event(s: PublishedSession, *, congress_slug: str, url_pattern: str) -> dict:
    title = s.title if not s.is_cancelled else f"{s.title} (cancelled)"
    speakers = [a.speaker for a in s.speakers]
    for contribution in s.contributions:
        speakers += [sp for sp in contribution.speakers if sp not in speakers]
    return {
        "id": max(1, numeric_id(s.code)),
        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, session_uid(congress_slug, s.code))),
        "date": s.local_start.isoformat(),
        "start": s.local_start.strftime("%H:%M"),
        "duration": _hhmm(s.duration_minutes),
        "room": s.room.name if s.room else NO_ROOM,
        "slug": _slug(congress_slug, s.code, s.title[:60]),
        "url": url_pattern.format(code=s.code),
        "title": title,
        "subtitle": "",
        "track": s.track.name if s.track else None,
        "type": s.format_label,
        "language": s.languages[0] if s.languages else "",
        "abstract": s.abstract,
        "description": "\n".join(describe_contributions(s)),
        "do_not_record": None if s.may_be_recorded else "true",
        "persons": [_person(sp) for sp in speakers],
        "links": [],
        "attachments": [],
    }


def _break_event(b: PublishedBreak, room: str, *, congress_slug: str, url: str) -> dict:
    """frab has no breaks: an event of type "break" in each room the break takes."""
    return {
        "id": numeric_id(b.code) + 10**12,
        "guid": _guid(session_uid(congress_slug, f"break-{b.code}-{room}")),
        "date": b.local_start.isoformat(),
        "start": b.local_start.strftime("%H:%M"),
        "duration": _hhmm(b.duration_minutes),
        "room": room,
        "slug": _slug(congress_slug, "break", b.code, room),
        "url": url,
        "title": b.title,
        "subtitle": "",
        "track": None,
        "type": "break",
        "language": "",
        "abstract": "",
        "description": "",
        "persons": [],
        "links": [],
        "attachments": [],
    }


def build_c3voc(programme: PublishedProgramme, *, congress_slug: str, congress_name: str) -> dict:
    url_pattern = session_url_pattern(congress_slug)
    rooms = sorted(programme.rooms.values(), key=lambda r: (r.position, r.name, r.id))
    by_day: dict[dt.date, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s in programme.sessions:
        by_day[s.day][s.room.name if s.room else NO_ROOM].append((s.starts_at, 0, s))
    for b in programme.breaks:
        for room in b.rooms if b.rooms is not None else rooms:
            by_day[b.day][room.name].append((b.starts_at, 1, b))
    order = {r.name: (r.position, r.name) for r in rooms}
    schedule_url = settings.SITE_URL + reverse(
        "agenda:schedule", kwargs={"congress_slug": congress_slug}
    )
    days = []
    for index, day in enumerate(programme.days, start=1):
        start = dt.datetime.combine(day, dt.time.min, tzinfo=programme.tz)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=programme.tz)
        day_rooms = {}
        for name in sorted(by_day.get(day, {}), key=lambda n: order.get(n, (10**6, n))):
            items = sorted(by_day[day][name], key=lambda t: (t[0], t[1]))
            day_rooms[name] = [
                _break_event(item, name, congress_slug=congress_slug, url=schedule_url)
                if is_break
                else _event(item, congress_slug=congress_slug, url_pattern=url_pattern)
                for _start, is_break, item in items
            ]
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": day_rooms,
            }
        )
    conference = {
        "acronym": acronym(congress_slug),
        "title": congress_name,
        "start": programme.days[0].isoformat() if programme.days else "",
        "end": programme.days[-1].isoformat() if programme.days else "",
        "daysCount": len(programme.days),
        "timeslot_duration": "00:15",
        "time_zone_name": programme.tz.key,
        "url": schedule_url,
        "tracks": [{"name": t.name, "color": t.colour} for t in programme.tracks.values()],
        "rooms": [
            {
                "name": r.name,
                "guid": _guid(f"convene-{congress_slug}-room-{r.id}@{settings.SITE_URL}"),
                "description": " · ".join(p for p in (r.venue, r.building, r.floor) if p),
                "capacity": r.capacity,
            }
            for r in rooms
        ],
        "days": days,
    }
    return printable_tree(
        {
            "$schema": SCHEMA_URL,
            "generator": {"name": "convene", "version": "1"},
            "schedule": {
                "version": f"v{programme.version}",
                "base_url": settings.SITE_URL + "/",
                "conference": conference,
            },
        }
    )


def render_c3voc(programme: PublishedProgramme, *, congress_slug: str, congress_name: str) -> bytes:
    data = build_c3voc(programme, congress_slug=congress_slug, congress_name=congress_name)
    return json.dumps(data, ensure_ascii=False).encode()
