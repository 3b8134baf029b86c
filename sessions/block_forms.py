"""Organiser forms for breaks, block contributions, the speakers picker and speaker merges.
They parse; the rules live in ``services`` (``breaks``, ``blocks``, ``speaker_merge``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events_site.congresses.forms import Form, LocalDateTimeInput
from events_site.congresses.models import Congress, Room

from .enums import MAX_SESSION_MINUTES, BreakKind
from .models import Speaker
from .services.scheduling import wall_clock_conflict
from .wallclock import aware


def speaker_label(speaker: Speaker) -> str:
    """A speaker as the picker shows them: organisation and country tell namesakes apart."""
    extra = ", ".join(
        p
        for p in (speaker.organisation, countries.name(speaker.country) if speaker.country else "")
        if p
    )
    return f"{speaker.name} — {extra}" if extra else speaker.name


class SpeakerPickerField(forms.ModelMultipleChoiceField):
    """A plain multi-select of the congress's speakers (works without JS); ``speaker-picker.js``
    turns it into a search-as-you-type field over the JSON search endpoint."""

    def __init__(self, *, congress: Congress, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            queryset=Speaker.objects.filter(congress=congress).order_by("name", "code"),
            widget=forms.SelectMultiple(
                attrs={
                    "size": 6,
                    "data-speaker-picker": "",
                    "data-search-label": _("search by name or organisation"),
                    "data-remove-label": _("Remove"),
                    "data-none-label": _("No speaker matches."),
                    "data-search-url": reverse(
                        "agenda:manage_speaker_search", kwargs={"congress_slug": congress.slug}
                    ),
                }
            ),
            **kwargs,
        )

    def label_from_instance(self, obj: Speaker) -> str:
        return speaker_label(obj)


def _local_moment(form: forms.Form, name: str, congress: Congress) -> dt.datetime | None:
    naive = form.cleaned_data.get(name)
    if naive is None:
        return None
    naive = naive.replace(tzinfo=None)
    conflict = wall_clock_conflict(naive, congress, fold=None)
    if conflict is not None:
        form.add_error(name, conflict.message)
        return None
    return aware(naive, congress.tz)


class BreakForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=BreakKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    all_rooms = forms.BooleanField(label=_("In all rooms"), required=False, initial=True)
    rooms = forms.ModelMultipleChoiceField(
        label=_("Or only in these rooms"),
        queryset=Room.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["rooms"].queryset = Room.objects.filter(venue__congress=congress).order_by(
            "position", "name"
        )

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            if name in data:
                data[name] = _local_moment(self, name, self.congress)
        if not data.get("all_rooms") and not data.get("rooms"):
            self.add_error("rooms", _("Choose the rooms of the break, or all rooms."))
        return data

    def break_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "all_rooms": bool(data.get("all_rooms")),
            "rooms": list(data.get("rooms") or []),
        }

    @classmethod
    def initial_for(cls, brk) -> dict:
        tz = brk.congress.tz
        return {
            "title": brk.title,
            "kind": brk.kind,
            "starts_at": brk.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": brk.ends_at.astimezone(tz).replace(tzinfo=None),
            "all_rooms": brk.all_rooms,
            "rooms": [r.pk for r in brk.rooms.all()],
        }


class CopyBreakForm(Form):
    days = forms.TypedMultipleChoiceField(
        label=_("Copy to these days"),
        coerce=dt.date.fromisoformat,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, congress: Congress, own_day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [
            (day.isoformat(), formats.date_format(day, "l j F Y"))
            for day in congress.days
            if day != own_day
        ]


class ContributionForm(Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    abstract = forms.CharField(
        label=_("Abstract"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
    )
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=MAX_SESSION_MINUTES
    )

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speakers"] = SpeakerPickerField(congress=congress, label=_("Speakers"))

    def contribution_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "abstract", "minutes")}


class MergeSpeakersForm(Form):
    survivor = forms.ModelChoiceField(label=_("Keep this speaker"), queryset=Speaker.objects.none())
    duplicate = forms.ModelChoiceField(
        label=_("Merge this duplicate into it"), queryset=Speaker.objects.none()
    )

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        speakers = Speaker.objects.filter(congress=congress).order_by("name", "code")
        for name in ("survivor", "duplicate"):
            self.fields[name].queryset = speakers
            self.fields[name].label_from_instance = speaker_label
            self.fields[name].to_field_name = "code"

    def clean(self):
        data = super().clean()
        if data.get("survivor") and data.get("survivor") == data.get("duplicate"):
            raise forms.ValidationError(_("Choose two different speakers."))
        return data
