"""The organiser's forms for venues and rooms (the model's rules, plus the edit fingerprint)."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .edit_conflicts import FingerprintField, fingerprint
from .forms import ModelForm
from .models import Room, Venue
from .services import ROOM_FIELDS, VENUE_FIELDS


class VenueForm(ModelForm):
    fingerprint = FingerprintField()

    class Meta:
        model = Venue
        fields = list(VENUE_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"), required=False, choices=[("", "—"), *countries]
        )
        for name, limit in (("address", 500), ("accessibility_notes", 2000)):
            self.fields[name].max_length = limit
            self.fields[name].validators.append(MaxLengthValidator(limit))
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, VENUE_FIELDS)

    def venue_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in VENUE_FIELDS}


class RoomForm(ModelForm):
    fingerprint = FingerprintField()

    class Meta:
        model = Room
        fields = list(ROOM_FIELDS)
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, venue: Venue, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue = venue
        self.fields["accessibility_notes"].max_length = 2000
        self.fields["accessibility_notes"].validators.append(MaxLengthValidator(2000))
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, ROOM_FIELDS)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Room.objects.filter(venue=self.venue, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("This venue already has a room with this name."), code="duplicate"
            )
        return name

    def room_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ROOM_FIELDS}
