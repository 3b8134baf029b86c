"""Card payments (Stripe PaymentIntents), webhooks, bank transfers and reconciliation.

Every change of a payment's state is a compare-and-set on its row under the order's row lock,
and every webhook event id is stored once in the same transaction as its effect: a duplicated,
late or out-of-order event changes nothing twice. Stripe is called only outside transactions.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

import stripe as stripe_lib
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import AuditEntry
from events_site.congresses.money import format_money

from ... import lifecycle
from ...errors import OrderStateError, SoldOut
from ...lifecycle import OrderStatus
from ...models import Order, Payment, Refund, StripeEvent
from ...services.orders import mark_order_paid
from .. import stripe as stripe_edge
from ..enums import (
    OPEN_PAYMENT_STATES,
    PaymentProvider,
    PaymentState,
    RefundState,
    StripeIntentStatus,
)
from ..errors import CardPaymentsUnavailable, PaymentError, PaymentProviderError
from . import invoicing as invoice_services

log = logging.getLogger(__name__)

CENT = Decimal("0.01")


# --- read side ----------------------------------------------------------------------------------


def amount_received(order: Order) -> Decimal:
    total = order.payments.filter(state=PaymentState.SUCCEEDED).aggregate(s=Sum("amount"))["s"]
    return (total or Decimal("0")).quantize(CENT)


def amount_refunded(order: Order) -> Decimal:
    total = order.refunds.filter(state=RefundState.SUCCEEDED).aggregate(s=Sum("amount"))["s"]
    return (total or Decimal("0")).quantize(CENT)


def amount_kept(order: Order) -> Decimal:
    """Money received and not given back."""
    return amount_received(order) - amount_refunded(order)


def amount_outstanding(order: Order) -> Decimal:
    if order.status not in lifecycle.PAYABLE_STATUSES:
        return Decimal("0.00")
    return max(order.total - amount_kept(order), Decimal("0.00"))


def payment_refusal(order: Order) -> str | None:
    """Why ``order`` cannot be paid now (a translatable message), or None if it can."""
    if order.status in lifecycle.PAID_STATUSES:
        return _("This order is already paid.")
    if order.status in lifecycle.UNPAYABLE_CANCELLED_STATUSES:
        return _("This order was cancelled and cannot be paid.")
    if order.status == OrderStatus.AWAITING_APPROVAL:
        return _("This order is awaiting approval; you can pay once it is approved.")
    if order.status == OrderStatus.EXPIRED:
        return _("The seats held for this order were released. Please register again.")
    if order.total <= 0:
        return _("There is nothing to pay on this order.")
    return None


def _hold_lapsed(order: Order, now: dt.datetime) -> bool:
    return order.hold_expires_at is not None and order.hold_expires_at <= now


# --- starting a card payment ------------------------------------------------------------------


def card_attempt_key(order: Order, number: int) -> str:
    """The idempotency key of the order's ``number``-th card attempt for its current total:
    the same order, amount and currency give the same key, so a request retried after a crash
    gets the intent Stripe created the first time instead of a second one."""
    minor = stripe_edge.to_minor_units(order.total, order.currency)
    return f"convene-pi-{order.code}-{order.currency.upper()}{minor}-{number}"


def start_card_payment(*, order: Order) -> Payment:
    """A Stripe PaymentIntent for the order's server-side total, valid while the seats are
    held. Reuses the order's open attempt for the same amount, also one whose intent was
    created but never stored (the worker died): its deterministic key finds that intent."""
    refusal = payment_refusal(order)
    if refusal:
        raise OrderStateError(refusal)
    if not stripe_edge.card_payments_available():
        raise CardPaymentsUnavailable()
    now = timezone.now()
    if _hold_lapsed(order, now):
        raise OrderStateError(
            _("The time to pay for this order has run out. Please register again.")
        )
    try:
        stripe_edge.to_minor_units(order.total, order.currency)
    except ValueError as exc:
        raise PaymentError(
            _("This amount cannot be charged by card in %(currency)s.")
            % {"currency": order.currency}
        ) from exc
    with transaction.atomic():
        # Under the order's row lock the total cannot change (one delegate cancelled) between
        # reading it and creating the attempt: an attempt is always for the current total.
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.total != order.total or locked.status != order.status:
            raise OrderStateError(_("The order changed meanwhile; please reload."))
        same_amount = order.payments.filter(
            provider=PaymentProvider.STRIPE, amount=order.total, currency=order.currency
        )
        open_attempts = same_amount.filter(state__in=OPEN_PAYMENT_STATES).order_by("-created_at")
        reusable = open_attempts.filter(provider_id__isnull=False).first()
        if reusable is not None:
            return reusable
        # One whose intent was never stored: its key asks Stripe again for the same intent.
        payment = open_attempts.first()
        if payment is None:
            payment = Payment.objects.create(
                order=order,
                provider=PaymentProvider.STRIPE,
                amount=order.total,
                currency=order.currency,
                expires_at=order.hold_expires_at,
                idempotency_key=card_attempt_key(order, same_amount.count() + 1),
            )
            audit.record(
                action="convene.payment.started",
                congress=order.congress,
                actor_label=order.email,
                target=payment,
                data={
                    "order": order.code,
                    "amount": str(order.total),
                    "currency": order.currency,
                    "key": payment.idempotency_key,
                },
            )
    try:
        _create_intent(payment, order)
    except PaymentProviderError as exc:
        if getattr(exc.__cause__, "http_status", None) != 409:
            # (409: the same key still in flight, a double click; not a failed attempt)
            Payment.objects.filter(pk=payment.pk, provider_id__isnull=True).update(
                state=PaymentState.FAILED, failure_message=str(exc)[:300]
            )
        raise PaymentProviderError(
            _("Card payment could not be started. Please try again or pay by invoice.")
        ) from exc
    payment.refresh_from_db()
    return payment


def _create_intent(payment: Payment, order: Order) -> None:
    """Create (or, for a key Stripe has seen, get back) the attempt's intent and store its id.

    The parameters come from the attempt's row only, so a repeat of the key is the same request
    (Stripe refuses a key reused with other parameters). Compare-and-set: storing twice is one."""
    try:
        intent = stripe_edge.create_payment_intent(
            amount=payment.amount,
            currency=payment.currency,
            order_code=order.code,
            congress_slug=order.congress.slug,
            idempotency_key=payment.idempotency_key,
        )
    except stripe_lib.StripeError as exc:
        raise PaymentProviderError(str(exc.user_message or exc)) from exc
    Payment.objects.filter(pk=payment.pk, provider_id__isnull=True).update(
        provider_id=intent["id"], client_secret=intent.get("client_secret") or ""
    )


def recover_card_attempt(*, payment: Payment, now: dt.datetime | None = None) -> str:
    """An open attempt without an intent id (its worker died after Stripe answered, or before
    it asked): find its intent by its idempotency key and attach it, so that it can be settled,
    reused or cancelled like any other. Past Stripe's key lifetime nobody can hold that intent
    (its client secret never left the server): the attempt is closed as failed instead."""
    now = now or timezone.now()
    if payment.provider_id or payment.state not in OPEN_PAYMENT_STATES:
        return "no_change"
    if payment.created_at <= now - stripe_edge.IDEMPOTENCY_KEY_LIFETIME:
        message = str(_("The card payment was interrupted before it was shown; it was closed."))
        changed = Payment.objects.filter(
            pk=payment.pk, provider_id__isnull=True, state__in=OPEN_PAYMENT_STATES
        ).update(state=PaymentState.FAILED, failure_message=message)
        if changed:
            audit.record(
                action="convene.payment.failed",
                congress=payment.order.congress,
                actor_label="convene",
                target=payment,
                data={"order": payment.order.code, "message": message},
            )
        return "abandoned" if changed else "no_change"
    _create_intent(payment, payment.order)
    payment.refresh_from_db()
    audit.record(
        action="convene.payment.recovered",
        congress=payment.order.congress,
        actor_label="convene",
        target=payment,
        data={"order": payment.order.code, "intent": payment.provider_id},
    )
    return "recovered"


def confirm_card_payment_with_token(*, order: Order, payment: Payment, token: str) -> Payment:
    """The emulator's browser path: attach the tokenised card, confirm, settle from the answer."""
    if payment.order_id != order.pk or payment.provider != PaymentProvider.STRIPE:
        raise PaymentError(_("This payment does not belong to this order."))
    refusal = payment_refusal(order)
    if refusal:
        raise OrderStateError(refusal)
    if payment.state not in OPEN_PAYMENT_STATES and payment.state != PaymentState.FAILED:
        raise PaymentError(_("This payment attempt is closed; please reload the page."))
    try:
        intent = stripe_edge.confirm_with_card_token(intent_id=payment.provider_id, token=token)
    except stripe_lib.CardError as exc:
        raise PaymentError(exc.user_message or _("Your card was declined.")) from exc
    except stripe_lib.StripeError as exc:
        raise PaymentProviderError(_("The card payment could not be completed.")) from exc
    settle_payment_intent(intent=intent, source="confirm")
    payment.refresh_from_db()
    return payment


def refresh_card_payment(*, payment: Payment) -> str:
    """Ask Stripe about one attempt (the return page, the reconciliation) and settle it."""
    try:
        intent = stripe_edge.retrieve_payment_intent(payment.provider_id)
    except stripe_lib.StripeError as exc:
        raise PaymentProviderError(_("Stripe could not be reached; please try again.")) from exc
    return settle_payment_intent(intent=intent, source="refresh")


# --- before an order's total changes -----------------------------------------------------------

# An attempt still waiting for its PaymentIntent (the Stripe call in flight) this long is dead.
STARTING_ATTEMPT_GRACE = dt.timedelta(minutes=15)
CARD_PAYMENT_IN_PROGRESS = _(
    "A card payment for this order is in progress. Please try again in a few minutes."
)


def open_card_payments(order: Order) -> QuerySet[Payment]:
    """Card attempts of ``order`` that could still charge it: open with an intent, or being
    created right now (the intent not yet stored)."""
    return order.payments.filter(
        Q(provider_id__isnull=False) | Q(created_at__gt=timezone.now() - STARTING_ATTEMPT_GRACE),
        provider=PaymentProvider.STRIPE,
        state__in=OPEN_PAYMENT_STATES,
    )


def cancel_open_card_payments(*, order: Order) -> None:
    """Cancel the order's unfinished card attempts at Stripe before its total goes down, so that
    none can charge the old amount later. Call outside any transaction (it talks to Stripe).

    OrderStateError while a payment is being processed (it cannot be cancelled) or just being
    started; PaymentProviderError if Stripe cannot be reached. A payment that succeeded
    meanwhile is settled (the order is then paid)."""
    for payment in open_card_payments(order).order_by("id"):
        if payment.state == PaymentState.PROCESSING:
            raise OrderStateError(CARD_PAYMENT_IN_PROGRESS)
        if not payment.provider_id:
            # Being started, or left by a worker that died: its key gives back its intent.
            try:
                recover_card_attempt(payment=payment)
            except (CardPaymentsUnavailable, PaymentProviderError) as exc:
                # Stripe answers a key still in flight with an error: it is in progress.
                raise OrderStateError(CARD_PAYMENT_IN_PROGRESS) from exc
            payment.refresh_from_db()
            if not payment.provider_id:
                continue
        try:
            _cancel_intent(payment)
        except (CardPaymentsUnavailable, PaymentProviderError) as exc:
            raise PaymentProviderError(_("Stripe could not be reached; please try again.")) from exc
        payment.refresh_from_db()
        if payment.state in OPEN_PAYMENT_STATES:
            raise OrderStateError(CARD_PAYMENT_IN_PROGRESS)


# --- settling what Stripe says ----------------------------------------------------------------


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
            Order.objects.select_for_update().select_related("congress").get(pk=payment.order_id)
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
            Order.objects.select_for_update().select_related("congress").get(pk=payment.order_id)
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
    """Mark the order paid (retaking seats if its hold passed) or flag it and say why not."""
    try:
        with transaction.atomic():
            mark_order_paid(order=order, actor_label="stripe")
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
    invoice_services.issue_invoice(order=order, actor_label="stripe")
    return "paid"


def flag_for_review(order: Order, reason: str) -> None:
    reason = str(reason)
    text = f"{order.review_reason}\n{reason}".strip() if order.review_reason else reason
    Order.objects.filter(pk=order.pk).update(needs_review=True, review_reason=text)
    order.needs_review, order.review_reason = True, text
    audit.record(
        action="convene.payment.flagged",
        congress=order.congress,
        actor_label="convene",
        target=order,
        data={"code": order.code, "reason": reason},
    )


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
    from ..tasks import submit_refund_task

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
            from .refunds import settle_charge_refunds

            outcome = settle_charge_refunds(charge=obj, source="webhook")
        elif event_type in REFUND_EVENTS:
            from .refunds import settle_refund

            outcome = settle_refund(refund_object=obj, source="webhook")
        else:
            outcome = "ignored"
        StripeEvent.objects.filter(pk=record.pk).update(outcome=outcome[:200])
    return outcome


# --- bank transfers -----------------------------------------------------------------------------


def record_bank_transfer(
    *,
    order: Order,
    amount: Decimal,
    received_on: dt.date,
    reference: str = "",
    by=None,
) -> Payment:
    """Finance staff record money received by transfer; the order is paid once covered.

    More than outstanding is recorded and flagged for review (the money did arrive)."""
    if amount is None or amount <= 0:
        raise PaymentError(_("Enter the amount received (more than zero)."))
    refusal = payment_refusal(order)
    if refusal and order.status != OrderStatus.EXPIRED:
        raise OrderStateError(refusal)
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("congress").get(pk=order.pk)
        refusal = payment_refusal(locked)
        if refusal and locked.status != OrderStatus.EXPIRED:
            raise OrderStateError(refusal)
        payment = Payment.objects.create(
            order=locked,
            provider=PaymentProvider.BANK_TRANSFER,
            amount=amount,
            currency=locked.currency,
            state=PaymentState.SUCCEEDED,
            succeeded_at=timezone.now(),
            received_on=received_on,
            reference=reference,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(
            action="convene.payment.transfer_recorded",
            congress=locked.congress,
            actor=by,
            target=payment,
            data={"order": locked.code, "amount": str(amount), "reference": reference},
        )
        kept = amount_kept(locked)
        if kept > locked.total:
            flag_for_review(
                locked,
                _("Overpaid by %(extra)s.")
                % {"extra": format_money(kept - locked.total, locked.currency)},
            )
        if kept >= locked.total:
            try:
                with transaction.atomic():
                    mark_order_paid(order=locked, by=by)
            except SoldOut:
                flag_for_review(
                    locked, _("Transfer received after the seats were released and resold.")
                )
            else:
                locked.refresh_from_db()
                invoice_services.issue_invoice(order=locked, by=by, send=False)
    order.refresh_from_db()
    return payment


def request_invoice_payment(*, order: Order, billing: dict[str, Any], by=None):
    """Pay by invoice: store the billing details, issue the invoice with payment instructions
    and hold the seats until the invoice is due (end of that day, congress time)."""
    refusal = payment_refusal(order)
    if refusal:
        raise OrderStateError(refusal)
    if _hold_lapsed(order, timezone.now()):
        raise OrderStateError(
            _("The time to pay for this order has run out. Please register again.")
        )
    with transaction.atomic():
        invoice_services.save_billing_details(
            order=order, by=by, actor_label=order.email, **billing
        )
        settings_ = invoice_services.billing_settings_for(order.congress)
        due = timezone.localdate(timezone=order.congress.tz) + dt.timedelta(
            days=settings_.payment_terms_days
        )
        hold_until = dt.datetime.combine(
            due + dt.timedelta(days=1), dt.time.min, tzinfo=order.congress.tz
        )
        Order.objects.filter(pk=order.pk, status=lifecycle.HELD_STATUS).filter(
            Q(hold_expires_at__isnull=True) | Q(hold_expires_at__lt=hold_until)
        ).update(hold_expires_at=hold_until)
        order.refresh_from_db()
        invoice = invoice_services.issue_invoice(order=order, by=by, actor_label=order.email)
    return invoice


# --- reconciliation ---------------------------------------------------------------------------


def reconcile_payments(*, now: dt.datetime | None = None, grace_minutes: int = 10) -> dict:
    """A lost webhook is not a lost payment: ask Stripe about every open attempt and pending
    refund and settle them (attempts whose intent id was never stored are found by their
    idempotency key first); cancel intents whose payment window has closed; invoice paid
    orders that have none. Returns counts per outcome."""
    from .refunds import refresh_refund, submit_refund

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
                window_closed = order.status != lifecycle.HELD_STATUS or _hold_lapsed(
                    order, now - dt.timedelta(minutes=grace_minutes)
                )
                if payment.state in OPEN_PAYMENT_STATES and window_closed:
                    outcome = _cancel_intent(payment)
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
        invoice_services.issue_invoice(order=order, actor_label="reconcile", send=False)
        count("invoiced")
    return counts


def _cancel_intent(payment: Payment) -> str:
    """Close Stripe's side of a payment window that ended, then settle what Stripe says."""
    try:
        intent = stripe_edge.cancel_payment_intent(payment.provider_id)
    except stripe_lib.InvalidRequestError:
        # Succeeded or already cancelled meanwhile: settle what it really is.
        intent = stripe_edge.retrieve_payment_intent(payment.provider_id)
    except stripe_lib.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc
    return settle_payment_intent(intent=intent, source="reconcile")
