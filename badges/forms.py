from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events_site.congresses.colours import HEX_COLOUR, READABLE_CONTRAST, contrast_ratio
from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm
from registrations.enums import DelegateRole
from registrations.models import RegistrationType

from .enums import BadgeSort, PageFormat
from .layouts import LAYOUT_FIELDS
from .models import BadgeLayout


class PrintBatchForm(Form):
    """The same options as ``manage.py render_badges``."""

    page_format = forms.ChoiceField(label=_("Page format"), choices=PageFormat.choices)
    crop_marks = forms.BooleanField(label=_("Crop marks"), required=False)
    back_side = forms.BooleanField(label=_("Print back sides"), required=False)
    only_unprinted = forms.BooleanField(label=_("Only badges not printed yet"), required=False)
    registration_type = forms.ModelChoiceField(
        label=_("Registration type"),
        queryset=RegistrationType.objects.none(),
        required=False,
        empty_label=_("All types"),
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=BadgeSort.choices)
    reason = forms.CharField(
        label=_("Reason (needed when reprinting)"), required=False, max_length=200
    )

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = RegistrationType.objects.filter(
            congress=congress
        )


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class UndoCheckInForm(Form):
    reason = forms.CharField(
        label=_("Why undo this check-in?"),
        max_length=200,
        help_text=_("For example: checked in the wrong person."),
    )


class PrintStationForm(Form):
    name = forms.CharField(label=_("Name of this print station"), max_length=60)
    desks = forms.CharField(
        label=_("Desks it prints for"),
        max_length=300,
        required=False,
        help_text=_("Desk labels, separated by commas. Empty: every desk."),
    )


class BadgeLayoutForm(ModelForm):
    """A badge layout as an organiser edits it: colours readable against each other, names
    unique in the congress, and the fingerprint that refuses a save over someone else's."""

    fingerprint = FingerprintField()

    class Meta:
        model = BadgeLayout
        fields = list(LAYOUT_FIELDS)
        widgets = {
            "band_colour": forms.TextInput(attrs={"type": "color"}),
            "band_text_colour": forms.TextInput(attrs={"type": "color"}),
            "back_text": forms.Textarea(attrs={"rows": 3}),
            "extra_css": forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "dir": "ltr"}),
        }

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["registration_type"].queryset = RegistrationType.objects.filter(
            congress=congress
        )
        self.fields["registration_type"].empty_label = _("Any registration type")
        self.fields["role"].choices = [("", _("Any role")), *DelegateRole.choices]
        for name, limit in (("back_text", 1000), ("extra_css", 20000)):
            self.fields[name].max_length = limit
            self.fields[name].validators.append(MaxLengthValidator(limit))
            self.fields[name].widget.attrs["maxlength"] = str(limit)
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, LAYOUT_FIELDS)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = BadgeLayout.objects.filter(congress=self.congress, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Another badge layout of this congress has this name."), code="duplicate"
            )
        return name

    def clean(self):
        cleaned = super().clean()
        band, text = cleaned.get("band_colour"), cleaned.get("band_text_colour")
        if band and text and HEX_COLOUR.match(band) and HEX_COLOUR.match(text):
            ratio = contrast_ratio(band, text)
            if ratio < READABLE_CONTRAST:
                self.add_error(
                    "band_text_colour",
                    forms.ValidationError(
                        _(
                            "The band label would be hard to read: the contrast is "
                            "%(ratio)s:1, it needs at least %(needed)s:1. Choose a darker "
                            "band or a lighter text colour (or the other way round)."
                        ),
                        code="low_contrast",
                        params={"ratio": f"{ratio:.1f}", "needed": f"{READABLE_CONTRAST:g}"},
                    ),
                )
        return cleaned

    def layout_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in LAYOUT_FIELDS}


class LayoutPreviewForm(Form):
    page_format = forms.ChoiceField(
        label=_("Page format"), choices=PageFormat.choices, required=False
    )
    side = forms.ChoiceField(
        label=_("Side"),
        choices=[("front", _("Front")), ("back", _("Back"))],
        required=False,
    )
