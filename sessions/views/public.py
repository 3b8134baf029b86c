"""Public agenda pages: they read the published version only, in a fixed number of queries."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe
from django_countries import countries

from registrations.search_keys import normalise_search_text

from .. import selectors
from ..enums import SessionFormat
from ..page_cache import cached_public_page
from ..timetable import build_timetable
from .common import parse_day, parse_filters, query_param, visible_congress
from .slides import published_slides


def _programme_or_none(congress):
    version = selectors.latest_version(congress)
    return version, (selectors.programme_of(version) if version else None)


@require_safe
@cached_public_page("schedule")
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
    breaks = programme.breaks_on(day)
    timetable = (
        build_timetable(sessions, list(programme.rooms.values()), breaks)
        if view == "grid"
        else None
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
            "breaks": breaks,
            "timetable": timetable,
            "formats": [(f, SessionFormat(f).label) for f in programme.formats],
        },
    )


@require_safe
@cached_public_page("session")
def session_detail(request, congress_slug: str, code: str):
    congress = visible_congress(request, congress_slug)
    version, programme = _programme_or_none(congress)
    session = programme.by_code.get(code) if programme else None
    if session is None:
        raise Http404
    return render(
        request,
        "agenda/session.html",
        {
            "congress": congress,
            "version": version,
            "programme": programme,
            "session": session,
            "slides": published_slides(congress, code),
        },
    )


@require_safe
@cached_public_page("speakers")
def speaker_list(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    version, programme = _programme_or_none(congress)
    if programme is None:
        raise Http404
    query = query_param(request.GET, "q")
    speakers = [sp for sp in programme.speakers.values() if sp.sessions]
    if query:
        needle = normalise_search_text(query)
        speakers = [
            sp for sp in speakers if needle in normalise_search_text(f"{sp.name} {sp.organisation}")
        ]
    return render(
        request,
        "agenda/speakers.html",
        {"congress": congress, "version": version, "speakers": speakers, "query": query},
    )


@require_safe
@cached_public_page("speaker")
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
@cached_public_page("changelog")
def changelog(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    versions = list(selectors.versions_with_changes(congress))
    if not versions:
        raise Http404
    return render(request, "agenda/changelog.html", {"congress": congress, "versions": versions})


@require_safe
def choose_language(request, congress_slug: str):
    """The public programme's language menu, by GET so its pages carry no CSRF token and can
    be shared from a cache. Setting a language cookie is harmless to force on someone (the
    worst a forged link does is change the interface language), and ``next`` must be ours."""
    congress = visible_congress(request, congress_slug)
    fallback = reverse("agenda:schedule", kwargs={"congress_slug": congress.slug})
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = fallback
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language in settings.INTERFACE_LANGUAGES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    patch_cache_control(response, no_store=True)
    return response
