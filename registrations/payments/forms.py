"""Forms for paying by invoice, recording transfers, refunds and billing settings (thin)."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses.forms import Form, ModelForm

from ..models import BillingDetails, BillingSettings
from .services.invoicing import BILLING_DETAILS_FIELDS, BILLING_SETTINGS_FIELDS


class PayByInvoiceForm(ModelForm):
    class Meta:
        model = BillingDetails
        fields = list(BILLING_DETAILS_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "vat_number": _("If your organisation has one; needed for reverse charge abroad."),
            "purchase_order": _("Printed on the invoice, as your finance office requires."),
            "email": _("Where the invoice goes, if not to the order's contact."),
        }

    def clean_vat_number(self):
        return "".join(self.cleaned_data["vat_number"].split()).upper()


class RecordTransferForm(Form):
    amount = forms.DecimalField(
        label=_("Amount received"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    received_on = forms.DateField(
        label=_("Received on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(label=_("Bank reference"), max_length=200, required=False)


class RefundForm(Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CorrectInvoiceForm(Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)


class BillingSettingsForm(ModelForm):
    class Meta:
        model = BillingSettings
        fields = list(BILLING_SETTINGS_FIELDS)
        widgets = {
            "seller_address": forms.Textarea(attrs={"rows": 3}),
            "reverse_charge_note": forms.Textarea(attrs={"rows": 2}),
            "footer": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_iban(self):
        return "".join(self.cleaned_data["iban"].split()).upper()
