"""Forms of visa letters and certificates: the delegate's request, the organisers' queue
filters, decisions and settings. They validate input; services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events_site.congresses.forms import Form, ModelForm

from .enums import VisaLetterStatus
from .models import DocumentSettings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OLDEST = dt.date(1900, 1, 1)


class VisaLetterRequestForm(Form):
    passport_name = forms.CharField(
        label=_("Name exactly as in the passport"), max_length=200, strip=True
    )
    nationality = forms.ChoiceField(label=_("Nationality"), choices=())
    passport_number = forms.RegexField(
        label=_("Passport number"),
        max_length=40,
        regex=r"^[A-Za-z0-9][A-Za-z0-9 -]*$",
        error_messages={"invalid": _("Letters, digits, spaces and hyphens only.")},
    )
    passport_issued_on = forms.DateField(label=_("Passport issued on"), widget=DATE)
    passport_expires_on = forms.DateField(label=_("Passport expires on"), widget=DATE)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    birth_place = forms.CharField(label=_("Place of birth"), max_length=120)
    embassy_city = forms.CharField(
        label=_("City of the embassy or consulate where you apply"), max_length=120
    )
    consent = forms.BooleanField(
        label=_("I agree that my passport data is kept to write this letter, until the date above"),
        error_messages={"required": _("Tick the box to give your consent.")},
    )

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["nationality"].choices = [("", "—"), *countries]

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value < OLDEST or value >= timezone.localdate():
            raise forms.ValidationError(_("Please give your real date of birth."))
        return value

    def clean_passport_expires_on(self):
        value = self.cleaned_data["passport_expires_on"]
        if value < self.congress.end_date:
            raise forms.ValidationError(
                _("Your passport expires before the congress ends: please renew it first.")
            )
        return value

    def clean_passport_issued_on(self):
        value = self.cleaned_data["passport_issued_on"]
        if value < OLDEST or value > timezone.localdate():
            raise forms.ValidationError(_("The issue date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        issued, expires = data.get("passport_issued_on"), data.get("passport_expires_on")
        if issued and expires and expires <= issued:
            self.add_error(
                "passport_expires_on", _("The passport must expire after it was issued.")
            )
        return data

    def passport(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "consent"}


PAID_CHOICES = [("", _("Paid or not")), ("yes", _("Paid")), ("no", _("Not paid"))]


class VisaQueueFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *VisaLetterStatus.choices],
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False, choices=())
    embassy = forms.CharField(label=_("Embassy city"), required=False, max_length=120)
    paid = forms.ChoiceField(label=_("Payment"), required=False, choices=PAID_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", _("Any nationality")), *countries]


class VisaDecisionForm(Form):
    DECISIONS = [
        (VisaLetterStatus.APPROVED, _("Approve")),
        (VisaLetterStatus.ISSUED, _("Issue the letter")),
        (VisaLetterStatus.REFUSED, _("Refuse")),
        (VisaLetterStatus.REVOKED, _("Revoke")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason = forms.CharField(
        label=_("Reason (told to the delegate)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VisaBulkForm(Form):
    BULK = [(VisaLetterStatus.APPROVED, _("Approve")), (VisaLetterStatus.ISSUED, _("Issue"))]
    decision = forms.ChoiceField(label=_("With the ticked requests"), choices=BULK)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Requests"))

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]


class DocumentSettingsForm(ModelForm):
    class Meta:
        model = DocumentSettings
        fields = [
            "host_country",
            "approve_speakers",
            "approve_public_bodies_when_paid",
            "focal_points_approve",
            "signatory_name",
            "signatory_title",
            "who_pays",
            "letterhead",
            "signature",
            "passport_data_days",
            "min_sessions",
            "signing_certificate",
        ]

    # Not a model field: the passphrase is sealed by the settings service and never shown
    # back (the input starts empty; left empty, the stored one stays).
    signing_passphrase = forms.CharField(
        label=_("Passphrase of the signing certificate"),
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    forget_signing_passphrase = forms.BooleanField(
        label=_("Forget the stored passphrase"), required=False
    )
    remove_signing_certificate = forms.BooleanField(
        label=_("Remove the signing certificate and its passphrase"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = bool(self.instance.signing_passphrase_sealed)
        self.fields["signing_passphrase"].help_text = (
            _("A passphrase is stored (sealed). Leave empty to keep it.")
            if stored
            else _("No passphrase is stored.")
        )
        if not stored:
            del self.fields["forget_signing_passphrase"]
        # The file is private (no URL to link): a plain input, and a line saying what is kept.
        certificate = self.fields["signing_certificate"]
        certificate.widget = forms.FileInput(attrs={"accept": ".p12,.pfx"})
        if self.instance.signing_certificate:
            certificate.help_text = _("A certificate is stored. Choose a file to replace it.")
        else:
            del self.fields["remove_signing_certificate"]


class CertificateRevokeForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class FocalPointDecisionForm(Form):
    """A focal point's decision on the ticked requests of their delegation."""

    DECISIONS = [(VisaLetterStatus.APPROVED, _("Approve")), (VisaLetterStatus.REFUSED, _("Refuse"))]
    decision = forms.ChoiceField(label=_("With the ticked requests"), choices=DECISIONS)
    reason = forms.CharField(
        label=_("Reason of a refusal (told to the delegate)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Requests"))

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]

    def clean(self):
        data = super().clean()
        if data.get("decision") == VisaLetterStatus.REFUSED and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give the delegate a reason."))
        return data


class VisaFocalPointForm(Form):
    """The organisers name a member organisation's visa focal point (both empty: none)."""

    name = forms.CharField(label=_("Focal point's name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Focal point's e-mail"), required=False)
    language = forms.ChoiceField(label=_("Language of the e-mails"), required=False, choices=())

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [
            ("", _("The congress's first language")),
            *[(code, names.get(code, code)) for code in congress.languages or []],
        ]

    def clean(self):
        data = super().clean()
        if bool((data.get("name") or "").strip()) != bool(data.get("email")):
            raise forms.ValidationError(
                _("Give both the focal point's name and e-mail, or neither.")
            )
        return data
