"""The organisers' voucher forms. They parse and present; the rules that depend on other rows
(a code taken, uses already made) live in ``services.vouchers`` and come back beside the field.
Times are typed in the congress's own zone (the pages activate it)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form
from events_site.congresses.models import Congress

from .enums import VoucherKind
from .errors import VoucherRefused
from .models import RegistrationType, Voucher
from .services.vouchers import (
    DRAWN_LENGTH,
    MAX_BATCH,
    MAX_CODE_LENGTH,
    MAX_PREFIX_LENGTH,
    VOUCHER_FIELDS,
    check_code_text,
    code_taken,
    normalise_code,
)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class _VoucherTermsForm(Form):
    """What a voucher gives, for how many and until when (shared by one voucher and a batch)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=VoucherKind.choices)
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("Percent off, amount off or the price to charge, depending on the kind."),
    )
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("One use is one delegate priced with it. Empty means unlimited."),
    )
    registration_types = forms.ModelMultipleChoiceField(
        label=_("Registration types"),
        queryset=RegistrationType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every type."),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=300,
        help_text=_("For the organisers: whom it is for, why."),
    )

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["registration_types"].queryset = RegistrationType.objects.filter(
            congress=congress
        ).order_by("position", "name")
        self.fields["valid_until"].help_text = _(
            "In the congress's time zone, %(zone)s. Empty means until it is deactivated."
        ) % {"zone": congress.time_zone}

    def clean(self):
        data = super().clean()
        value = data.get("value")
        if data.get("kind") == VoucherKind.PERCENTAGE and value is not None and value > 100:
            self.add_error("value", _("A percentage cannot exceed 100."))
        return data

    def terms(self) -> dict:
        names = ("kind", "value", "max_uses", "registration_types", "valid_until", "comment")
        return {name: self.cleaned_data[name] for name in names}

    def refuse(self, error: VoucherRefused) -> None:
        """Show a service's refusal beside its field (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class VoucherForm(_VoucherTermsForm):
    """One voucher: new (a blank code is drawn) or an existing one (with the edit
    fingerprint)."""

    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=MAX_CODE_LENGTH,
        help_text=_(
            "Letters, digits and hyphens; stored in capitals, typed in any case. Leave it "
            "empty to draw a code."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    fingerprint = FingerprintField()

    field_order = ["code", "kind", "value", "max_uses", "registration_types", "valid_until"]

    def __init__(self, *args, congress: Congress, voucher: Voucher | None = None, **kwargs):
        if voucher is not None:
            kwargs["initial"] = {
                **{name: getattr(voucher, name) for name in VOUCHER_FIELDS},
                "registration_types": list(voucher.registration_types.all()),
                "fingerprint": fingerprint(voucher, VOUCHER_FIELDS),
            }
        super().__init__(*args, congress=congress, **kwargs)
        self.voucher = voucher
        if voucher is not None:
            self.fields["code"].required = True
            self.fields["code"].help_text = _(
                "Letters, digits and hyphens; stored in capitals, typed in any case. People "
                "who were sent the old code can no longer use it."
            )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            return code
        try:
            check_code_text(code)
        except VoucherRefused as error:
            raise forms.ValidationError(error.message, code="code") from error
        exclude = self.voucher.pk if self.voucher else None
        if code_taken(congress=self.congress, code=code, exclude_pk=exclude):
            raise forms.ValidationError(
                _("This congress already has a voucher with this code."), code="duplicate"
            )
        return code

    def voucher_fields(self) -> dict:
        return {
            **self.terms(),
            "code": self.cleaned_data["code"],
            "is_active": self.cleaned_data["is_active"],
        }


class VoucherBatchForm(_VoucherTermsForm):
    """Many vouchers alike, with drawn codes."""

    count = forms.IntegerField(
        label=_("Number of vouchers"), min_value=1, max_value=MAX_BATCH, initial=10
    )
    prefix = forms.CharField(
        label=_("Code prefix"),
        required=False,
        max_length=MAX_PREFIX_LENGTH,
        help_text=_(
            "Optional, e.g. SPEAKER- ; each code is the prefix and %(n)s characters drawn at "
            "random (no 0, O, 1, I or L)."
        )
        % {"n": DRAWN_LENGTH},
    )

    field_order = ["count", "prefix", "kind", "value", "max_uses", "registration_types"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"max_uses": 1, "count": 10})
        super().__init__(*args, **kwargs)

    def clean_prefix(self):
        prefix = normalise_code(self.cleaned_data["prefix"])
        if prefix:
            try:
                check_code_text(prefix, field="prefix", length=MAX_PREFIX_LENGTH)
            except VoucherRefused as error:
                raise forms.ValidationError(error.message, code="prefix") from error
        return prefix

    def batch_fields(self) -> dict:
        return {
            **self.terms(),
            "count": self.cleaned_data["count"],
            "prefix": self.cleaned_data["prefix"],
        }
