"""Organiser pages for badge layouts (badges.manage): list, create, edit with a rendered preview
of a real badge, delete. Every change goes through ``layouts.py`` (validated and audited)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events_site.congresses import soft_cache
from events_site.congresses.edit_conflicts import EditConflict, fingerprint
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .enums import PageFormat
from .forms import BadgeLayoutForm, LayoutPreviewForm
from .layouts import LAYOUT_FIELDS, delete_badge_layout, save_badge_layout
from .models import BadgeLayout
from .previews import preview_png
from .selectors import LayoutChooser, delegates_per_layout

PREVIEW_CACHE_SECONDS = 3600


def _layout(congress, layout_id: int) -> BadgeLayout:
    return get_object_or_404(
        BadgeLayout.objects.select_related("registration_type"), congress=congress, pk=layout_id
    )


def _preview_choice(data) -> tuple[str, bool]:
    form = LayoutPreviewForm(data)
    form.is_valid()
    page_format = form.cleaned_data.get("page_format") or PageFormat.A6
    return page_format, form.cleaned_data.get("side") == "back"


@congress_perm_required(Perm.MANAGE_BADGES)
def layout_list(request, congress):
    chooser = LayoutChooser(congress)
    counts = delegates_per_layout(congress, chooser)
    layouts = sorted(chooser.layouts, key=lambda layout: (layout.position, layout.name))
    rows = [(layout, counts.get(layout.pk, 0)) for layout in layouts]
    return render(
        request,
        "badges/manage/layouts.html",
        {"congress": congress, "rows": rows, "built_in_count": counts.get(None, 0)},
    )


def _edit(request, congress, layout: BadgeLayout | None):
    instance = layout or BadgeLayout(congress=congress)
    form = BadgeLayoutForm(request.POST or None, instance=instance, congress=congress)
    preview_uri = ""
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            unsaved = form.save(commit=False)
            page_format, back = _preview_choice(request.POST)
            png = preview_png(congress, unsaved, page_format=page_format, back=back)
            preview_uri = "data:image/png;base64," + base64.b64encode(png).decode()
        else:
            try:
                saved = save_badge_layout(
                    congress=congress,
                    by=request.user,
                    layout=layout,
                    shown_fingerprint=form.cleaned_data.get("fingerprint") if layout else None,
                    **form.layout_fields(),
                )
            except EditConflict as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Badge layout saved."))
                return redirect(
                    "badges:layout_edit", congress_slug=congress.slug, layout_id=saved.pk
                )
    return render(
        request,
        "badges/manage/layout_form.html",
        {
            "congress": congress,
            "layout": layout,
            "form": form,
            "preview_uri": preview_uri,
            "preview_form": LayoutPreviewForm(request.POST or request.GET or None),
            "version": fingerprint(layout, LAYOUT_FIELDS) if layout else "",
        },
    )


@congress_perm_required(Perm.MANAGE_BADGES)
def layout_new(request, congress):
    return _edit(request, congress, None)


@congress_perm_required(Perm.MANAGE_BADGES)
def layout_edit(request, congress, layout_id: int):
    return _edit(request, congress, _layout(congress, layout_id))


@congress_perm_required(Perm.MANAGE_BADGES)
def layout_delete(request, congress, layout_id: int):
    layout = _layout(congress, layout_id)
    if request.method == "POST":
        delete_badge_layout(layout=layout, by=request.user)
        messages.success(request, _("Badge layout deleted."))
        return redirect("badges:layouts", congress_slug=congress.slug)
    return render(
        request, "badges/manage/layout_delete.html", {"congress": congress, "layout": layout}
    )


@never_cache
@congress_perm_required(Perm.MANAGE_BADGES)
@require_GET
def layout_preview(request, congress, layout_id: int):
    """The saved layout on one badge, as a PNG (kept in the cache until the layout changes)."""
    layout = _layout(congress, layout_id)
    page_format, back = _preview_choice(request.GET)
    version = fingerprint(layout, LAYOUT_FIELDS)
    key = f"convene:badge-preview:{layout.pk}:{version}:{page_format}:{int(back)}"
    png = soft_cache.get(key)
    if png is None:
        png = preview_png(congress, layout, page_format=page_format, back=back)
        soft_cache.set(key, png, PREVIEW_CACHE_SECONDS)
    return HttpResponse(png, content_type="image/png")
