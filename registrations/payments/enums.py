"""Statuses of payments, refunds and invoices: TextChoices, never bare strings."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentProvider(models.TextChoices):
    STRIPE = "stripe", _("Card (Stripe)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


class PaymentState(models.TextChoices):
    CREATED = "created", _("Started")
    PROCESSING = "processing", _("Processing")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")


# Attempts that may still turn into money: the reconciliation asks Stripe about these.
OPEN_PAYMENT_STATES = (PaymentState.CREATED, PaymentState.PROCESSING)


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class StripeIntentStatus(StrEnum):
    """A PaymentIntent's ``status`` as Stripe sends it (the ones the webhooks act on)."""

    SUCCEEDED = "succeeded"
    CANCELED = "canceled"
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    PROCESSING = "processing"


class StripeRefundStatus(StrEnum):
    """A Refund's ``status`` as Stripe sends it."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class NumberSeries(models.TextChoices):
    """The gap-free number series of a congress: its invoices, credit notes and quotes."""

    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    QUOTE = "quote", _("Quote")


class QuoteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EInvoiceFormat(models.TextChoices):
    """The electronic invoice a buyer asks for (EN 16931 syntaxes and their national rules)."""

    NONE = "", _("None (PDF only)")
    FACTURX = "facturx", _("Factur-X / ZUGFeRD (PDF with CII XML)")
    XRECHNUNG_UBL = "xrechnung_ubl", _("XRechnung (UBL)")
    XRECHNUNG_CII = "xrechnung_cii", _("XRechnung (CII)")
    PEPPOL = "peppol", _("Peppol BIS Billing 3.0 (UBL)")


class FinanceView(models.TextChoices):
    """The finance overview's tabs."""

    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    INVOICED_UNPAID = "invoiced_unpaid", _("Invoiced – unpaid (public bodies)")
    REFUNDED = "refunded", _("Refunded")
    REVIEW = "review", _("For review")


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("CAMT.053 (ISO 20022 XML)")
    MT940 = "mt940", _("MT940")
    CSV = "csv", _("CSV")


class BankLineStatus(models.TextChoices):
    """What became of one bank statement line."""

    PROPOSED = "proposed", _("Proposed")
    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")
    IGNORED = "ignored", _("Ignored")
