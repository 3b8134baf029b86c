"""iCalendar (RFC 5545) for published sessions, built with the ``icalendar`` library.

Times are local with a TZID and a VTIMEZONE for the congress's zone, except a wall-clock time
that happens twice (the hour when clocks go back), which is written in UTC: a TZID time there
means the first of the two to every client. UIDs derive from codes that never change; SEQUENCE
and LAST-MODIFIED come from the published versions.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vCategory, vDDDTypes, vInt, vText, vUri

from events_site.congresses.text import printable

from .published import PublishedProgramme, PublishedSession
from .wallclock import repeats

PRODID = "-//Convene//Congress agenda//EN"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def session_uid(congress_slug: str, code: str, host: str | None = None) -> str:
    return f"convene-{congress_slug}-{code}@{host or site_host()}"


def session_url_pattern(congress_slug: str) -> str:
    """The absolute URL of a session page with ``{code}`` in place of its code (one reverse for
    a thousand sessions)."""
    path = reverse("agenda:session", kwargs={"congress_slug": congress_slug, "code": "CODE0"})
    return settings.SITE_URL + path.replace("CODE0", "{code}")


def session_url(congress_slug: str, code: str) -> str:
    return session_url_pattern(congress_slug).format(code=code)


def describe(session: PublishedSession) -> str:
    """Plain text: speakers with their roles, then the abstract (markup stays literal text)."""
    lines = []
    for appearance in session.speakers:
        who = appearance.speaker
        extra = ", ".join(p for p in (who.title, who.organisation) if p)
        lines.append(f"{who.name} ({appearance.role_label})" + (f" – {extra}" if extra else ""))
    abstract = session.translated("abstract")
    if abstract:
        if lines:
            lines.append("")
        lines.append(abstract)
    if session.contributions:
        if lines:
            lines.append("")
        lines.extend(describe_contributions(session))
    return "\n".join(lines)


def describe_contributions(session: PublishedSession) -> list[str]:
    """One line per contribution of a block: its local start, title and speakers."""
    lines = []
    for c in session.contributions:
        who = ", ".join(sp.name for sp in c.speakers)
        lines.append(f"{c.local_start.strftime('%H:%M')} {c.title}" + (f" – {who}" if who else ""))
    return lines


def _offset_at(tz: zoneinfo.ZoneInfo, moment: dt.datetime) -> tuple:
    local = moment.astimezone(tz)
    return local.utcoffset(), bool(local.dst()), local.tzname()


def _transitions(tz: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The UTC instants in [start, end] at which ``tz`` changes offset or name (to the second)."""
    found = []
    step = dt.timedelta(days=1)
    here, state = start, _offset_at(tz, start)
    while here < end:
        there = min(here + step, end)
        if _offset_at(tz, there) != state:
            low, high = here, there
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset_at(tz, middle) == state:
                    low = middle
                else:
                    high = middle
            moment = high.replace(microsecond=0)
            found.append(moment)
            state = _offset_at(tz, moment)
            here = moment
        else:
            here = there
    return found


@lru_cache(maxsize=64)
def _vtimezone_ical(key: str, first: dt.date, last: dt.date) -> bytes:
    tz = zoneinfo.ZoneInfo(key)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC)
    timezone = Timezone()
    timezone.add("tzid", key)
    before = start.astimezone(tz).utcoffset()
    for moment in [start, *_transitions(tz, start, end)]:
        local = moment.astimezone(tz)
        block = TimezoneDaylight() if local.dst() else TimezoneStandard()
        # DTSTART is the onset as read on the clock before it (RFC 5545 3.6.5).
        block.add("dtstart", (moment + before).replace(tzinfo=None))
        block.add("tzname", local.tzname())
        block.add("tzoffsetfrom", before)
        block.add("tzoffsetto", local.utcoffset())
        timezone.add_component(block)
        before = local.utcoffset()
    return timezone.to_ical()


def vtimezone(tz: zoneinfo.ZoneInfo, *, first: dt.date, last: dt.date) -> Timezone:
    """The VTIMEZONE of ``tz`` from ``first`` to ``last``: one STANDARD or DAYLIGHT block per
    transition, each with its own DTSTART and no RDATE or RRULE, so that every client reads it
    the same (Mozilla's ical.js ignores a DTSTART that has RDATEs beside it), and no COMMENT,
    which RFC 5545 does not allow directly in a VTIMEZONE."""
    return Timezone.from_ical(_vtimezone_ical(str(tz.key), first, last))


def event_time(local: dt.datetime):
    """A local time with its TZID, or UTC when that wall-clock reading happens twice."""
    return vDDDTypes(local.astimezone(dt.UTC) if repeats(local) else local)


def build_calendar(
    programme: PublishedProgramme,
    sessions: Iterable[PublishedSession],
    *,
    congress_slug: str,
    name: str,
    tentative: frozenset[str] = frozenset(),
) -> bytes:
    """The calendar of ``sessions``; those whose codes are in ``tentative`` (a delegate's
    waiting-list places) are ``STATUS:TENTATIVE``."""
    host = site_host()
    tz = programme.tz
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", printable(name))
    calendar.add("x-wr-timezone", str(tz.key))
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    sessions = list(sessions)
    if sessions:
        first = min(s.local_start for s in sessions).date()
        last = max(s.local_end for s in sessions).date()
    else:
        first = last = programme.published_at.astimezone(tz).date()
    calendar.add_component(
        vtimezone(tz, first=first - dt.timedelta(days=366), last=last + dt.timedelta(days=366))
    )
    url_pattern = session_url_pattern(congress_slug)
    # Properties are built directly as their icalendar value types (the bytes are the same as
    # with ``Event.add``, without its per-call type lookup: ~15% of the build).
    dtstamp = vDDDTypes(programme.published_at)
    for session in sessions:
        event = Event()
        event["uid"] = vText(session_uid(congress_slug, session.code, host))
        event["dtstamp"] = dtstamp
        event["dtstart"] = event_time(session.local_start)
        event["dtend"] = event_time(session.local_end)
        event["summary"] = vText(printable(session.translated("title")))
        event["description"] = vText(printable(describe(session)))
        if session.room is not None:
            location = session.room.name
            if session.room.venue:
                location += f", {session.room.venue}"
            event["location"] = vText(printable(location))
        event["url"] = vUri(url_pattern.format(code=session.code))
        categories = [session.track.translated("name")] if session.track else []
        categories.append(session.format_label)
        event["categories"] = vCategory([printable(c) for c in categories])
        event["sequence"] = vInt(session.sequence)
        event["last-modified"] = vDDDTypes(session.last_modified)
        if session.is_cancelled:
            status = "CANCELLED"
        elif session.code in tentative:
            status = "TENTATIVE"
        else:
            status = "CONFIRMED"
        event["status"] = vText(status)
        calendar.add_component(event)
    return calendar.to_ical()
