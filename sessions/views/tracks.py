"""Organiser pages for tracks (programme.manage): list in order, create, edit, move, delete,
each through the agenda's services."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import services
from ..errors import InvalidProgrammeData
from ..forms import TrackForm
from ..models import Track


def _track(congress, track_id: int) -> Track:
    return get_object_or_404(Track, congress=congress, pk=track_id)


def _to_list(congress):
    return redirect("agenda:manage_tracks", congress_slug=congress.slug)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def track_list(request, congress):
    tracks = (
        Track.objects.filter(congress=congress)
        .annotate(session_count=Count("sessions"))
        .order_by("position", "name", "pk")
    )
    return render(request, "agenda/manage/tracks.html", {"congress": congress, "tracks": tracks})


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def track_edit(request, congress, track_id: int | None = None):
    track = _track(congress, track_id) if track_id else None
    form = TrackForm(
        request.POST or None, instance=track or Track(congress=congress), congress=congress
    )
    if request.method == "POST" and form.is_valid():
        try:
            if track is None:
                last = Track.objects.filter(congress=congress).count()
                services.create_track(
                    congress=congress, by=request.user, position=last, **form.track_fields()
                )
            else:
                services.update_track(
                    track=track,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint"),
                    **form.track_fields(),
                )
        except (EditConflict, InvalidProgrammeData) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Track saved."))
            return _to_list(congress)
    return render(
        request,
        "agenda/manage/track_form.html",
        {"congress": congress, "track": track, "form": form},
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
@require_POST
def track_delete(request, congress, track_id: int):
    track = _track(congress, track_id)
    try:
        services.delete_track(track=track, by=request.user)
    except InvalidProgrammeData as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Track deleted."))
    return _to_list(congress)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
@require_POST
def track_move(request, congress, track_id: int):
    track = _track(congress, track_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose up or down."))
    else:
        services.move_track(track=track, by=request.user, offset=offset)
    return _to_list(congress)
