""" "Now and next" screens for room doors and the foyer: an HTML page that works alone (a
``<noscript>`` meta refresh) and, with its script, polls a JSON endpoint and keeps the last
content when the connection drops. Public like the programme; never cached (they are "now")."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .. import screens, selectors
from ..wallclock import time_label
from .common import visible_congress


def _screen(request, congress_slug: str, room_id: int | None) -> dict:
    congress = visible_congress(request, congress_slug)
    version = selectors.latest_version(congress)
    programme = selectors.programme_of(version) if version else None
    if room_id is not None and (programme is None or room_id not in programme.rooms):
        raise Http404
    at = screens.screen_time(request.GET.get("at"))
    rooms = screens.now_and_next(programme, at=at, room_id=room_id) if programme else []
    return {
        "congress": congress,
        "programme": programme,
        "rooms": rooms,
        "room": rooms[0].room if room_id is not None else None,
        "at": at,
        "at_label": time_label(at, congress.tz),
        "poll_seconds": screens.poll_seconds(rooms, at=at),
        "fixed_time": bool(request.GET.get("at")) and screens.time_override_allowed(),
    }


def _fresh(response):
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


def _page(request, congress_slug: str, room_id: int | None):
    context = _screen(request, congress_slug, room_id)
    return _fresh(render(request, "agenda/screens/screen.html", context))


def _json(request, congress_slug: str, room_id: int | None):
    context = _screen(request, congress_slug, room_id)
    with timezone.override(context["congress"].tz):
        html = render_to_string("agenda/screens/_rooms.html", context, request=request)
    return _fresh(
        JsonResponse(
            {
                "at": context["at"].isoformat(),
                "at_label": context["at_label"],
                "zone": context["congress"].time_zone,
                "poll_seconds": context["poll_seconds"],
                "html": html,
            }
        )
    )


@require_safe
def venue_screen(request, congress_slug: str):
    return _page(request, congress_slug, None)


@require_safe
def room_screen(request, congress_slug: str, room_id: int):
    return _page(request, congress_slug, room_id)


@require_safe
def venue_screen_json(request, congress_slug: str):
    return _json(request, congress_slug, None)


@require_safe
def room_screen_json(request, congress_slug: str, room_id: int):
    return _json(request, congress_slug, room_id)
