"""Bank statements finance uploads (CAMT.053, MT940 or CSV), their lines and what each line
became (a transfer recorded against an order, ignored, or waiting in the queue), and the CSV
column mapping each congress saved."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..payments.enums import BankLineStatus, StatementFormat
from .invoices import Invoice
from .orders import Order
from .payments import Payment


class BankStatement(models.Model):
    """One uploaded file: what it was, who sent it, and how its lines were counted."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(_("format"), max_length=8, choices=StatementFormat.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    account_iban = models.CharField(_("account"), max_length=40, blank=True)
    statement_id = models.CharField(_("statement id"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    duplicates_skipped = models.PositiveIntegerField(
        _("lines already imported"),
        default=0,
        help_text=_("Lines of this file already imported before (or twice in it): skipped."),
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.filename} ({self.uploaded_at:%Y-%m-%d})"


class BankStatementLine(models.Model):
    """One booking of a statement. Its fingerprint is unique per congress, so the same line
    (re-uploaded, or twice in one file) is imported once; its payment is recorded once."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveIntegerField(_("line"))
    fingerprint = models.CharField(max_length=64)
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    remittance = models.CharField(_("remittance information"), max_length=500, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_iban = models.CharField(_("payer's IBAN"), max_length=40, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BankLineStatus.choices, db_index=True
    )
    proposed_order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed order"),
    )
    proposed_invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confidence = models.PositiveSmallIntegerField(_("confidence"), default=0)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    matched_order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_statement_lines",
        verbose_name=_("matched order"),
    )
    matched_invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matched invoice"),
    )
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_statement_line",
        verbose_name=_("recorded payment"),
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["statement", "position"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "fingerprint"], name="bank_line_once_per_congress"
            )
        ]
        indexes = [models.Index(fields=["congress", "status"], name="bank_line_queue_idx")]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.currency} {self.payer_name}"


class BankCsvMapping(models.Model):
    """How this congress's bank writes its CSV export: the columns and number format."""

    congress = models.OneToOneField(Congress, on_delete=models.CASCADE, related_name="+")
    delimiter = models.CharField(_("delimiter"), max_length=1, default=";")
    decimal_comma = models.BooleanField(_("decimal comma"), default=True)
    encoding = models.CharField(_("encoding"), max_length=12, default="utf-8")
    date_format = models.CharField(_("date format"), max_length=12, default="%d.%m.%Y")
    date_column = models.CharField(_("date column"), max_length=100)
    amount_column = models.CharField(_("amount column"), max_length=100)
    currency_column = models.CharField(_("currency column"), max_length=100, blank=True)
    reference_column = models.CharField(_("reference column"), max_length=100, blank=True)
    payer_column = models.CharField(_("payer name column"), max_length=100, blank=True)
    iban_column = models.CharField(_("IBAN column"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bank CSV mapping")
        verbose_name_plural = _("bank CSV mappings")

    def __str__(self) -> str:
        return f"{self.congress} CSV mapping"
