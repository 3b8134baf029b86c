"""Organiser pages for session tags (programme.manage): list with session counts, create, edit,
delete after a confirmation, each through the agenda's services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import selectors, services
from ..errors import InvalidProgrammeData
from ..forms import TagForm
from ..models import Tag


def _tag(congress, tag_id: int) -> Tag:
    return get_object_or_404(Tag, congress=congress, pk=tag_id)


def _to_list(congress):
    return redirect("agenda:manage_tags", congress_slug=congress.slug)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def tag_list(request, congress):
    query = request.GET.get("q", "").strip()[:100]
    tags = selectors.tags_with_counts(congress)
    if query:
        tags = tags.filter(name__icontains=query)
    page = Paginator(tags, 100).get_page(request.GET.get("page"))
    return render(
        request, "agenda/manage/tags.html", {"congress": congress, "page": page, "query": query}
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def tag_edit(request, congress, tag_id: int | None = None):
    tag = _tag(congress, tag_id) if tag_id else None
    form = TagForm(request.POST or None, instance=tag or Tag(congress=congress), congress=congress)
    if request.method == "POST" and form.is_valid():
        try:
            if tag is None:
                services.create_tag(congress=congress, by=request.user, **form.tag_fields())
            else:
                services.update_tag(
                    tag=tag,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint"),
                    **form.tag_fields(),
                )
        except (EditConflict, InvalidProgrammeData) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Tag saved."))
            return _to_list(congress)
    return render(
        request, "agenda/manage/tag_form.html", {"congress": congress, "tag": tag, "form": form}
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def tag_delete(request, congress, tag_id: int):
    """GET asks for confirmation (saying how many sessions carry the tag); POST deletes."""
    tag = _tag(congress, tag_id)
    if request.method == "POST":
        detached = services.delete_tag(tag=tag, by=request.user)
        messages.success(
            request,
            ngettext(
                "Tag deleted; it was taken off %(n)s session.",
                "Tag deleted; it was taken off %(n)s sessions.",
                detached,
            )
            % {"n": detached},
        )
        return _to_list(congress)
    return render(
        request,
        "agenda/manage/tag_delete.html",
        {"congress": congress, "tag": tag, "session_count": tag.sessions.count()},
    )
