"""Invoices and credit notes (immutable once issued), per-congress billing settings, the buyer's
billing details and the per-congress counters that keep numbers gap-free."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress

from ..payments.enums import InvoiceKind
from .orders import Order
from .payments import Refund


class BillingSettings(models.Model):
    """Who sells, where transfers go, and how tax is shown, for one congress."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="billing_settings"
    )
    seller_name = models.CharField(_("seller name"), max_length=200)
    seller_address = models.TextField(_("seller address"), blank=True)
    seller_country = CountryField(_("seller country"), blank=True)
    seller_vat_id = models.CharField(_("seller VAT id"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=40, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    tax_label = models.CharField(_("tax label"), max_length=40, default="VAT")
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
        default="Reverse charge: VAT to be accounted for by the recipient "
        "(Article 196, Council Directive 2006/112/EC).",
        help_text=_("Printed instead of tax for business buyers abroad with a VAT number."),
    )
    payment_terms_days = models.PositiveIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(365)]
    )
    invoice_prefix = models.CharField(
        _("invoice number prefix"), max_length=20, blank=True, help_text=_("e.g. WCG27-")
    )
    footer = models.TextField(_("invoice footer"), blank=True)

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
    email = models.EmailField(_("invoice e-mail"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing details")
        verbose_name_plural = _("billing details")

    def __str__(self) -> str:
        return self.name


class InvoiceCounter(models.Model):
    """The next number of one series (invoices or credit notes) of one congress; the row is
    locked while a number is taken, so numbers are sequential and gap-free."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices)
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
