"""Payments: card attempts (Stripe PaymentIntents) and bank transfers received, refunds, and
the Stripe webhook events already processed (each stored once)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.money import format_money

from ..payments.enums import PaymentProvider, PaymentState, RefundState
from .orders import Order


class Payment(models.Model):
    """Money asked for or received against one order: a Stripe PaymentIntent or a transfer."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    provider = models.CharField(_("method"), max_length=16, choices=PaymentProvider.choices)
    provider_id = models.CharField(
        _("provider reference"),
        max_length=120,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The Stripe PaymentIntent id."),
    )
    client_secret = models.CharField(max_length=200, blank=True, editable=False)
    idempotency_key = models.CharField(
        max_length=80, unique=True, default=uuid.uuid4, editable=False
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=PaymentState.choices,
        default=PaymentState.CREATED,
        db_index=True,
    )
    expires_at = models.DateTimeField(_("payment window ends"), null=True, blank=True)
    failure_message = models.CharField(_("failure"), max_length=300, blank=True)
    reference = models.CharField(
        _("bank reference"), max_length=200, blank=True, help_text=_("As on the bank statement.")
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["provider", "state"])]

    def __str__(self) -> str:
        amount = format_money(self.amount, self.currency)
        return f"{self.order.code} {amount} ({self.get_state_display()})"


class Refund(models.Model):
    """Money given back against one payment; card refunds are confirmed by Stripe's webhook."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    provider_id = models.CharField(max_length=120, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(
        max_length=80, unique=True, default=uuid.uuid4, editable=False
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RefundState.choices,
        default=RefundState.PENDING,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    automatic = models.BooleanField(
        _("automatic"), default=False, help_text=_("Issued by Convene, not by a person.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        amount = format_money(-self.amount, self.currency)
        return f"{self.order.code} {amount} ({self.get_state_display()})"


class StripeEvent(models.Model):
    """A webhook event id Convene has processed; the unique id makes a replay a no-op."""

    event_id = models.CharField(max_length=120, unique=True)
    type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=120, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"
