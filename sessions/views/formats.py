"""Organiser pages for the session formats (programme.manage): every format with its default
duration at this congress, and a form to change one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import selectors, services
from ..enums import SessionFormat
from ..errors import InvalidProgrammeData
from ..forms import FormatSettingForm
from ..services.formats import format_setting_or_default


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def format_list(request, congress):
    return render(
        request,
        "agenda/manage/formats.html",
        {"congress": congress, "formats": selectors.format_defaults(congress)},
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def format_edit(request, congress, format: str):
    if format not in SessionFormat.values:
        raise Http404
    format = SessionFormat(format)
    setting = format_setting_or_default(congress, format)
    form = FormatSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_format_setting(
                congress=congress,
                by=request.user,
                format=format,
                shown_fingerprint=form.cleaned_data.get("fingerprint"),
                **form.format_fields(),
            )
        except (EditConflict, InvalidProgrammeData) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Format saved."))
            return redirect("agenda:manage_formats", congress_slug=congress.slug)
    return render(
        request,
        "agenda/manage/format_form.html",
        {"congress": congress, "format": format, "form": form},
    )
