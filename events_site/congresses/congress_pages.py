"""Organiser pages for a congress itself: create one from ``/manage/`` (an owner in the
organisation), optionally with the set-up of a congress they manage; edit its settings and copy
a set-up into a draft (congress.manage). All go through the core's services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services, setup_copy
from .congress_forms import CongressForm, CopySetupForm, organisations_for
from .edit_conflicts import EditConflict
from .enums import CongressStatus, Perm
from .models import AuditEntry, Congress
from .permissions import congress_perm_required


def _render(request, form, congress=None, copy_form=None):
    return render(
        request,
        "congresses/manage/congress_form.html",
        {
            "congress": congress,
            "form": form,
            "copy_form": copy_form,
            "time_zones": form.time_zones,
        },
    )


def _create(request, form, copy_form):
    """Create the congress (with the chosen set-up copied into it, all or nothing)."""
    source = copy_form.cleaned_data.get("source")
    if source is None:
        return services.create_congress(
            organisation=form.cleaned_data["organisation"],
            by=request.user,
            **form.congress_fields(),
        )
    if form.cleaned_data["status"] != CongressStatus.DRAFT:
        form.add_error(
            "status", _("A congress with a copied set-up starts as a draft: check it first.")
        )
        return None
    congress, _counts = setup_copy.create_congress_with_setup(
        organisation=form.cleaned_data["organisation"],
        by=request.user,
        source=source,
        parts=copy_form.cleaned_data["parts"],
        **form.congress_fields(),
    )
    return congress


@login_required
def congress_new(request):
    organisations = organisations_for(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = CongressForm(request.POST or None, instance=Congress(), organisations=organisations)
    copy_form = CopySetupForm(
        request.POST or None, user=request.user, required=False, prefix="copy"
    )
    if request.method == "POST" and all([form.is_valid(), copy_form.is_valid()]):
        try:
            congress = _create(request, form, copy_form)
        except ValidationError as error:
            form.add_error(None, error)
        except setup_copy.SetupCopyRefused as error:
            copy_form.add_error(None, error.message)
        else:
            if congress is not None:
                messages.success(request, _("Congress created. You are its owner."))
                if copy_form.cleaned_data.get("source") is not None:
                    return redirect("congresses:copy_setup", congress_slug=congress.slug)
                return redirect("congresses:backoffice", congress_slug=congress.slug)
    return _render(request, form, copy_form=copy_form)


@congress_perm_required(Perm.MANAGE_CONGRESS)
def congress_settings(request, congress):
    form = CongressForm(request.POST or None, instance=congress)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_congress(
                congress=Congress.objects.get(pk=congress.pk),
                by=request.user,
                shown_fingerprint=form.cleaned_data.get("fingerprint"),
                **form.congress_fields(),
            )
        except EditConflict as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Congress settings saved."))
            return redirect("congresses:settings", congress_slug=saved.slug)
    return _render(request, form, congress)


def _last_copy(congress) -> dict | None:
    """What the last copy into ``congress`` brought, read from its audit entry."""
    entry = (
        AuditEntry.objects.filter(congress=congress, action=setup_copy.SETUP_COPIED)
        .order_by("-created_at", "-id")
        .first()
    )
    if entry is None:
        return None
    data = entry.data or {}
    return {
        "at": entry.created_at,
        "by": entry.actor_label,
        "source": data.get("source", ""),
        "days_shifted": data.get("days_shifted", 0),
        "parts": setup_copy.summary(data.get("counts") or {}),
    }


@congress_perm_required(Perm.MANAGE_CONGRESS)
def copy_setup_page(request, congress):
    """Copy the set-up of a congress the person manages into this one, while it is a draft;
    only the parts it has none of yet can be chosen."""
    present = setup_copy.parts_present(congress)
    posted = request.POST if request.method == "POST" else None
    form = CopySetupForm(posted, user=request.user, target=congress, present=present)
    is_draft = congress.is_draft
    if posted is not None and is_draft and form.is_valid():
        try:
            setup_copy.copy_setup(
                source=form.cleaned_data["source"],
                target=congress,
                by=request.user,
                parts=form.cleaned_data["parts"],
            )
        except setup_copy.SetupCopyRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The set-up was copied."))
            return redirect("congresses:copy_setup", congress_slug=congress.slug)
    return render(
        request,
        "congresses/manage/copy_setup.html",
        {
            "congress": congress,
            "form": form,
            "is_draft": is_draft,
            "everything_present": present >= {p.key for p in setup_copy.setup_parts()},
            "last_copy": _last_copy(congress),
        },
    )
