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


class FinanceView(models.TextChoices):
    """The finance overview's tabs."""

    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    REFUNDED = "refunded", _("Refunded")
    REVIEW = "review", _("For review")
