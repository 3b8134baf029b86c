"""Printable timetables of the published programme (``programme.manage``): a page listing the
days and rooms, a PDF per day (rooms as columns) and a door-sign PDF per room."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import selectors
from ..print_timetable import day_pdf, room_pdf


def _programme(congress):
    version = selectors.latest_version(congress)
    return version, (selectors.programme_of(version) if version else None)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def print_index(request, congress):
    version, programme = _programme(congress)
    rooms = (
        sorted(programme.rooms.values(), key=lambda r: (r.position, r.name)) if programme else []
    )
    return render(
        request,
        "agenda/manage/print.html",
        {"congress": congress, "version": version, "programme": programme, "rooms": rooms},
    )


@require_safe
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def print_day(request, congress, day: str):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    _version, programme = _programme(congress)
    if programme is None or date not in congress.days:
        raise Http404
    data = day_pdf(congress=congress, programme=programme, day=date, language=get_language())
    return _pdf(data, f"{congress.slug}-{date.isoformat()}.pdf")


@require_safe
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def print_room(request, congress, room_id: int):
    _version, programme = _programme(congress)
    room = programme.rooms.get(room_id) if programme else None
    if room is None:
        raise Http404
    data = room_pdf(congress=congress, programme=programme, room=room, language=get_language())
    return _pdf(data, f"{congress.slug}-room-{room_id}.pdf")
