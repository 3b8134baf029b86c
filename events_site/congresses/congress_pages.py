"""Organiser pages for a congress itself: create one from ``/manage/`` (an owner in the
organisation), edit its settings (congress.manage). Both go through the core's services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .congress_forms import CongressForm, organisations_for
from .edit_conflicts import EditConflict
from .enums import Perm
from .models import Congress
from .permissions import congress_perm_required


def _render(request, form, congress=None):
    return render(
        request,
        "congresses/manage/congress_form.html",
        {"congress": congress, "form": form, "time_zones": form.time_zones},
    )


@login_required
def congress_new(request):
    organisations = organisations_for(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = CongressForm(request.POST or None, instance=Congress(), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            congress = services.create_congress(
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                **form.congress_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Congress created. You are its owner."))
            return redirect("congresses:backoffice", congress_slug=congress.slug)
    return _render(request, form)


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
