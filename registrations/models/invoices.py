"""Invoices and credit notes (immutable once issued), per-congress billing settings, the buyer's
billing details and the per-congress counters that keep numbers gap-free."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress

from ..payments.einvoice.buyer_ids import (
    validate_cig,
    validate_cup,
    validate_ipa_office_code,
    validate_leitweg_id,
)
from ..payments.enums import EInvoiceFormat, InvoiceKind, NumberSeries
from .orders import Order
from .payments import Refund

# The defaults an organiser starts from. Stored as written here (English) and frozen on each
# invoice; a document shows them in its own language (``shown_tax_label``), while a label or note
# the organiser wrote themselves is printed as they wrote it.
DEFAULT_TAX_LABEL = gettext_noop("VAT")
DEFAULT_REVERSE_CHARGE_NOTE = gettext_noop(
    "Reverse charge: VAT to be accounted for by the recipient "
    "(Article 196, Council Directive 2006/112/EC)."
)


def shown_tax_label(label: str) -> str:
    """The tax label in the active language when it is the default one."""
    return gettext(DEFAULT_TAX_LABEL) if label == DEFAULT_TAX_LABEL else label


def shown_reverse_charge_note(note: str) -> str:
    """The reverse-charge note in the active language when it is the default one."""
    return gettext(DEFAULT_REVERSE_CHARGE_NOTE) if note == DEFAULT_REVERSE_CHARGE_NOTE else note


class BillingSettings(models.Model):
    """Who sells, where transfers go, and how tax is shown, for one congress."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="billing_settings"
    )
    seller_name = models.CharField(_("seller name"), max_length=200)
    seller_address = models.TextField(_("seller address"), blank=True)
    seller_country = CountryField(_("seller country"), blank=True)
    seller_vat_id = models.CharField(_("seller VAT id"), max_length=40, blank=True)
    seller_email = models.EmailField(
        _("seller e-mail"),
        blank=True,
        help_text=_("The finance contact named in e-invoices (XRechnung requires one)."),
    )
    seller_phone = models.CharField(_("seller telephone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=40, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    tax_label = models.CharField(_("tax label"), max_length=40, default=DEFAULT_TAX_LABEL)
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Prices include this tax; the invoice shows the part that is tax."),
    )
    reverse_charge_note = models.TextField(
        _("reverse-charge note"),
        blank=True,
        default=DEFAULT_REVERSE_CHARGE_NOTE,
        help_text=_("Printed instead of tax for business buyers abroad with a VAT number."),
    )
    payment_terms_days = models.PositiveIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(365)]
    )
    public_body_terms_days = models.PositiveIntegerField(
        _("payment terms for public bodies (days)"),
        default=60,
        validators=[MaxValueValidator(365)],
        help_text=_("May fall after the congress; the seats stay held until paid or cancelled."),
    )
    public_body_admission = models.BooleanField(
        _("public bodies' delegates may enter before payment"),
        default=True,
        help_text=_("An invoiced, unpaid order of a public body prints badges and checks in."),
    )
    quote_prefix = models.CharField(
        _("quote number prefix"), max_length=20, blank=True, help_text=_("e.g. WCG27-Q-")
    )
    quote_validity_days = models.PositiveIntegerField(
        _("quotes valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    quote_hold_days = models.PositiveIntegerField(
        _("seats held for a quote (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Never longer than the quote is valid."),
    )
    invoice_prefix = models.CharField(
        _("invoice number prefix"), max_length=20, blank=True, help_text=_("e.g. WCG27-")
    )
    footer = models.TextField(_("invoice footer"), blank=True)
    reminders_on_schedule = models.BooleanField(
        _("send payment reminders on a schedule"),
        default=False,
        help_text=_("Overdue invoices are reminded by e-mail without anyone clicking."),
    )
    reminder_interval_days = models.PositiveIntegerField(
        _("days between reminders"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("An overdue order is reminded again once this many days have passed."),
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return f"{self.congress} – {self.seller_name}"


class BillingDetails(models.Model):
    """The buyer as the invoice must name them (a city's finance office, a company...)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="billing_details")
    name = models.CharField(_("name or organisation"), max_length=200)
    address = models.TextField(_("billing address"))
    country = CountryField(_("country"))
    vat_number = models.CharField(_("VAT number"), max_length=40, blank=True)
    purchase_order = models.CharField(_("purchase-order number"), max_length=80, blank=True)
    is_business = models.BooleanField(
        _("business or public body"), default=True, help_text=_("Not a private person.")
    )
    email = models.EmailField(
        _("invoice e-mail"),
        blank=True,
        help_text=_("The finance office: invoices and reminders go here."),
    )
    public_body = models.BooleanField(
        _("public body"),
        default=False,
        help_text=_("A city, region or ministry paying on invoice, possibly after the congress."),
    )
    buyer_reference = models.CharField(
        _("buyer reference / Leitweg-ID"),
        max_length=46,
        blank=True,
        help_text=_("German public buyers: the Leitweg-ID, e.g. 04011000-1234512345-06."),
    )
    ipa_office_code = models.CharField(
        _("Codice Univoco Ufficio"),
        max_length=6,
        blank=True,
        validators=[validate_ipa_office_code],
        help_text=_("Italian public offices: the 6-character IPA code."),
    )
    cig = models.CharField(_("CIG"), max_length=10, blank=True, validators=[validate_cig])
    cup = models.CharField(_("CUP"), max_length=15, blank=True, validators=[validate_cup])
    einvoice_format = models.CharField(
        _("electronic invoice"),
        max_length=16,
        choices=EInvoiceFormat.choices,
        blank=True,
        default=EInvoiceFormat.NONE,
        help_text=_("Sent with the PDF when your finance office needs one."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing details")
        verbose_name_plural = _("billing details")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        german_public = self.public_body and str(self.country) == "DE"
        if german_public or self.einvoice_format in (
            EInvoiceFormat.XRECHNUNG_UBL,
            EInvoiceFormat.XRECHNUNG_CII,
        ):
            if not self.buyer_reference:
                raise ValidationError(
                    {"buyer_reference": _("German public buyers need their Leitweg-ID here.")}
                )
            if str(self.country) == "DE":
                try:
                    validate_leitweg_id(self.buyer_reference)
                except ValidationError as exc:
                    raise ValidationError({"buyer_reference": exc.messages}) from exc


class InvoiceCounter(models.Model):
    """The next number of one series (invoices or credit notes) of one congress; the row is
    locked while a number is taken, so numbers are sequential and gap-free."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=NumberSeries.choices)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["congress", "kind"], name="one_counter_per_series")
        ]

    def __str__(self) -> str:
        return f"{self.congress_id} {self.kind} -> {self.next_number}"


class Invoice(models.Model):
    """An issued invoice or credit note: a frozen snapshot of seller, buyer, lines and totals.
    Never changed after issue; a correction is a credit note plus a new invoice."""

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(
        _("kind"), max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    number = models.PositiveIntegerField(_("sequence"))
    full_number = models.CharField(_("number"), max_length=40)
    issued_at = models.DateTimeField(_("issued"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    net = models.DecimalField(_("net"), max_digits=12, decimal_places=2)
    tax = models.DecimalField(_("tax"), max_digits=12, decimal_places=2)
    gross = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax_label = models.CharField(max_length=40)
    reverse_charge = models.BooleanField(default=False)
    lines = models.JSONField(default=list)
    seller = models.JSONField(default=dict)
    buyer = models.JSONField(default=dict)
    payment_instructions = models.BooleanField(
        default=True, help_text=_("Print bank details and the reference (unpaid at issue).")
    )
    paid_at_issue = models.BooleanField(default=False)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrects invoice"),
    )
    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_note"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["congress", "kind", "number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "kind", "number"], name="invoice_number_unique_per_series"
            )
        ]

    def __str__(self) -> str:
        return self.full_number

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValidationError(_("An issued invoice cannot be changed; issue a credit note."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An issued invoice cannot be deleted; issue a credit note."))

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def filename(self) -> str:
        return f"{self.full_number}.pdf".replace("/", "-")


class InvoiceReminder(models.Model):
    """One payment reminder sent for an overdue invoice: the dunning history, and what keeps a
    second reminder from going to the same order within 24 hours."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="invoice_reminders")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    language = models.CharField(_("language"), max_length=10)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("invoice reminder")
        verbose_name_plural = _("invoice reminders")
        indexes = [models.Index(fields=["order", "sent_at"], name="invoice_reminder_order_idx")]

    def __str__(self) -> str:
        return f"{self.invoice} {self.sent_at:%Y-%m-%d %H:%M}"
