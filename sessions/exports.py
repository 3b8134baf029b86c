"""The feeds of a published programme as small exporter classes (pretalx's idea) on the core's
exporter base: each knows its identifier, name, content type and whether it is public, and
renders bytes from a ``PublishedProgramme``."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.congresses.exporters import Exporter as BaseExporter
from events_site.congresses.text import printable_tree
from events_site.congresses.translations import texts_by_language

from .c3voc import render_c3voc
from .frab import build_frab, numeric_id
from .ical import build_calendar, session_uid, session_url_pattern
from .published import PublishedProgramme, PublishedSession


def _texts(session: PublishedSession, field: str, main: str) -> dict[str, str]:
    return texts_by_language(session.translations, field, main, getattr(session, field))


class Exporter(BaseExporter):
    """A feed of the published programme: the core's exporter identity (identifier, name,
    content type, public), rendered from a ``PublishedProgramme``."""

    public = True

    def __init__(self, *, congress_slug: str, congress_name: str):
        self.congress_slug = congress_slug
        self.congress_name = congress_name

    def filename(self, suffix: str = "") -> str:
        return self.filename_for(f"{self.congress_slug}{suffix}")

    def render(self, programme: PublishedProgramme, sessions: Iterable[PublishedSession]) -> bytes:
        raise NotImplementedError


class ScheduleICalExporter(Exporter):
    """The whole published schedule, or the part a filter selects."""

    identifier = "schedule-ics"
    name = gettext_lazy("Schedule (iCal)")
    content_type = "text/calendar; charset=utf-8"
    extension = "ics"

    def calendar_name(self) -> str:
        return self.congress_name

    def render(self, programme, sessions) -> bytes:
        return build_calendar(
            programme, sessions, congress_slug=self.congress_slug, name=self.calendar_name()
        )


class SessionICalExporter(ScheduleICalExporter):
    identifier = "session-ics"
    name = gettext_lazy("Session (iCal)")


class PersonalICalExporter(ScheduleICalExporter):
    """A delegate's own agenda: private, reached only through its revocable token."""

    identifier = "personal-ics"
    name = gettext_lazy("My agenda (iCal)")
    public = False

    def __init__(self, *, congress_slug: str, congress_name: str, waiting: frozenset[str]):
        super().__init__(congress_slug=congress_slug, congress_name=congress_name)
        self.waiting = waiting

    def calendar_name(self) -> str:
        return _("%(congress)s – my agenda") % {"congress": self.congress_name}

    def render(self, programme, sessions) -> bytes:
        """A waiting-list place is not a seat: its event is TENTATIVE."""
        return build_calendar(
            programme,
            sessions,
            congress_slug=self.congress_slug,
            name=self.calendar_name(),
            tentative=self.waiting,
        )


class FrabExporter(Exporter):
    identifier = "schedule-xml"
    name = gettext_lazy("Schedule (frab XML)")
    content_type = "application/xml; charset=utf-8"
    extension = "xml"

    def render(self, programme, sessions) -> bytes:
        return build_frab(
            programme, congress_slug=self.congress_slug, congress_name=self.congress_name
        )


class C3VocJSONExporter(Exporter):
    """The frab schedule as c3voc's JSON (``schedule.c3voc.json``), for the apps that read it."""

    identifier = "schedule-c3voc-json"
    name = gettext_lazy("Schedule (c3voc/frab JSON)")
    content_type = "application/json"
    extension = "c3voc.json"

    def render(self, programme, sessions) -> bytes:
        return render_c3voc(
            programme, congress_slug=self.congress_slug, congress_name=self.congress_name
        )


class JSONExporter(Exporter):
    identifier = "schedule-json"
    name = gettext_lazy("Schedule (JSON)")
    content_type = "application/json"
    extension = "json"

    def data(self, programme: PublishedProgramme, sessions: Iterable[PublishedSession]) -> dict:
        """The feed's content, its text written through ``printable`` (for the API too)."""
        return printable_tree(self._data(programme, sessions))

    def _data(self, programme: PublishedProgramme, sessions: Iterable[PublishedSession]) -> dict:
        url_pattern = session_url_pattern(self.congress_slug)
        sessions = list(sessions)
        used = {a.speaker.code for s in sessions for a in s.speakers} | {
            sp.code for s in sessions for c in s.contributions for sp in c.speakers
        }
        return {
            "congress": {
                "slug": self.congress_slug,
                "name": self.congress_name,
                "time_zone": programme.tz.key,
            },
            "version": programme.version,
            "published_at": programme.published_at.isoformat(),
            "tracks": [
                {"slug": t.slug, "name": t.translated("name"), "colour": t.colour}
                for t in programme.tracks.values()
            ],
            "rooms": [
                {"id": r.id, "name": r.name, "venue": r.venue, "capacity": r.capacity}
                for r in programme.rooms.values()
            ],
            "speakers": [
                {
                    "code": sp.code,
                    "id": numeric_id(sp.code),
                    "name": sp.name,
                    "title": sp.title,
                    "organisation": sp.organisation,
                    "city": sp.city,
                    "country": sp.country,
                    "bio": sp.bio,
                }
                for sp in programme.speakers.values()
                if sp.code in used
            ],
            "sessions": [
                {
                    "code": s.code,
                    "uid": session_uid(self.congress_slug, s.code),
                    "title": s.translated("title"),
                    "abstract": s.translated("abstract"),
                    # Every language's text, the main language's under its own code.
                    "title_translations": _texts(s, "title", programme.main_language),
                    "abstract_translations": _texts(s, "abstract", programme.main_language),
                    "format": s.format,
                    "track": s.track.slug if s.track else None,
                    "room": s.room.id if s.room else None,
                    "starts_at": s.local_start.isoformat(),
                    "ends_at": s.local_end.isoformat(),
                    "languages": s.languages,
                    "interpretation_languages": s.interpretation_languages,
                    "captioning": s.captioning,
                    "capacity": s.capacity,
                    "status": s.status,
                    "tags": s.tags,
                    "sequence": s.sequence,
                    "last_modified": s.last_modified.isoformat(),
                    "url": url_pattern.format(code=s.code),
                    "speakers": [
                        {"code": a.speaker.code, "name": a.speaker.name, "role": a.role}
                        for a in s.speakers
                    ],
                    "contributions": [
                        {
                            "code": c.code,
                            "title": c.title,
                            "abstract": c.abstract,
                            "starts_at": c.local_start.isoformat(),
                            "ends_at": c.local_end.isoformat(),
                            "minutes": c.minutes,
                            "speakers": [{"code": sp.code, "name": sp.name} for sp in c.speakers],
                        }
                        for c in s.contributions
                    ],
                }
                for s in sessions
            ],
            "breaks": [
                {
                    "code": b.code,
                    "title": b.title,
                    "kind": b.kind,
                    "starts_at": b.local_start.isoformat(),
                    "ends_at": b.local_end.isoformat(),
                    "rooms": None if b.rooms is None else [r.id for r in b.rooms],
                }
                for b in programme.breaks
            ],
        }

    def render(self, programme, sessions) -> bytes:
        return json.dumps(self.data(programme, sessions), ensure_ascii=False).encode()
