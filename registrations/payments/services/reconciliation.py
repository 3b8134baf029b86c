"""The safety net: a lost webhook is not a lost payment, and a paid order is never left
without its invoice. The scheduler runs it as
``registrations.payments.tasks.reconcile_payments_task``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from ... import lifecycle
from ...models import Order, Payment, Refund
from .. import stripe as stripe_edge
from ..enums import OPEN_PAYMENT_STATES, PaymentProvider, RefundState
from ..errors import PaymentError
from . import invoicing as invoice_services
from .balances import hold_lapsed
from .cards import (
    STARTING_ATTEMPT_GRACE,
    cancel_card_intent,
    recover_card_attempt,
    refresh_card_payment,
)
from .refunds import refresh_refund, submit_refund

log = logging.getLogger(__name__)


def reconcile_payments(*, now: dt.datetime | None = None, grace_minutes: int = 10) -> dict:
    """A lost webhook is not a lost payment: ask Stripe about every open attempt and pending
    refund and settle them (attempts whose intent id was never stored are found by their
    idempotency key first); cancel intents whose payment window has closed; invoice paid
    orders that have none. Returns counts per outcome."""
    now = now or timezone.now()
    counts: dict[str, int] = {}

    def count(key: str) -> None:
        counts[key] = counts.get(key, 0) + 1

    if stripe_edge.card_payments_available():
        # Attempts whose worker died between Stripe's answer and storing the intent id: found
        # by their idempotency key (then settled or cancelled below like every other).
        unfinished = Payment.objects.filter(
            provider=PaymentProvider.STRIPE,
            state__in=OPEN_PAYMENT_STATES,
            provider_id__isnull=True,
            created_at__lte=now - STARTING_ATTEMPT_GRACE,
        ).select_related("order", "order__congress")
        for payment in unfinished.iterator():
            try:
                count(recover_card_attempt(payment=payment, now=now))
            except PaymentError as exc:
                log.warning("reconcile: attempt %s %s", payment.pk, exc)
                count("error")
        attempts = Payment.objects.filter(
            provider=PaymentProvider.STRIPE,
            state__in=OPEN_PAYMENT_STATES,
            provider_id__isnull=False,
        ).select_related("order")
        for payment in attempts.iterator():
            try:
                outcome = refresh_card_payment(payment=payment)
                payment.refresh_from_db()
                order = payment.order
                window_closed = order.status != lifecycle.HELD_STATUS or hold_lapsed(
                    order, now - dt.timedelta(minutes=grace_minutes)
                )
                if payment.state in OPEN_PAYMENT_STATES and window_closed:
                    outcome = cancel_card_intent(payment)
            except PaymentError as exc:
                log.warning("reconcile: %s %s", payment.provider_id, exc)
                outcome = "error"
            count(outcome)
        for refund in Refund.objects.filter(state=RefundState.PENDING).iterator():
            try:
                if refund.provider_id:
                    count("refund_" + refresh_refund(refund=refund))
                elif refund.payment.provider == PaymentProvider.STRIPE:
                    submit_refund(refund=refund)
                    count("refund_submitted")
            except PaymentError as exc:
                log.warning("reconcile refund %s: %s", refund.pk, exc)
                count("refund_error")
    unbilled = Order.objects.filter(
        status__in=lifecycle.PAID_STATUSES, total__gt=0, invoices__isnull=True
    )
    for order in unbilled.select_related("congress").iterator():
        # Every paid path goes through settle_order_paid: an order found here is worth a look.
        log.warning("reconcile: paid order %s had no invoice", order.code)
        invoice_services.issue_invoice(order=order, actor_label="reconcile", send=False)
        count("invoiced")
    return counts
