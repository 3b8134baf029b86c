"""The organiser's form for a registration type: the model's own rules (beside each field), the
code unique in the congress, and the edit fingerprint. Date-times are read and shown in the
congress's zone: the view runs the form under ``timezone.override(congress.tz)``."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm
from events_site.congresses.translation_forms import add_translation_fields, translations_from

from .models import RegistrationType
from .services.setup import TYPE_EDIT_FIELDS

DESCRIPTION_LIMIT = 4000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistrationTypeForm(ModelForm):
    fingerprint = FingerprintField()

    class Meta:
        model = RegistrationType
        fields = [name for name in TYPE_EDIT_FIELDS if name != "translations"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "early_bird_until": DateInput(),
            "on_site_from": DateInput(),
            "sales_start": LocalDateTimeInput(),
            "sales_end": LocalDateTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = DESCRIPTION_LIMIT
        self.fields["description"].validators.append(MaxLengthValidator(DESCRIPTION_LIMIT))
        for name in ("sales_start", "sales_end"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        for name in ("early_bird_until", "on_site_from"):
            self.fields[name].input_formats = ["%Y-%m-%d"]
        self.fields["code"].help_text = _(
            "Letters, digits, hyphens and underscores; used in exports, the API and the form's "
            "links. Unique in the congress."
        )
        self.fields["sales_start"].help_text = _("Empty means on sale now.")
        self.fields["sales_end"].help_text = _("Empty means until registration closes.")
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, TYPE_EDIT_FIELDS)
        add_translation_fields(self, congress=self.instance.congress, instance=self.instance)

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = RegistrationType.objects.filter(
            congress_id=self.instance.congress_id, code__iexact=code
        )
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("This congress already has a registration type with this code."),
                code="duplicate",
            )
        return code

    def type_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        return {**fields, "translations": translations_from(self, self.instance.translations)}


class TypeSearchForm(Form):
    q = forms.CharField(label=_("Search code or name"), required=False, max_length=100)
