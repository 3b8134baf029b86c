"""Settling what Stripe says: a PaymentIntent's state applied to its attempt and order, and
each verified webhook event handled exactly once.

Every change of a payment's state is a compare-and-set on its row under the order's row lock,
and every webhook event id is stored once in the same transaction as its effect: a duplicated,
late or out-of-order event changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import AuditEntry
from events_site.congresses.money import format_money

from ... import lifecycle
from ...errors import OrderStateError, SoldOut
from ...models import Order, Payment, Refund, StripeEvent
from .. import stripe as stripe_edge
from ..enums import OPEN_PAYMENT_STATES, PaymentProvider, PaymentState, StripeIntentStatus
from .balances import flag_for_review
from .refunds import settle_charge_refunds, settle_refund, submit_refund_task
from .settlement import settle_order_paid


def settle_payment_intent(*, intent: dict[str, Any], source: str) -> str:
    """Apply a PaymentIntent's state to its attempt and order; returns what happened.

    Safe to call any number of times with old or new snapshots: states only move forward."""
    payment = (
        Payment.objects.select_related("order", "order__congress")
        .filter(provider=PaymentProvider.STRIPE, provider_id=intent.get("id"))
        .first()
    )
    if payment is None:
        return "unknown_payment_intent"
    if not _metadata_names_its_order(payment, intent):
        return _flag_metadata_mismatch(payment, intent, source)
    status = intent.get("status")
    if status == StripeIntentStatus.SUCCEEDED:
        return _payment_succeeded(payment, intent, source)
    if status == StripeIntentStatus.CANCELED:
        return _close_attempt(payment, PaymentState.CANCELED, "", source)
    if status == StripeIntentStatus.REQUIRES_PAYMENT_METHOD and intent.get("last_payment_error"):
        message = (intent.get("last_payment_error") or {}).get("message") or ""
        return _close_attempt(payment, PaymentState.FAILED, message, source)
    if status == StripeIntentStatus.PROCESSING:
        changed = Payment.objects.filter(pk=payment.pk, state=PaymentState.CREATED).update(
            state=PaymentState.PROCESSING
        )
        return "processing" if changed else "no_change"
    return "no_change"


METADATA_MISMATCH = "convene.payment.metadata_mismatch"


def _metadata_names_its_order(payment: Payment, intent: dict[str, Any]) -> bool:
    """Convene writes the order's code and congress into every intent it creates; an intent
    that names another (edited at Stripe, or attached to the wrong attempt) settles nothing."""
    metadata = intent.get("metadata") or {}
    order = payment.order
    return metadata.get("order") == order.code and metadata.get("congress") == order.congress.slug


def _flag_metadata_mismatch(payment: Payment, intent: dict[str, Any], source: str) -> str:
    """Leave the attempt and the order as they are and put the order on finance's review
    list (once per intent, however often Stripe or the reconciliation reports it)."""
    metadata = intent.get("metadata") or {}
    reason = str(
        _(
            "PaymentIntent %(intent)s (%(status)s) names order %(named_order)s of congress "
            "%(named_congress)s, not this one: it was not applied. Check it at Stripe."
        )
        % {
            "intent": payment.provider_id,
            "status": intent.get("status") or "?",
            "named_order": metadata.get("order") or "—",
            "named_congress": metadata.get("congress") or "—",
        }
    )
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=payment.order_id)
        )
        if AuditEntry.objects.filter(
            action=METADATA_MISMATCH, target_type="registrations.payment", target_id=str(payment.pk)
        ).exists():
            return "metadata_mismatch"
        flag_for_review(order, reason)
        audit.record(
            action=METADATA_MISMATCH,
            congress=order.congress,
            actor_label=f"stripe:{source}",
            target=payment,
            data={
                "order": order.code,
                "intent": payment.provider_id,
                "status": intent.get("status") or "",
                "metadata": {key: str(value)[:200] for key, value in metadata.items()},
            },
        )
    return "metadata_mismatch"


def _close_attempt(payment: Payment, state: str, message: str, source: str) -> str:
    with transaction.atomic():
        changed = Payment.objects.filter(pk=payment.pk, state__in=OPEN_PAYMENT_STATES).update(
            state=state, failure_message=message[:300]
        )
        if not changed:
            return "no_change"
        audit.record(
            action=f"convene.payment.{state}",
            congress=payment.order.congress,
            actor_label=f"stripe:{source}",
            target=payment,
            data={"order": payment.order.code, "intent": payment.provider_id, "message": message},
        )
    return state


def _payment_succeeded(payment: Payment, intent: dict[str, Any], source: str) -> str:
    now = timezone.now()
    minor = intent.get("amount_received") or intent.get("amount") or 0
    currency = str(intent.get("currency") or "").upper()
    received = stripe_edge.from_minor_units(minor, currency or payment.currency)
    refund_needed: Refund | None = None
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=payment.order_id)
        )
        changed = (
            Payment.objects.filter(pk=payment.pk)
            .exclude(state=PaymentState.SUCCEEDED)
            .update(
                state=PaymentState.SUCCEEDED,
                succeeded_at=now,
                failure_message="",
                amount=received,
                currency=currency or payment.currency,
            )
        )
        if not changed:
            return "already_settled"
        payment.refresh_from_db()
        audit.record(
            action="convene.payment.succeeded",
            congress=order.congress,
            actor_label=f"stripe:{source}",
            target=payment,
            data={"order": order.code, "intent": payment.provider_id, "amount": str(received)},
        )
        if currency != order.currency.upper() or received != order.total:
            flag_for_review(
                order,
                _("Card payment %(intent)s of %(amount)s does not match the order total %(total)s.")
                % {
                    "intent": payment.provider_id,
                    "amount": format_money(received, currency or payment.currency),
                    "total": format_money(order.total, order.currency),
                },
            )
            outcome = "mismatch"
        elif order.status in lifecycle.PAID_STATUSES:
            flag_for_review(
                order, _("Paid twice: card payment %s is refunded.") % payment.provider_id
            )
            refund_needed = _automatic_refund(payment, reason="duplicate payment")
            outcome = "duplicate_refunded"
        else:
            outcome = _confirm_order(order, payment)
            if outcome != "paid":
                refund_needed = _automatic_refund(payment, reason=outcome)
    if refund_needed is not None:
        _submit_refund_on_commit(refund_needed)
    return outcome


def _confirm_order(order: Order, payment: Payment) -> str:
    """Settle the order paid, invoiced and confirmed (retaking seats if its hold passed), or
    flag it and say why not."""
    try:
        settle_order_paid(order=order, actor_label="stripe")
    except SoldOut:
        flag_for_review(
            order,
            _(
                "Payment %s arrived after the seat hold expired and no seat was free; "
                "it is refunded automatically."
            )
            % payment.provider_id,
        )
        return "sold_out_refunded"
    except OrderStateError as exc:
        flag_for_review(
            order,
            _(
                "Payment %(intent)s arrived for an order that cannot be paid (%(why)s); "
                "it is refunded automatically."
            )
            % {"intent": payment.provider_id, "why": exc.message},
        )
        return "not_payable_refunded"
    order.refresh_from_db()
    return "paid"


def _automatic_refund(payment: Payment, *, reason: str) -> Refund:
    refund = Refund.objects.create(
        payment=payment,
        order_id=payment.order_id,
        amount=payment.amount,
        currency=payment.currency,
        reason=reason,
        automatic=True,
    )
    audit.record(
        action="convene.refund.requested",
        congress=payment.order.congress,
        actor_label="convene",
        target=refund,
        data={"order": payment.order.code, "amount": str(refund.amount), "reason": reason},
    )
    return refund


def _submit_refund_on_commit(refund: Refund) -> None:
    transaction.on_commit(lambda: submit_refund_task.enqueue(refund_id=refund.pk))


# --- webhooks -----------------------------------------------------------------------------------

PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
}
REFUND_EVENTS = {"refund.created", "refund.updated", "charge.refund.updated", "refund.failed"}


def process_webhook_event(*, event: dict[str, Any]) -> str:
    """Handle one verified Stripe event exactly once; unknown types are stored and ignored."""
    event_type = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"],
                    type=event_type[:80],
                    object_id=str(obj.get("id", ""))[:120],
                )
        except IntegrityError:
            return "duplicate"
        if event_type in PAYMENT_INTENT_EVENTS:
            outcome = settle_payment_intent(intent=obj, source="webhook")
        elif event_type == "charge.refunded":
            outcome = settle_charge_refunds(charge=obj, source="webhook")
        elif event_type in REFUND_EVENTS:
            outcome = settle_refund(refund_object=obj, source="webhook")
        else:
            outcome = "ignored"
        StripeEvent.objects.filter(pk=record.pk).update(outcome=outcome[:200])
    return outcome
