"""Organiser pages for breaks across rooms (``programme.manage``): list, add, edit, delete and
copy to other days. Thin: each write is one call to ``services.breaks``."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from ..block_forms import BreakForm, CopyBreakForm
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Break
from ..services import breaks as break_services


def _report(form, exc) -> None:
    if isinstance(exc, ScheduleConflict):
        for conflict in exc.conflicts:
            form.add_error(None, conflict.message)
    else:
        form.add_error(None, exc.message)


def _break(congress, break_code: str) -> Break:
    brk = get_object_or_404(Break, congress=congress, code=break_code)
    brk.congress = congress
    return brk


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def break_list(request, congress):
    breaks = Break.objects.filter(congress=congress).prefetch_related("rooms")
    return render(
        request,
        "agenda/manage/breaks.html",
        {"congress": congress, "breaks": breaks.order_by("starts_at", "code")},
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def break_edit(request, congress, break_code: str | None = None):
    brk = _break(congress, break_code) if break_code else None
    initial = BreakForm.initial_for(brk) if brk else None
    form = BreakForm(request.POST or None, congress=congress, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if brk is None:
                brk = break_services.create_break(
                    congress=congress, by=request.user, **form.break_fields()
                )
            else:
                break_services.update_break(brk=brk, by=request.user, **form.break_fields())
        except (ScheduleConflict, InvalidProgrammeData) as exc:
            _report(form, exc)
            brk = _break(congress, break_code) if break_code else None
        else:
            messages.success(request, _("Break saved."))
            return redirect("agenda:manage_breaks", congress_slug=congress.slug)
    return render(
        request, "agenda/manage/break_form.html", {"congress": congress, "form": form, "brk": brk}
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def break_delete(request, congress, break_code: str):
    brk = _break(congress, break_code)
    if request.method == "POST":
        break_services.delete_break(brk=brk, by=request.user)
        messages.success(request, _("Break deleted."))
        return redirect("agenda:manage_breaks", congress_slug=congress.slug)
    return render(request, "agenda/manage/break_delete.html", {"congress": congress, "brk": brk})


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def break_copy(request, congress, break_code: str):
    brk = _break(congress, break_code)
    own_day = brk.starts_at.astimezone(congress.tz).date()
    form = CopyBreakForm(request.POST or None, congress=congress, own_day=own_day)
    if request.method == "POST" and form.is_valid():
        try:
            copies = break_services.copy_break(
                brk=brk, days=form.cleaned_data["days"], by=request.user
            )
        except (ScheduleConflict, InvalidProgrammeData) as exc:
            _report(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "The break was copied to %(n)s day.",
                    "The break was copied to %(n)s days.",
                    len(copies),
                )
                % {"n": len(copies)},
            )
            return redirect("agenda:manage_breaks", congress_slug=congress.slug)
    return render(
        request,
        "agenda/manage/break_copy.html",
        {"congress": congress, "form": form, "brk": brk, "own_day": own_day},
    )
