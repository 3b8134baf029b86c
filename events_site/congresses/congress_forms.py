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
from .forms import Form, ModelForm
from .models import Congress, Organisation
from .services import CONGRESS_EDIT_FIELDS as EDIT_FIELDS
from .setup_copy import copyable_sources, setup_parts
from .translation_forms import add_translation_fields, translations_from

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
        fields = [name for name in EDIT_FIELDS if name != "translations"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "time_zone": forms.TextInput(
                attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
            ),
            "status": StatusSelect,
        }

    def clean_timetable_slot_minutes(self):
        value = self.cleaned_data.get("timetable_slot_minutes")
        if value is None:
            return self.instance.timetable_slot_minutes or 15
        return value

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
        # Optional in a post: a form (or an API client) that does not send it keeps the step.
        self.fields["timetable_slot_minutes"].required = False
        self.fields["time_zone"].help_text = _(
            "Type a city or region, e.g. Seoul, Paris, Sao_Paulo: every time of the congress is "
            "shown in this zone."
        )
        self.time_zones = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organisation"), queryset=organisations, empty_label=None
            )
            self.order_fields(["organisation", *self._meta.fields])
        if self.instance.pk:
            if self.instance.status != CongressStatus.DRAFT:
                self.fields["slug"].disabled = True
                self.fields["slug"].help_text = _(
                    "Used in every public address; it can change only while the congress is a "
                    "draft (calendars and links already shared would break)."
                )
            if not self.is_bound:
                self.initial["fingerprint"] = fingerprint(self.instance, EDIT_FIELDS)
            add_translation_fields(self, congress=self.instance, instance=self.instance)

    def clean_languages(self):
        chosen = self.cleaned_data["languages"]
        kept = [code for code in (self.instance.languages or []) if code in chosen]
        order = [code for code, _name in settings.LANGUAGES]
        return kept + [code for code in order if code in chosen and code not in kept]

    def congress_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        if not self.instance.pk:
            return fields
        return {**fields, "translations": translations_from(self, self.instance.translations)}


def organisations_for(user):
    """Where ``user`` may create a congress: organisations in which they own a congress (any
    organisation for a superuser)."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        congresses__team__user=user, congresses__team__role=Role.OWNER
    ).distinct()


class SetupPartsSelect(forms.CheckboxSelectMultiple):
    """The parts as boxes; a part the congress already has is shown, unticked and disabled,
    with why."""

    option_template_name = "congresses/manage/_setup_part_option.html"

    def __init__(self, *args, present=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.present = set(present)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.present:
            option["attrs"]["disabled"] = True
            option["selected"] = False
            option["attrs"].pop("checked", None)
            option["meaning"] = _("This congress has them already: not copied.")
        return option


class CopySetupForm(Form):
    """Which congress to copy the set-up of (only those the person manages) and which parts.
    On the new-congress page the choice is optional (``required=False``)."""

    source = forms.ModelChoiceField(
        label=_("Copy the set-up of"), queryset=Congress.objects.none(), required=True
    )
    parts = forms.MultipleChoiceField(label=_("Parts to copy"), required=False)

    def __init__(self, *args, user, target=None, present=(), required=True, **kwargs):
        super().__init__(*args, **kwargs)
        sources = copyable_sources(user)
        if target is not None:
            sources = sources.exclude(pk=target.pk)
        self.fields["source"].queryset = sources
        self.fields["source"].required = required
        self.fields["source"].empty_label = None if required else _("Nothing: start empty")
        self.fields["source"].help_text = _(
            "Only congresses you manage are listed. Nothing of their delegates, orders, "
            "sessions, payments or vouchers is copied."
        )
        self.present = set(present)
        self.parts_by_key = {part.key: part for part in setup_parts()}
        self.fields["parts"].choices = [(p.key, p.label) for p in setup_parts()]
        self.fields["parts"].widget = SetupPartsSelect(present=self.present)
        self.fields["parts"].widget.choices = self.fields["parts"].choices
        self.fields["parts"].initial = [
            p.key for p in setup_parts() if p.chosen_by_default and p.key not in self.present
        ]
        self.fields["parts"].help_text = _(
            "Dates move with the congress: early-bird days, sales windows and deadlines are "
            "shifted by the number of days between the two congresses' first days."
        )

    def clean(self):
        cleaned = super().clean()
        source, chosen = cleaned.get("source"), cleaned.get("parts") or []
        if source is None:
            return cleaned
        if not chosen:
            self.add_error("parts", _("Choose at least one part to copy."))
            return cleaned
        already = [str(self.parts_by_key[key].label) for key in chosen if key in self.present]
        if already:
            self.add_error(
                "parts",
                _("This congress already has %(parts)s: leave them out.")
                % {"parts": ", ".join(already)},
            )
        for key in chosen:
            part = self.parts_by_key[key]
            missing = [str(self.parts_by_key[n].label) for n in part.needs if n not in chosen]
            if missing:
                self.add_error(
                    "parts",
                    _("%(part)s refer to %(needs)s: copy them too.")
                    % {"part": part.label, "needs": ", ".join(missing)},
                )
        return cleaned
