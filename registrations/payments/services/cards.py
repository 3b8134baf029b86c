"""Card payments at Stripe's edge: starting an attempt (a PaymentIntent for the server-side
total, one idempotency key per attempt), recovering attempts whose worker died, confirming
with a token, and cancelling open attempts before an order's total goes down.

Stripe is called only outside transactions; what Stripe answers is settled by :mod:`.webhooks`.
"""

from __future__ import annotations

import datetime as dt

import stripe as stripe_lib
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit

from ...errors import OrderStateError
from ...models import Order, Payment
from .. import stripe as stripe_edge
from ..enums import OPEN_PAYMENT_STATES, PaymentProvider, PaymentState
from ..errors import CardPaymentsUnavailable, PaymentError, PaymentProviderError
from .balances import hold_lapsed, payment_refusal, refuse_if_method_off
from .webhooks import settle_payment_intent


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
    refuse_if_method_off(order, PaymentProvider.STRIPE)
    if not stripe_edge.card_payments_available():
        raise CardPaymentsUnavailable()
    now = timezone.now()
    if hold_lapsed(order, now):
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
    refuse_if_method_off(order, PaymentProvider.STRIPE)
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
            cancel_card_intent(payment)
        except (CardPaymentsUnavailable, PaymentProviderError) as exc:
            raise PaymentProviderError(_("Stripe could not be reached; please try again.")) from exc
        payment.refresh_from_db()
        if payment.state in OPEN_PAYMENT_STATES:
            raise OrderStateError(CARD_PAYMENT_IN_PROGRESS)


def cancel_card_intent(payment: Payment) -> str:
    """Close Stripe's side of a payment window that ended, then settle what Stripe says."""
    try:
        intent = stripe_edge.cancel_payment_intent(payment.provider_id)
    except stripe_lib.InvalidRequestError:
        # Succeeded or already cancelled meanwhile: settle what it really is.
        intent = stripe_edge.retrieve_payment_intent(payment.provider_id)
    except stripe_lib.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc
    return settle_payment_intent(intent=intent, source="reconcile")
