"""Forms for paying by invoice, recording transfers, refunds and billing settings (thin)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm

from ..lifecycle import OrderStatus
from ..models import BillingDetails, BillingSettings, RegistrationSettings, RegistrationType
from ..services.setup import PAYMENT_METHOD_FIELDS
from .bank_formats import CsvMapping
from .einvoice.buyer_ids import (
    normalise_identifier,
    validate_cig,
    validate_cup,
    validate_ipa_office_code,
)
from .enums import FinanceView, PaymentProvider, PaymentState, QuoteStatus, StatementFormat
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

    def clean_buyer_reference(self):
        return normalise_identifier(self.cleaned_data["buyer_reference"])

    def clean_ipa_office_code(self):
        return normalise_identifier(self.cleaned_data["ipa_office_code"])

    def clean_cig(self):
        return normalise_identifier(self.cleaned_data["cig"])

    def clean_cup(self):
        return normalise_identifier(self.cleaned_data["cup"])


class AcceptQuoteForm(Form):
    """What the buyer's purchase order adds to the quote: its number and the routing ids."""

    purchase_order = forms.CharField(label=_("Purchase-order number"), max_length=80)
    buyer_reference = forms.CharField(
        label=_("Buyer reference / Leitweg-ID"),
        max_length=46,
        required=False,
        help_text=_("German public buyers: the Leitweg-ID, e.g. 04011000-1234512345-06."),
    )
    ipa_office_code = forms.CharField(
        label=_("Codice Univoco Ufficio"),
        max_length=6,
        required=False,
        validators=[validate_ipa_office_code],
    )
    cig = forms.CharField(label=_("CIG"), max_length=10, required=False, validators=[validate_cig])
    cup = forms.CharField(label=_("CUP"), max_length=15, required=False, validators=[validate_cup])

    def _identifier(self, name: str) -> str:
        value = normalise_identifier(self.cleaned_data[name])
        for validator in self.fields[name].validators:
            validator(value)
        return value

    def clean_buyer_reference(self):
        return self._identifier("buyer_reference")

    def clean_ipa_office_code(self):
        return self._identifier("ipa_office_code")

    def clean_cig(self):
        return self._identifier("cig")

    def clean_cup(self):
        return self._identifier("cup")

    def references(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields}


class QuoteFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *QuoteStatus.choices], required=False
    )
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("Quote number, order reference or buyer."),
    )

    def filter(self, quotes):
        if not self.is_valid():
            return quotes
        if self.cleaned_data["status"]:
            quotes = quotes.filter(status=self.cleaned_data["status"])
        term = self.cleaned_data["q"].strip()
        if term:
            quotes = quotes.filter(
                Q(full_number__icontains=term)
                | Q(order__code__iexact=term)
                | Q(buyer__name__icontains=term)
            )
        return quotes


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


class ResolveReviewForm(Form):
    note = forms.CharField(
        label=_("What was done (kept in the audit log)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
    fingerprint = FingerprintField()


class CorrectInvoiceForm(Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)


BILLING_SECTIONS = (
    (
        _("Seller (who issues the invoices)"),
        (
            "seller_name",
            "seller_address",
            "seller_country",
            "seller_vat_id",
            "seller_email",
            "seller_phone",
        ),
    ),
    (_("Bank account for transfers"), ("bank_name", "iban", "bic")),
    (_("Tax"), ("tax_label", "tax_rate", "reverse_charge_note")),
    (_("Invoices"), ("payment_terms_days", "invoice_prefix", "footer")),
    (_("Payment reminders"), ("reminders_on_schedule", "reminder_interval_days")),
    (_("Public bodies"), ("public_body_terms_days", "public_body_admission")),
    (_("Quotes"), ("quote_prefix", "quote_validity_days", "quote_hold_days")),
)
BILLING_HELP_TEXTS = {
    "seller_name": _("The organisation named as seller on every invoice and credit note."),
    "seller_address": _("Printed under the seller's name on invoices."),
    "seller_country": _(
        "Printed on invoices. Business buyers with a VAT number in another country are "
        "invoiced without tax (reverse charge); empty: never."
    ),
    "seller_vat_id": _("Your VAT identification number, printed on invoices."),
    "bank_name": _("Printed with the account details delegates transfer to."),
    "iban": _("The account delegates pay invoices into; checked before it is saved."),
    "bic": _("The bank's BIC (SWIFT code), 8 or 11 characters."),
    "tax_label": _("What the tax is called on the invoice, e.g. VAT, MwSt, TVA."),
    "payment_terms_days": _(
        "Days a delegate has to pay an invoice; the seats are held until then."
    ),
    "invoice_prefix": _("Put before each invoice number, e.g. WCG27-."),
    "footer": _("Printed at the bottom of every invoice and credit note."),
}
# Numbers a form from before they existed leaves empty: the saved value is kept.
KEPT_WHEN_EMPTY = ("public_body_terms_days", "quote_validity_days", "quote_hold_days")
TEXT_LIMITS = {"seller_address": 1000, "reverse_charge_note": 1000, "footer": 2000}


class BillingSettingsForm(ModelForm):
    """Billing settings, and the congress's payment methods (on its registration settings),
    each with the fingerprint of what was shown so a save over another edit is refused."""

    fingerprint = FingerprintField()
    methods_fingerprint = FingerprintField()
    accept_card = forms.BooleanField(
        label=_("Accept card payment"),
        required=False,
        help_text=_(
            "Delegates see a “Pay by card” button on their order page (only while Stripe is "
            "configured on this server)."
        ),
    )
    accept_bank_transfer = forms.BooleanField(
        label=_("Accept bank transfer (pay by invoice)"),
        required=False,
        help_text=_(
            "Delegates may ask for an invoice and pay it by bank transfer to the account below."
        ),
    )

    class Meta:
        model = BillingSettings
        fields = list(BILLING_SETTINGS_FIELDS)
        widgets = {
            "seller_address": forms.Textarea(attrs={"rows": 3}),
            "reverse_charge_note": forms.Textarea(attrs={"rows": 2}),
            "footer": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, methods: RegistrationSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = methods
        for name, text in BILLING_HELP_TEXTS.items():
            self.fields[name].help_text = text
        for name, limit in (("iban", 50), ("bic", 20)):  # spaces allowed; compacted in clean
            field = self.fields[name]
            field.max_length = limit
            field.widget.attrs["maxlength"] = limit
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ] + [MaxLengthValidator(limit)]
        for name in ("reminder_interval_days", *KEPT_WHEN_EMPTY):
            self.fields[name].required = False
        for name, limit in TEXT_LIMITS.items():
            self.fields[name].max_length = limit
            self.fields[name].validators.append(MaxLengthValidator(limit))
        if not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, BILLING_SETTINGS_FIELDS)
            self.initial["methods_fingerprint"] = fingerprint(methods, PAYMENT_METHOD_FIELDS)
            for name in PAYMENT_METHOD_FIELDS:
                self.initial[name] = getattr(methods, name)

    def clean_reminder_interval_days(self):
        """Left empty (a form from before the setting existed): keep what is saved."""
        value = self.cleaned_data.get("reminder_interval_days")
        return value if value is not None else self.instance.reminder_interval_days

    def clean_iban(self):
        value = "".join(self.cleaned_data["iban"].split()).upper()
        if not value:
            return value
        try:
            return IBAN(value).compact
        except SchwiftyException as error:
            raise forms.ValidationError(
                _("This is not a valid IBAN (%(reason)s). Check it against your bank statement.")
                % {"reason": error},
                code="invalid_iban",
            ) from error

    def clean_bic(self):
        value = "".join(self.cleaned_data["bic"].split()).upper()
        if not value:
            return value
        try:
            return BIC(value).compact
        except SchwiftyException as error:
            raise forms.ValidationError(
                _("This is not a valid BIC (%(reason)s): 8 or 11 letters and digits."),
                code="invalid_bic",
            ) from error

    def clean(self):
        data = super().clean()
        for name in KEPT_WHEN_EMPTY:  # as above: a form from before these settings existed
            if data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
        if not (data.get("accept_card") or data.get("accept_bank_transfer")):
            self.add_error(
                "accept_bank_transfer",
                forms.ValidationError(
                    _("Keep at least one way to pay: card or bank transfer."),
                    code="no_payment_method",
                ),
            )
        return data

    def sections(self):
        return [(heading, [self[name] for name in names]) for heading, names in BILLING_SECTIONS]

    def method_fields(self):
        return [self[name] for name in PAYMENT_METHOD_FIELDS]

    def billing_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in BILLING_SETTINGS_FIELDS}

    def payment_method_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in PAYMENT_METHOD_FIELDS}


class FinanceFilterForm(Form):
    """The finance list's query string: search, filters and sort. A value that does not parse
    is shown beside its field and ignored; the list never fails on its query string."""

    VIEW_CHOICES = [*FinanceView.choices, ("all", _("All"))]
    SORT_CHOICES = [
        ("-created", _("Newest first")),
        ("created", _("Oldest first")),
        ("code", _("Reference")),
        ("contact", _("Contact")),
        ("-total", _("Largest total")),
        ("total", _("Smallest total")),
        ("-outstanding", _("Most outstanding")),
        ("due", _("Due date, earliest first")),
        ("-due", _("Due date, latest first")),
    ]
    INVOICE_CHOICES = [("", _("Any")), ("yes", _("Invoice issued")), ("no", _("No invoice"))]

    view = forms.ChoiceField(label=_("View"), choices=VIEW_CHOICES, required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_(
            "Order reference, invoice number, contact name, e-mail, organisation or the payer "
            "reference of a transfer."
        ),
    )
    status = forms.ChoiceField(
        label=_("Order status"), choices=[("", _("Any")), *OrderStatus.choices], required=False
    )
    method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[("", _("Any")), *PaymentProvider.choices],
        required=False,
    )
    payment = forms.ChoiceField(
        label=_("Payment status"),
        choices=[("", _("Any")), *PaymentState.choices],
        required=False,
    )
    invoice = forms.ChoiceField(label=_("Invoice"), choices=INVOICE_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    type = forms.ModelChoiceField(
        label=_("Registration type"),
        queryset=RegistrationType.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    date_from = forms.DateField(
        label=_("Ordered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Ordered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, data, *, congress, default_view: str = FinanceView.PENDING):
        super().__init__(data)
        self.default_view = default_view
        self.fields["type"].queryset = RegistrationType.objects.filter(congress=congress).order_by(
            "position", "name", "pk"
        )

    def filters(self) -> dict:
        """The values that parsed (the others left out)."""
        self.is_valid()
        cleaned = dict(getattr(self, "cleaned_data", {}))
        cleaned["view"] = cleaned.get("view") or self.default_view
        return cleaned

    def query_items(self) -> dict[str, str]:
        """The parsed filters as query-string values (for links, the audit and exports)."""
        items = {}
        for name, value in self.filters().items():
            if value in (None, "", False):
                continue
            if name == "type":
                value = value.pk
            elif name == "overdue":
                value = "1"
            items[name] = str(value)
        return items


DELIMITERS = ((";", _("Semicolon (;)")), (",", _("Comma (,)")), ("\t", _("Tab")), ("|", "|"))
DATE_FORMATS = (
    ("%d.%m.%Y", "31.12.2027"),
    ("%d/%m/%Y", "31/12/2027"),
    ("%Y-%m-%d", "2027-12-31"),
    ("%m/%d/%Y", "12/31/2027"),
    ("%d-%m-%Y", "31-12-2027"),
)
ENCODINGS = (("utf-8", "UTF-8"), ("cp1252", _("Windows (CP1252)")))
CSV_COLUMN_FIELDS = (
    "date_column",
    "amount_column",
    "currency_column",
    "reference_column",
    "payer_column",
    "iban_column",
)


class BankStatementUploadForm(Form):
    """A statement file and its format; for a CSV, which column holds what (kept per
    congress for the next import)."""

    statement = forms.FileField(label=_("Bank statement file"))
    format = forms.ChoiceField(label=_("Format"), choices=StatementFormat.choices)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=DELIMITERS, required=False)
    decimal_comma = forms.BooleanField(
        label=_("Amounts use a decimal comma (1.234,56)"), required=False
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, required=False)
    date_format = forms.ChoiceField(label=_("Date format"), choices=DATE_FORMATS, required=False)
    date_column = forms.CharField(label=_("Date column"), max_length=100, required=False)
    amount_column = forms.CharField(label=_("Amount column"), max_length=100, required=False)
    currency_column = forms.CharField(label=_("Currency column"), max_length=100, required=False)
    reference_column = forms.CharField(
        label=_("Reference (remittance) column"), max_length=100, required=False
    )
    payer_column = forms.CharField(label=_("Payer name column"), max_length=100, required=False)
    iban_column = forms.CharField(label=_("Payer IBAN column"), max_length=100, required=False)

    CSV_FIELDS = (
        "delimiter",
        "decimal_comma",
        "encoding",
        "date_format",
        *CSV_COLUMN_FIELDS,
    )

    def __init__(self, *args, saved=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            if saved is not None:
                for name in self.CSV_FIELDS:
                    self.initial[name] = getattr(saved, name)
            else:
                self.initial.update(
                    delimiter=";", decimal_comma=True, encoding="utf-8", date_format="%d.%m.%Y"
                )

    def clean(self):
        data = super().clean()
        if data.get("format") == StatementFormat.CSV:
            for name in ("date_column", "amount_column"):
                if not data.get(name):
                    self.add_error(name, _("Name the CSV column that holds this."))
            for name in ("delimiter", "encoding", "date_format"):
                if not data.get(name):
                    self.add_error(name, _("Choose one."))
        return data

    def csv_mapping(self):
        if self.cleaned_data.get("format") != StatementFormat.CSV:
            return None
        return CsvMapping(**{name: self.cleaned_data[name] for name in self.CSV_FIELDS})


class BankLineSearchForm(Form):
    q = forms.CharField(label=_("Search open orders"), max_length=200, required=False)
