"""What the agenda's public views share: finding a congress the visitor may see, and the
published programme's filters parsed from the query string (bad values are ignored)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import has_congress_perm

from ..enums import SessionFormat
from ..published import PublishedProgramme

MAX_QUERY = 200


def visible_congress(request, congress_slug: str) -> Congress:
    congress = Congress.objects.filter(slug=congress_slug).first()
    if congress is None:
        raise Http404
    if not congress.is_public and not has_congress_perm(request.user, Perm.VIEW, congress):
        raise Http404
    return congress


@dataclass
class Filters:
    track: str = ""
    format: str = ""
    language: str = ""
    tag: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return any((self.track, self.format, self.language, self.tag, self.query))

    def as_kwargs(self) -> dict:
        return {
            "track": self.track,
            "format": self.format,
            "language": self.language,
            "tag": self.tag,
            "query": self.query,
        }


def query_param(params, name: str) -> str:
    value = params.get(name, "")
    return value.strip()[:MAX_QUERY] if isinstance(value, str) else ""


def parse_filters(params, programme: PublishedProgramme) -> Filters:
    """Only values the programme knows are kept; anything else is dropped, never an error."""
    filters = Filters()
    track = query_param(params, "track")
    if track in programme.tracks:
        filters.track = track
    fmt = query_param(params, "format")
    if fmt in SessionFormat.values:
        filters.format = fmt
    language = query_param(params, "language")
    if language in programme.languages:
        filters.language = language
    tag = query_param(params, "tag")
    if tag in programme.tags:
        filters.tag = tag
    filters.query = query_param(params, "q")
    return filters


def parse_day(value: str, days: list[dt.date]) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return days[0] if days else None
    return day if day in days else (days[0] if days else None)
