"""The organiser's congress form (create and edit): searchable time zones, currencies by name
in the reader's language, the site's languages as boxes, and each status with what it means."""

from __future__ import annotations

import zoneinfo

from babel.numbers import get_currency_name, list_currencies
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .edit_conflicts import FingerprintField, fingerprint
from .enums import CongressStatus, Role
from .forms import ModelForm
from .models import Congress, Organisation
from .services import CONGRESS_EDIT_FIELDS as EDIT_FIELDS

# What each status means, shown beside the choice.
STATUS_MEANINGS = {
    CongressStatus.DRAFT: _("Only the team sees it; nothing is public yet."),
    CongressStatus.PUBLISHED: _(
        "Its pages and programme are public; registration has not opened yet."
    ),
    CongressStatus.REGISTRATION_OPEN: _("Public, and delegates can register and pay."),
    CongressStatus.CLOSED: _(
        "Public, registration closed; the team keeps working (check-in, invoices, refunds)."
    ),
    CongressStatus.ARCHIVED: _("Over: hidden from the public lists, kept for the records."),
}


class StatusSelect(forms.RadioSelect):
    option_template_name = "congresses/manage/_status_option.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["meaning"] = STATUS_MEANINGS.get(value, "")
        return option


def _currency_choices() -> list[tuple[str, str]]:
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    try:
        names = {code: get_currency_name(code, locale=locale) for code in list_currencies()}
    except ValueError:  # a language Babel does not know
        names = {code: get_currency_name(code) for code in list_currencies()}
    return [(code, f"{code} – {names[code]}") for code in sorted(names)]


class CongressForm(ModelForm):
    fingerprint = FingerprintField()

    class Meta:
        model = Congress
        fields = list(EDIT_FIELDS)
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "time_zone": forms.TextInput(
                attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
            ),
            "status": StatusSelect,
        }

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"] = forms.ChoiceField(
            label=_("Currency"), choices=_currency_choices(), initial="EUR"
        )
        self.fields["languages"] = forms.MultipleChoiceField(
            label=_("Languages"),
            choices=[(code, _(name)) for code, name in settings.LANGUAGES],
            widget=forms.CheckboxSelectMultiple,
            help_text=_(
                "The languages delegates may choose. The first one is the congress's own "
                "(badges and e-mails without a choice use it); new ones are added after it."
            ),
        )
        self.fields["description"].validators.append(MaxLengthValidator(10_000))
        self.fields["time_zone"].help_text = _(
            "Type a city or region, e.g. Seoul, Paris, Sao_Paulo: every time of the congress is "
            "shown in this zone."
        )
        self.time_zones = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organisation"), queryset=organisations, empty_label=None
            )
            self.order_fields(["organisation", *EDIT_FIELDS])
        if self.instance.pk:
            if self.instance.status != CongressStatus.DRAFT:
                self.fields["slug"].disabled = True
                self.fields["slug"].help_text = _(
                    "Used in every public address; it can change only while the congress is a "
                    "draft (calendars and links already shared would break)."
                )
            if not self.is_bound:
                self.initial["fingerprint"] = fingerprint(self.instance, EDIT_FIELDS)

    def clean_languages(self):
        chosen = self.cleaned_data["languages"]
        kept = [code for code in (self.instance.languages or []) if code in chosen]
        order = [code for code, _name in settings.LANGUAGES]
        return kept + [code for code in order if code in chosen and code not in kept]

    def congress_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDIT_FIELDS}


def organisations_for(user):
    """Where ``user`` may create a congress: organisations in which they own a congress (any
    organisation for a superuser)."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        congresses__team__user=user, congresses__team__role=Role.OWNER
    ).distinct()
