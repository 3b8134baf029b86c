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
from events_site.congresses.forms import Form, LocalDateTimeInput, ModelForm
from events_site.congresses.models import Congress, Room
from events_site.congresses.translation_forms import add_translation_fields, translations_from

from . import selectors
from .block_forms import SpeakerPickerField
from .enums import (
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    SessionFormat,
    SessionStatus,
    SpeakerRole,
)
from .errors import InvalidProgrammeData
from .models import FormatSetting, Session, Speaker, Tag, Track
from .services.formats import FORMAT_EDIT_FIELDS
from .services.programme import SESSION_FIELDS, TRACK_EDIT_FIELDS
from .services.scheduling import wall_clock_conflict
from .services.tags import TAG_EDIT_FIELDS
from .services.widget import parse_origin
from .wallclock import aware, repeats

ROLE_FIELDS = (
    ("chairs", SpeakerRole.CHAIR, _("Chairs")),
    ("moderators", SpeakerRole.MODERATOR, _("Moderators")),
    ("speakers", SpeakerRole.SPEAKER, _("Speakers")),
    ("panellists", SpeakerRole.PANELLIST, _("Panellists")),
    ("rapporteurs", SpeakerRole.RAPPORTEUR, _("Rapporteurs")),
)


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


def _format_choice_label(defaults) -> str:
    if defaults.name != defaults.standard_name:
        return f"{defaults.name} ({defaults.standard_name})"
    return defaults.name


def _marker_colour(colour: str) -> str:
    """A colour drawn as a marker on the white timetable must reach WCAG's 3:1 for graphics."""
    if colour and HEX_COLOUR.match(colour):
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
        label=_("Ends"),
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
        required=False,
        help_text=_("Leave empty to end after the format’s default duration."),
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
    recording_allowed = forms.BooleanField(
        label=_("Recording allowed"),
        required=False,
        initial=True,
        help_text=_("The speakers agree to this session being recorded and streamed."),
    )
    capacity = forms.IntegerField(label=_("Sign-up capacity"), min_value=1, required=False)
    expected_attendance = forms.IntegerField(
        label=_("Expected attendance"), min_value=1, required=False
    )
    attendance_scanning = forms.BooleanField(
        label=_("Scan delegates into the room"),
        required=False,
        help_text=_("With a sign-up capacity, only delegates with a seat come in."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, congress: Congress, session: Session | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.session = session or Session(congress=congress)
        self.fields["track"].queryset = Track.objects.filter(congress=congress)
        self.fields["room"].queryset = Room.objects.filter(venue__congress=congress)
        self.fields["tags"].queryset = Tag.objects.filter(congress=congress).order_by("name")
        self.format_defaults = {d.format.value: d for d in selectors.format_defaults(congress)}
        self.fields["format"].choices = [
            (value, _format_choice_label(d)) for value, d in self.format_defaults.items()
        ]
        for name, _role, label in ROLE_FIELDS:
            self.fields[name] = SpeakerPickerField(congress=congress, label=label)
        add_translation_fields(self, congress=congress, instance=self.session)

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
        start, defaults = data.get("starts_at"), self.format_defaults.get(data.get("format"))
        if (
            data.get("ends_at") is None
            and "ends_at" not in self.errors
            and start is not None
            and start.tzinfo is not None
            and defaults is not None
        ):
            # In absolute time, so that a default across a clock change still lasts as long.
            data["ends_at"] = (start.astimezone(dt.UTC) + defaults.duration).astimezone(
                self.congress.tz
            )
        elif data.get("ends_at") is None and "ends_at" not in self.errors:
            self.add_error("ends_at", _("Give the end time."))
        return data

    def clean_tags(self) -> list[Tag]:
        return list(self.cleaned_data.get("tags") or [])

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in SESSION_FIELDS}

    def translation_fields(self) -> dict:
        """The other languages' titles and abstracts, for the same service call."""
        return {"translations": translations_from(self, self.session.translations)}

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
            "recording_allowed": session.recording_allowed,
            "capacity": session.capacity,
            "expected_attendance": session.expected_attendance,
            "attendance_scanning": session.attendance_scanning,
            "tags": [t.pk for t in session.tags.all()],
        }
        for name, role, _label in ROLE_FIELDS:
            initial[name] = [r.speaker_id for r in session.roles.all() if r.role == role]
        return initial


class SpeakerForm(ModelForm):
    class Meta:
        model = Speaker
        fields = [
            "name",
            "title",
            "organisation",
            "city",
            "country",
            "bio",
            "photo",
            "recording_allowed",
        ]


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
        add_translation_fields(self, congress=congress, instance=self.instance)

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
        return _marker_colour(self.cleaned_data["colour"])

    def track_fields(self) -> dict:
        fields = {
            name: self.cleaned_data[name] for name in ("name", "slug", "colour", "description")
        }
        return {**fields, "translations": translations_from(self, self.instance.translations)}


class FormatSettingForm(ModelForm):
    """One format's defaults at this congress, with the edit fingerprint."""

    fingerprint = FingerprintField()

    class Meta:
        model = FormatSetting
        fields = ["default_minutes", "display_name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        minutes = self.fields["default_minutes"]
        minutes.min_value, minutes.max_value = MIN_SESSION_MINUTES, MAX_SESSION_MINUTES
        minutes.widget.attrs.update(min=MIN_SESSION_MINUTES, max=MAX_SESSION_MINUTES)
        self.fields["description"].validators.append(MaxLengthValidator(2000))
        if not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, FORMAT_EDIT_FIELDS)

    def format_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in FORMAT_EDIT_FIELDS}


class TagForm(ModelForm):
    """A tag as an organiser edits it: a slug unique in the congress, an optional colour that
    shows on white, and the edit fingerprint."""

    fingerprint = FingerprintField()

    class Meta:
        model = Tag
        fields = ["name", "slug", "colour"]
        help_texts = {"colour": _("Optional, as #RRGGBB; it must show on white.")}

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, TAG_EDIT_FIELDS)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = Tag.objects.filter(congress=self.congress, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Another tag of this congress has this slug."), code="duplicate"
            )
        return slug

    def clean_colour(self):
        return _marker_colour(self.cleaned_data.get("colour") or "")

    def tag_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in TAG_EDIT_FIELDS}


class WidgetSettingsForm(Form):
    """The sites that may embed the programme widget, one address per line."""

    origins = forms.CharField(
        label=_("Sites that may embed the programme"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "dir": "ltr"}),
        help_text=_(
            "One address per line, as https://www.example.org (no path). Leave empty to let "
            "only this site show the widget in a frame."
        ),
    )

    def clean_origins(self) -> list[str]:
        origins, problems = [], []
        for line in self.cleaned_data["origins"].splitlines():
            if not line.strip():
                continue
            try:
                origins.append(parse_origin(line))
            except InvalidProgrammeData as error:
                problems.append(error.message)
        if problems:
            raise forms.ValidationError(problems)
        return origins
