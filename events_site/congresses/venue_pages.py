"""Organiser pages for venues and rooms (congress.manage): every change through the core's
services, so it is validated and audited; a save over someone else's edit is refused."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .edit_conflicts import EditConflict
from .enums import Perm
from .models import Room, Venue
from .permissions import congress_perm_required
from .venue_forms import RoomForm, VenueForm


def _venue(congress, venue_id: int) -> Venue:
    return get_object_or_404(Venue, congress=congress, pk=venue_id)


def _room(congress, room_id: int) -> Room:
    return get_object_or_404(
        Room.objects.select_related("venue"), venue__congress=congress, pk=room_id
    )


def _warn_about_room(request, room: Room) -> None:
    """Show what the agenda says about the changed room (``ROOM_CHANGE_WARNINGS``)."""
    if not settings.ROOM_CHANGE_WARNINGS:
        return
    for warning in import_string(settings.ROOM_CHANGE_WARNINGS)(room):
        messages.warning(request, warning)


def _list_url(congress) -> str:
    from django.urls import reverse

    return reverse("congresses:venues", kwargs={"congress_slug": congress.slug})


@congress_perm_required(Perm.MANAGE_CONGRESS)
def venue_list(request, congress):
    rooms = Room.objects.order_by("position", "name", "pk")
    venues = (
        Venue.objects.filter(congress=congress)
        .prefetch_related(Prefetch("rooms", queryset=rooms))
        .order_by("name", "pk")
    )
    return render(
        request, "congresses/manage/venues.html", {"congress": congress, "venues": venues}
    )


def _save(request, form, save, success):
    """Run a form's save through its service; errors land beside the form."""
    try:
        saved = save()
    except EditConflict as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        form.add_error(None, error)
    else:
        messages.success(request, success)
        return saved
    return None


@congress_perm_required(Perm.MANAGE_CONGRESS)
def venue_edit(request, congress, venue_id: int | None = None):
    venue = _venue(congress, venue_id) if venue_id else None
    form = VenueForm(request.POST or None, instance=venue or Venue(congress=congress))
    if request.method == "POST" and form.is_valid():
        if venue is None:
            saved = _save(
                request,
                form,
                lambda: services.add_venue(
                    congress=congress, by=request.user, **form.venue_fields()
                ),
                _("Venue added."),
            )
        else:
            saved = _save(
                request,
                form,
                lambda: services.update_venue(
                    venue=venue,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint"),
                    **form.venue_fields(),
                ),
                _("Venue saved."),
            )
        if saved is not None:
            return redirect(_list_url(congress))
    return render(
        request,
        "congresses/manage/venue_form.html",
        {"congress": congress, "venue": venue, "form": form},
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
def room_edit(request, congress, venue_id: int | None = None, room_id: int | None = None):
    room = _room(congress, room_id) if room_id else None
    venue = room.venue if room else _venue(congress, venue_id)
    form = RoomForm(request.POST or None, instance=room or Room(venue=venue), venue=venue)
    if request.method == "POST" and form.is_valid():
        if room is None:
            saved = _save(
                request,
                form,
                lambda: services.add_room(venue=venue, by=request.user, **form.room_fields()),
                _("Room added."),
            )
        else:
            saved = _save(
                request,
                form,
                lambda: services.update_room(
                    room=room,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint"),
                    **form.room_fields(),
                ),
                _("Room saved."),
            )
        if saved is not None:
            _warn_about_room(request, saved)
            return redirect(_list_url(congress))
    return render(
        request,
        "congresses/manage/room_form.html",
        {"congress": congress, "venue": venue, "room": room, "form": form},
    )


def _delete_after_confirming(request, congress, *, question: str, delete, done: str):
    """GET: ask ``question``; POST: run ``delete`` (refused while sessions use the room)."""
    if request.method == "POST":
        try:
            delete()
        except services.StillInUse as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect(_list_url(congress))
    return render(
        request,
        "congresses/manage/confirm_delete.html",
        {"congress": congress, "question": question},
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
def venue_delete(request, congress, venue_id: int):
    venue = _venue(congress, venue_id)
    return _delete_after_confirming(
        request,
        congress,
        question=_("Delete the venue “%(name)s” and all its rooms?") % {"name": venue.name},
        delete=lambda: services.delete_venue(venue=venue, by=request.user),
        done=_("Venue deleted."),
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
def room_delete(request, congress, room_id: int):
    room = _room(congress, room_id)
    return _delete_after_confirming(
        request,
        congress,
        question=_("Delete the room “%(name)s”?") % {"name": room.name},
        delete=lambda: services.delete_room(room=room, by=request.user),
        done=_("Room deleted."),
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
@require_POST
def room_move(request, congress, room_id: int):
    room = _room(congress, room_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose up or down."))
    else:
        services.move_room(room=room, by=request.user, offset=offset)
    return redirect(_list_url(congress) + f"#room-{room.pk}")
