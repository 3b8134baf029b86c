"""A speaker's unavailable times, added and removed from the speaker's organiser page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.forms import Form, LocalDateTimeInput
from events_site.congresses.permissions import congress_perm_required

from ..errors import InvalidProgrammeData
from ..models import Speaker, SpeakerUnavailability
from ..services.availability import MAX_NOTE, add_unavailability, remove_unavailability
from ..wallclock import aware


class UnavailabilityForm(Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("From"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Until"), widget=LocalDateTimeInput())
    note = forms.CharField(label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False)


def _back(congress, speaker):
    return redirect("agenda:manage_speaker_edit", congress_slug=congress.slug, code=speaker.code)


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def unavailability_add(request, congress, code: str):
    """Times typed are read in the congress's zone (a repeated hour as its first reading)."""
    speaker = get_object_or_404(Speaker, congress=congress, code=code)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        tz = congress.tz
        try:
            add_unavailability(
                speaker=speaker,
                by=request.user,
                starts_at=aware(form.cleaned_data["starts_at"].replace(tzinfo=None), tz),
                ends_at=aware(form.cleaned_data["ends_at"].replace(tzinfo=None), tz),
                note=form.cleaned_data["note"],
            )
        except InvalidProgrammeData as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Unavailable time added."))
            return _back(congress, speaker)
    return render(
        request,
        "agenda/manage/speaker_unavailability.html",
        {"congress": congress, "speaker": speaker, "form": form},
        status=400,
    )


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def unavailability_delete(request, congress, code: str, block_id: int):
    speaker = get_object_or_404(Speaker, congress=congress, code=code)
    block = get_object_or_404(SpeakerUnavailability, speaker=speaker, pk=block_id)
    remove_unavailability(block=block, by=request.user)
    messages.success(request, _("Unavailable time removed."))
    return _back(congress, speaker)
