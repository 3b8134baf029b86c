"""Organiser forms. They parse and present; the rules live in ``services`` (errors come back
from there and are shown on the form)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events_site.congresses.colours import HEX_COLOUR, MARKER_CONTRAST, contrast_ratio
from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm
from events_site.congresses.models import Congress, Room

from .enums import SessionFormat, SessionStatus, SpeakerRole
from .models import Speaker, Track
from .services.programme import SESSION_FIELDS, TRACK_EDIT_FIELDS
from .services.scheduling import wall_clock_conflict
from .wallclock import aware, repeats

ROLE_FIELDS = (
    ("moderators", SpeakerRole.MODERATOR, _("Moderators")),
    ("speakers", SpeakerRole.SPEAKER, _("Speakers")),
    ("panellists", SpeakerRole.PANELLIST, _("Panellists")),
    ("rapporteurs", SpeakerRole.RAPPORTEUR, _("Rapporteurs")),
)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


FOLD_CHOICES = (
    ("", _("Not needed")),
    ("0", _("The first (before the clocks go back)")),
    ("1", _("The second (after the clocks go back)")),
)


def _fold_field(label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=FOLD_CHOICES,
        required=False,
        help_text=_("Only for a time in the hour that happens twice when the clocks go back."),
    )


class SessionForm(Form):
    """Times are entered in the congress's own zone, whatever the organiser's browser says. A
    time that happens twice (clocks going back) needs its fold: which of the two is meant."""

    title = forms.CharField(label=_("Title"), max_length=300)
    abstract = forms.CharField(label=_("Abstract"), widget=forms.Textarea, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=SessionFormat.choices)
    status = forms.ChoiceField(label=_("Status"), choices=SessionStatus.choices)
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    starts_at_fold = _fold_field(_("Which start time"))
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at_fold = _fold_field(_("Which end time"))
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpretation_languages = forms.MultipleChoiceField(
        label=_("Interpretation into"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    captioning = forms.BooleanField(label=_("Live captioning"), required=False)
    capacity = forms.IntegerField(label=_("Sign-up capacity"), min_value=1, required=False)
    expected_attendance = forms.IntegerField(
        label=_("Expected attendance"), min_value=1, required=False
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=400
    )

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["track"].queryset = Track.objects.filter(congress=congress)
        self.fields["room"].queryset = Room.objects.filter(venue__congress=congress)
        for name, _role, label in ROLE_FIELDS:
            self.fields[name] = forms.ModelMultipleChoiceField(
                label=label,
                queryset=Speaker.objects.filter(congress=congress),
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )

    def _naive(self, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=None)

    def clean_starts_at(self):
        return self._naive(self.cleaned_data.get("starts_at"))

    def clean_ends_at(self):
        return self._naive(self.cleaned_data.get("ends_at"))

    def clean(self):
        """Read each wall-clock time in the congress's zone: one that never happens is refused,
        one that happens twice needs its fold."""
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            naive = data.get(name)
            if naive is None:
                continue
            chosen = data.get(f"{name}_fold") or ""
            fold = int(chosen) if chosen else None
            conflict = wall_clock_conflict(naive, self.congress, fold=fold)
            if conflict is not None:
                self.add_error(name, conflict.message)
            else:
                data[name] = aware(naive, self.congress.tz, fold=fold or 0)
        return data

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        tags = []
        for part in raw.split(","):
            tag = part.strip()[:40]
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in SESSION_FIELDS}

    def speaker_assignments(self) -> list[tuple[Speaker, str]]:
        result = []
        for name, role, _label in ROLE_FIELDS:
            result.extend((speaker, str(role)) for speaker in self.cleaned_data.get(name) or [])
        return result

    @classmethod
    def initial_for(cls, session) -> dict:
        tz = session.congress.tz
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        initial = {
            "title": session.title,
            "abstract": session.abstract,
            "format": session.format,
            "status": session.status,
            "track": session.track_id,
            "room": session.room_id,
            "starts_at": start.replace(tzinfo=None),
            "starts_at_fold": str(start.fold) if repeats(start) else "",
            "ends_at": end.replace(tzinfo=None),
            "ends_at_fold": str(end.fold) if repeats(end) else "",
            "languages": session.languages,
            "interpretation_languages": session.interpretation_languages,
            "captioning": session.captioning,
            "capacity": session.capacity,
            "expected_attendance": session.expected_attendance,
            "tags": ", ".join(session.tags or []),
        }
        for name, role, _label in ROLE_FIELDS:
            initial[name] = [r.speaker_id for r in session.roles.all() if r.role == role]
        return initial


class SpeakerForm(ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "title", "organisation", "city", "country", "bio", "photo"]


class PublishForm(Form):
    comment = forms.CharField(label=_("Comment (shown publicly)"), max_length=300, required=False)


class TrackForm(ModelForm):
    """A track as an organiser edits it: a colour that shows on white (the timetable draws it
    as a stripe), a slug unique in the congress, and the edit fingerprint."""

    fingerprint = FingerprintField()

    class Meta:
        model = Track
        fields = ["name", "slug", "colour", "description"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["description"].validators.append(MaxLengthValidator(2000))
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, TRACK_EDIT_FIELDS)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = Track.objects.filter(congress=self.congress, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Another track of this congress has this slug."), code="duplicate"
            )
        return slug

    def clean_colour(self):
        colour = self.cleaned_data["colour"]
        if HEX_COLOUR.match(colour):
            ratio = contrast_ratio(colour, "#ffffff")
            if ratio < MARKER_CONTRAST:
                raise forms.ValidationError(
                    _(
                        "This colour is too pale to see on the timetable's white background "
                        "(contrast %(ratio)s:1, it needs at least %(needed)s:1): choose a "
                        "darker one."
                    ),
                    code="low_contrast",
                    params={"ratio": f"{ratio:.1f}", "needed": f"{MARKER_CONTRAST:g}"},
                )
        return colour

    def track_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "slug", "colour", "description")}
