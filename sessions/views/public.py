"""Public agenda pages: they read the published version only, in a fixed number of queries."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_countries import countries

from .. import selectors
from ..enums import SessionFormat
from ..timetable import build_timetable
from .common import parse_day, parse_filters, visible_congress


def _programme_or_none(congress):
    version = selectors.latest_version(congress)
    return version, (selectors.programme_of(version) if version else None)


@require_safe
def schedule(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    version, programme = _programme_or_none(congress)
    if programme is None:
        return render(request, "agenda/unpublished.html", {"congress": congress})
    filters = parse_filters(request.GET, programme)
    view = "list" if request.GET.get("view") == "list" else "grid"
    all_days = request.GET.get("day") == "all" and view == "list"
    day = None if all_days else parse_day(request.GET.get("day", ""), programme.days)
    sessions = programme.select(day=day, **filters.as_kwargs())
    timetable = (
        build_timetable(sessions, list(programme.rooms.values())) if view == "grid" else None
    )
    return render(
        request,
        "agenda/schedule.html",
        {
            "congress": congress,
            "version": version,
            "programme": programme,
            "filters": filters,
            "view": view,
            "day": day,
            "all_days": all_days,
            "sessions": sessions,
            "timetable": timetable,
            "formats": [(f, SessionFormat(f).label) for f in programme.formats],
        },
    )


@require_safe
def session_detail(request, congress_slug: str, code: str):
    congress = visible_congress(request, congress_slug)
    version, programme = _programme_or_none(congress)
    session = programme.by_code.get(code) if programme else None
    if session is None:
        raise Http404
    return render(
        request,
        "agenda/session.html",
        {"congress": congress, "version": version, "programme": programme, "session": session},
    )


@require_safe
def speaker_list(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    version, programme = _programme_or_none(congress)
    if programme is None:
        raise Http404
    speakers = [sp for sp in programme.speakers.values() if sp.sessions]
    return render(
        request,
        "agenda/speakers.html",
        {"congress": congress, "version": version, "speakers": speakers},
    )


@require_safe
def speaker_detail(request, congress_slug: str, code: str):
    congress = visible_congress(request, congress_slug)
    version, programme = _programme_or_none(congress)
    speaker = programme.speakers.get(code) if programme else None
    if speaker is None or not speaker.sessions:
        raise Http404
    return render(
        request,
        "agenda/speaker.html",
        {
            "congress": congress,
            "version": version,
            "speaker": speaker,
            "country_name": countries.name(speaker.country) if speaker.country else "",
        },
    )


@require_safe
def changelog(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    versions = list(selectors.versions_with_changes(congress))
    if not versions:
        raise Http404
    return render(request, "agenda/changelog.html", {"congress": congress, "versions": versions})
