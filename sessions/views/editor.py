"""The timetable editor (``/<congress>/manage/agenda/editor/<date>/``): a day as a grid of rooms
and wall-clock rows, with the queue of sessions waiting for a place beside it.

The page reads without JavaScript (the grid read-only, each session linking to its form); the
editor's script places, moves, resizes and unschedules through the JSON endpoints below, which
call ``services.editor`` and answer with the reason of a refusal or the warnings of a move.
"""

from __future__ import annotations

import datetime as dt
import json

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Room
from events_site.congresses.permissions import congress_perm_required

from ..editor_grid import card_json, editor_day, parse_queue_filters, session_card
from ..enums import SessionFormat
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Session, Track
from ..services import editor as editor_services

MAX_BODY = 4096
MAX_CHANGES = 500


def _day(congress, value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc
    if day not in congress.days:
        raise Http404
    return day


def _script_messages() -> dict[str, str]:
    """The editor script's sentences, translated here (the site has no JavaScript catalogue)."""
    return {
        "%(room)s, %(start)s to %(end)s": _("%(room)s, %(start)s to %(end)s"),
        "%(n)s minutes later": _("%(n)s minutes later"),
        "The server did not answer.": _("The server did not answer."),
        "%(title)s saved: %(where)s.": _("%(title)s saved: %(where)s."),
        "%(title)s not moved: %(reason)s": _("%(title)s not moved: %(reason)s"),
        "%(title)s: move cancelled.": _("%(title)s: move cancelled."),
        "%(title)s held at %(where)s. Arrow keys move it, Shift with arrows changes its "
        "length, Enter saves, Escape cancels.": _(
            "%(title)s held at %(where)s. Arrow keys move it, Shift with arrows changes its "
            "length, Enter saves, Escape cancels."
        ),
        "%(title)s is back in the queue.": _("%(title)s is back in the queue."),
        "Changed by someone else since this page loaded.": _(
            "Changed by someone else since this page loaded."
        ),
        "Changed by someone else: %(titles)s.": _("Changed by someone else: %(titles)s."),
    }


@require_GET
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def editor_start(request, congress):
    """The editor opens on the congress's first day."""
    return redirect(
        "agenda:manage_editor", congress_slug=congress.slug, day=congress.start_date.isoformat()
    )


@require_GET
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def editor(request, congress, day: str):
    the_day = _day(congress, day)
    tracks = list(Track.objects.filter(congress=congress))
    filters = parse_queue_filters(request.GET, tracks)
    grid = editor_day(congress, the_day, filters)
    return render(
        request,
        "agenda/manage/editor.html",
        {
            "congress": congress,
            "grid": grid,
            "edit_base": reverse(
                "agenda:manage_session_edit", kwargs={"congress_slug": congress.slug, "code": "X"}
            )[:-2],
            "filters": filters,
            "formats": SessionFormat.choices,
            "days": congress.days,
            "loaded_at": timezone.now().isoformat(),
            "editor_data": {
                "slot": grid.slot,
                "day": the_day.isoformat(),
                "unavailable": grid.unavailable,
                "loadedAt": timezone.now().isoformat(),
                "messages": _script_messages(),
            },
        },
    )


class BadRequest(Exception):
    pass


def _body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise BadRequest(_("The request is too large."))
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(_("The request is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise BadRequest(_("The request is not valid JSON."))
    return data


def _text(data: dict, name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > 64 or "\x00" in value:
        raise BadRequest(_("Missing or invalid field: %(name)s.") % {"name": name})
    return value


def _session(congress, data: dict) -> Session:
    code = _text(data, "session")
    session = (
        Session.objects.select_related("room", "track").filter(congress=congress, code=code).first()
    )
    if session is None:
        raise Http404
    session.congress = congress
    return session


def _refusal(session: Session, congress, reason: str, kind: str, status: int) -> JsonResponse:
    session.refresh_from_db()
    return JsonResponse(
        {
            "ok": False,
            "kind": kind,
            "reason": reason,
            "session": card_json(session_card(session, congress)),
        },
        status=status,
    )


def _saved(saved, congress) -> JsonResponse:
    return JsonResponse(
        {
            "ok": True,
            "session": card_json(session_card(saved.session, congress)),
            "warnings": [str(w.message) for w in saved.warnings],
        }
    )


def _json_endpoint(view):
    """Bad input is a 400 with a reason, never a 500; errors of the domain keep their status."""

    def wrapped(request, congress, *args, **kwargs):
        try:
            return view(request, congress, *args, **kwargs)
        except BadRequest as exc:
            return JsonResponse(
                {"ok": False, "kind": "bad_request", "reason": str(exc)}, status=400
            )

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
@_json_endpoint
def editor_move(request, congress):
    """Place or move a session: ``{"session", "room", "start", "minutes", "version", "fold"?}``,
    ``start`` the congress-local wall-clock ``YYYY-MM-DDTHH:MM``."""
    data = _body(request)
    session = _session(congress, data)
    room_id = data.get("room")
    if not isinstance(room_id, int) or isinstance(room_id, bool):
        raise BadRequest(_("Missing or invalid field: %(name)s.") % {"name": "room"})
    room = Room.objects.select_related("venue").filter(pk=room_id, venue__congress=congress).first()
    if room is None:
        raise BadRequest(_("That room belongs to another congress."))
    try:
        start = dt.datetime.strptime(_text(data, "start"), "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise BadRequest(_("Missing or invalid field: %(name)s.") % {"name": "start"}) from exc
    minutes = data.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise BadRequest(_("Missing or invalid field: %(name)s.") % {"name": "minutes"})
    fold = data.get("fold")
    if fold not in (None, 0, 1) or isinstance(fold, bool):
        raise BadRequest(_("Missing or invalid field: %(name)s.") % {"name": "fold"})
    version = _text(data, "version", required=False)
    try:
        saved = editor_services.place_session(
            session=session,
            by=request.user,
            room=room,
            start=start,
            minutes=minutes,
            fold=fold,
            shown_version=version,
        )
    except ScheduleConflict as exc:
        reason = " ".join(str(c.message) for c in exc.conflicts)
        return _refusal(session, congress, reason, "conflict", 409)
    except EditConflict as exc:
        return _refusal(session, congress, str(exc.message), "stale", 409)
    except InvalidProgrammeData as exc:
        return _refusal(session, congress, str(exc.message), "invalid", 400)
    return _saved(saved, congress)


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
@_json_endpoint
def editor_unschedule(request, congress):
    """Back to the queue: ``{"session", "version"}``."""
    data = _body(request)
    session = _session(congress, data)
    try:
        saved = editor_services.unschedule_session(
            session=session, by=request.user, shown_version=_text(data, "version", required=False)
        )
    except EditConflict as exc:
        return _refusal(session, congress, str(exc.message), "stale", 409)
    return _saved(saved, congress)


@require_GET
@congress_perm_required(Perm.MANAGE_PROGRAMME)
@_json_endpoint
def editor_changes(request, congress):
    """Sessions changed since ``since`` (an ISO time the page or the last poll was given)."""
    now = timezone.now()
    if not request.GET.get("since"):  # the first poll: nothing yet, and the time to ask from
        return JsonResponse({"now": now.isoformat(), "sessions": []})
    try:
        since = dt.datetime.fromisoformat(request.GET["since"][:64])
    except ValueError as exc:
        raise BadRequest(_("Missing or invalid field: %(name)s.") % {"name": "since"}) from exc
    if timezone.is_naive(since):
        since = timezone.make_aware(since, dt.UTC)
    changed = list(
        Session.objects.filter(congress=congress, updated_at__gt=since)
        .select_related("track")
        .prefetch_related("roles__speaker")
        .order_by("updated_at")[:MAX_CHANGES]
    )
    return JsonResponse(
        {
            "now": now.isoformat(),
            "sessions": [card_json(session_card(s, congress)) for s in changed],
        }
    )
