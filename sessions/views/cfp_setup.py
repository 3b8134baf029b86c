"""Organiser pages that edit and delete one part of a call (programme.manage): a proposal type,
a question, an access code, a score category or a review phase, each through
``services.cfp_setup``; a refused deletion says what uses the part."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from ..errors import CallSetupRefused
from ..models import CallForProposals
from ..services import cfp_setup
from .cfp_manage import add_refusal, part_form


def _part(congress, call_slug: str, kind: str, part_id: int):
    if kind not in cfp_setup.PART_MODELS:
        raise Http404
    call = get_object_or_404(CallForProposals, congress=congress, slug=call_slug)
    part = get_object_or_404(cfp_setup.PART_MODELS[kind], call=call, pk=part_id)
    return call, part


def _to_call(call):
    return redirect("agenda:manage_call", congress_slug=call.congress.slug, call_slug=call.slug)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def part_edit(request, congress, call_slug: str, kind: str, part_id: int):
    call, part = _part(congress, call_slug, kind, part_id)
    form = part_form(kind, call, request.POST or None, instance=part)
    if request.method == "POST" and form.is_valid():
        fields, m2m = form.part_fields()
        try:
            cfp_setup.save_call_part(
                call=call, kind=kind, by=request.user, part=part, fields=fields, m2m=m2m
            )
        except CallSetupRefused as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Saved."))
            return _to_call(call)
    return render(
        request,
        "agenda/manage/cfp_part.html",
        {"congress": congress, "call": call, "part": part, "kind": kind, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def part_delete(request, congress, call_slug: str, kind: str, part_id: int):
    call, part = _part(congress, call_slug, kind, part_id)
    try:
        cfp_setup.delete_call_part(part=part, by=request.user)
    except CallSetupRefused as error:
        messages.error(request, error.message)
        return redirect(
            "agenda:manage_call_part",
            congress_slug=congress.slug,
            call_slug=call.slug,
            kind=kind,
            part_id=part.pk,
        )
    messages.success(request, _("Deleted."))
    return _to_call(call)


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def part_move(request, congress, call_slug: str, kind: str, part_id: int):
    """One place up or down (``direction``), back to the call's page at the part's list."""
    call, part = _part(congress, call_slug, kind, part_id)
    if kind not in cfp_setup.ORDERED_KINDS:
        raise Http404
    try:
        cfp_setup.move_call_part(
            part=part, direction=request.POST.get("direction", ""), by=request.user
        )
    except CallSetupRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Moved."))
    response = _to_call(call)
    response["Location"] += f"#parts-{kind}"
    return response
