"""The organisers' page of a congress's registration settings (registrations.manage): a thin
view over ``services.setup``, so every save is validated and audited, a save over someone
else's change is refused, and times are entered and shown in the congress's own zone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from .errors import RegistrationError
from .models import RegistrationSettings
from .services.setup import reset_registration_settings, update_registration_settings
from .settings_forms import RegistrationSettingsForm


def _current(congress: Congress) -> RegistrationSettings:
    """The saved row, read fresh (not the per-request cache), or unsaved defaults."""
    return RegistrationSettings.objects.filter(congress=congress).first() or RegistrationSettings(
        congress=congress
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_settings(request, congress: Congress):
    with timezone.override(congress.tz):
        current = _current(congress)
        form = RegistrationSettingsForm(
            request.POST if request.method == "POST" else None,
            instance=current,
            congress=congress,
        )
        if request.method == "POST" and form.is_valid():
            try:
                update_registration_settings(
                    congress=congress,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint") or "",
                    **form.settings_fields(),
                )
            except EditConflict as error:
                form.add_error(None, error.message)
            except (ValidationError, RegistrationError) as error:
                form.add_error(None, getattr(error, "message", error))
            else:
                messages.success(request, _("Registration settings saved."))
                return redirect("registrations:manage_settings", congress_slug=congress.slug)
        return render(
            request,
            "registrations/manage/settings.html",
            {
                "congress": congress,
                "form": form,
                "saved": current.pk is not None,
                "zone": congress.time_zone,
                "can_manage_finance": has_congress_perm(
                    request.user, Perm.MANAGE_FINANCE, congress
                ),
            },
            status=400 if form.is_bound and form.errors else 200,
        )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_settings_reset(request, congress: Congress):
    """GET: ask; POST: every registration setting back to its default (payment methods kept)."""
    if request.method == "POST":
        reset_registration_settings(congress=congress, by=request.user)
        messages.success(request, _("The registration settings are back to their defaults."))
        return redirect("registrations:manage_settings", congress_slug=congress.slug)
    return render(request, "registrations/manage/settings_reset.html", {"congress": congress})
