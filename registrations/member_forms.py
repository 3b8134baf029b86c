"""The organisers' forms for the member list: the filters of the list, one organisation (with
the edit fingerprint), and the CSV upload of an import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm
from events_site.congresses.uploads import CSVUploadField

from .models import MemberOrganisation
from .models.vouchers import normalise_organisation_name
from .services.members import MEMBER_FIELDS


def _country_choices():
    return [("", "—"), *countries]


class MemberFilterForm(Form):
    """The query string of the member list."""

    q = forms.CharField(label=_("Name or member number"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)


class MemberOrganisationForm(ModelForm):
    fingerprint = FingerprintField()

    class Meta:
        model = MemberOrganisation
        fields = list(MEMBER_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"), required=False, choices=_country_choices
        )
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, MEMBER_FIELDS)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        key = normalise_organisation_name(name)
        if not key:
            raise forms.ValidationError(_("Enter the organisation’s name."), code="required")
        taken = MemberOrganisation.objects.filter(
            congress=self.instance.congress, normalised_name=key[:200]
        )
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("This organisation is already on the member list."), code="duplicate"
            )
        return name

    def member_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in MEMBER_FIELDS}


class MemberUploadForm(Form):
    # The cleaned value is the CSV's text, checked by the one upload pipeline; Excel's
    # Windows "CSV" (cp1252) is read too.
    file = CSVUploadField(
        label=_("CSV file"),
        help_text=_(
            "A header row with a “name” column; “country” (two-letter code) and “reference” "
            "(member number) are optional. Commas, semicolons or tabs; UTF-8 or Windows "
            "(Excel) encoding."
        ),
        fallback_encodings=("cp1252",),
    )
    replace = forms.BooleanField(
        label=_("Replace the current list (organisations not in the file are removed)"),
        required=False,
    )


class MemberImportConfirmForm(Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
