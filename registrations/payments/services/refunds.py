"""Refunds, full and partial, decided by the organiser and confirmed by Stripe.

The refundable amount is computed under the order's row lock, counting refunds still pending,
so two clicks can never refund more than was paid. Card refunds go to Stripe after the commit
(idempotency key per refund) and become final when Stripe confirms them (webhook or
reconciliation); the order then turns refunded or partially refunded, and the invoice is
credited down to the money kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import stripe as stripe_lib
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.money import format_money

from ... import lifecycle
from ...models import Order, Payment, Refund
from ...services import notifications
from .. import stripe as stripe_edge
from ..enums import PaymentProvider, PaymentState, RefundState, StripeRefundStatus
from ..errors import PaymentError, PaymentProviderError, RefundRefused
from . import invoicing as invoice_services

CENT = Decimal("0.01")


def refundable_amount(order: Order) -> Decimal:
    """Received minus refunded or being refunded."""
    return refundable_by_order([order.pk])[order.pk]


def refundable_by_order(order_ids) -> dict[int, Decimal]:
    """``refundable_amount`` of each order of ``order_ids``, in two queries whatever their
    number."""
    ids = sorted({i for i in order_ids if i})
    if not ids:
        return {}
    received = dict(
        Payment.objects.filter(order_id__in=ids, state=PaymentState.SUCCEEDED)
        .order_by()
        .values("order")
        .annotate(total=Sum("amount"))
        .values_list("order", "total")
    )
    given = dict(
        Refund.objects.filter(order_id__in=ids)
        .exclude(state=RefundState.FAILED)
        .order_by()
        .values("order")
        .annotate(total=Sum("amount"))
        .values_list("order", "total")
    )
    zero = Decimal("0")
    return {i: ((received.get(i) or zero) - (given.get(i) or zero)).quantize(CENT) for i in ids}


def request_refund(*, order: Order, amount: Decimal, by=None, reason: str = "") -> list[Refund]:
    """Refund ``amount`` of what the order paid, spread over its payments (newest first).

    Refuses more than is refundable. Card parts go to Stripe now (outside the transaction);
    transfer parts are recorded as refunded at once (finance sends the money back)."""
    if amount is None or amount <= 0:
        raise RefundRefused(_("Enter an amount to refund (more than zero)."))
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=order.pk)
        )
        if locked.status not in lifecycle.REFUNDABLE_STATUSES:
            raise RefundRefused(
                _("Order %(code)s cannot be refunded: it is %(status)s.")
                % {"code": locked.code, "status": locked.get_status_display()}
            )
        available = refundable_amount(locked)
        if amount > available:
            raise RefundRefused(
                _("You can refund at most %(max)s on this order.")
                % {"max": format_money(available, locked.currency)}
            )
        refunds = []
        left = amount
        payments = locked.payments.filter(state=PaymentState.SUCCEEDED).order_by("-succeeded_at")
        for payment in payments:
            given = payment.refunds.exclude(state=RefundState.FAILED).aggregate(s=Sum("amount"))
            room = payment.amount - (given["s"] or Decimal("0"))
            part = min(room, left)
            if part <= 0:
                continue
            refunds.append(
                Refund.objects.create(
                    payment=payment,
                    order=locked,
                    amount=part,
                    currency=payment.currency,
                    reason=reason,
                    requested_by=by if getattr(by, "is_authenticated", False) else None,
                )
            )
            left -= part
            if left <= 0:
                break
        for refund in refunds:
            audit.record(
                action="convene.refund.requested",
                congress=locked.congress,
                actor=by,
                target=refund,
                data={"order": locked.code, "amount": str(refund.amount), "reason": reason},
            )
            if refund.payment.provider == PaymentProvider.BANK_TRANSFER:
                _confirm(refund, source="finance")
    for refund in refunds:
        if refund.payment.provider == PaymentProvider.STRIPE:
            submit_refund(refund=refund)
    for refund in refunds:
        refund.refresh_from_db()
    order.refresh_from_db()
    return refunds


def submit_refund(*, refund: Refund) -> Refund:
    """Send a pending card refund to Stripe (idempotent per refund) and apply its answer."""
    payment = refund.payment
    try:
        answer = stripe_edge.create_refund(
            intent_id=payment.provider_id,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=f"convene-refund-{refund.idempotency_key}",
            order_code=refund.order.code,
        )
    except stripe_lib.StripeError as exc:
        with transaction.atomic():
            if Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).update(
                state=RefundState.FAILED
            ):
                audit.record(
                    action="convene.refund.failed",
                    congress=refund.order.congress,
                    actor_label="stripe",
                    target=refund,
                    data={"order": refund.order.code, "error": str(exc)[:200]},
                )
        raise PaymentProviderError(
            _("Stripe refused the refund: %(error)s") % {"error": exc.user_message or exc}
        ) from exc
    Refund.objects.filter(pk=refund.pk, provider_id__isnull=True).update(provider_id=answer["id"])
    refund.refresh_from_db()
    return refund


@task(queue_name="default")
def submit_refund_task(*, refund_id: int) -> str:
    """A pending card refund sent to Stripe by a worker after the commit that decided it."""
    refund = Refund.objects.select_related("payment", "order").get(pk=refund_id)
    if refund.state != RefundState.PENDING or refund.provider_id:
        return "nothing_to_do"
    try:
        submit_refund(refund=refund)
    except PaymentError as exc:  # recorded as failed by the service; the reconciliation retries
        return f"failed: {exc}"
    return "submitted"


def refresh_refund(*, refund: Refund) -> str:
    try:
        answer = stripe_edge.retrieve_refund(refund.provider_id)
    except stripe_lib.StripeError as exc:
        raise PaymentProviderError(str(exc)) from exc
    return settle_refund(refund_object=answer, source="reconcile")


def settle_refund(*, refund_object: dict[str, Any], source: str) -> str:
    """Apply Stripe's view of one refund (refund.updated / reconciliation)."""
    refund = Refund.objects.filter(provider_id=refund_object.get("id")).first()
    if refund is None:
        refund = _match_unrecorded_refund(refund_object)
        if refund is None:
            return "unknown_refund"
    status = refund_object.get("status")
    if status == StripeRefundStatus.SUCCEEDED:
        with transaction.atomic():
            return _confirm(refund, source=source)
    if status in (StripeRefundStatus.FAILED, StripeRefundStatus.CANCELED):
        with transaction.atomic():
            changed = Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).update(
                state=RefundState.FAILED
            )
            if changed:
                audit.record(
                    action="convene.refund.failed",
                    congress=refund.order.congress,
                    actor_label=f"stripe:{source}",
                    target=refund,
                    data={"order": refund.order.code},
                )
        return "refund_failed" if changed else "no_change"
    return "no_change"


def settle_charge_refunds(*, charge: dict[str, Any], source: str) -> str:
    """``charge.refunded``: settle every refund listed on the charge."""
    outcomes = [
        settle_refund(refund_object=item, source=source)
        for item in ((charge.get("refunds") or {}).get("data") or [])
    ]
    return ",".join(outcomes) or "no_refunds_listed"


def _match_unrecorded_refund(refund_object: dict[str, Any]) -> Refund | None:
    """A refund whose Stripe id we had not stored yet (webhook faster than our own save)."""
    intent = refund_object.get("payment_intent")
    if not intent:
        return None
    payment = Payment.objects.filter(provider_id=intent).first()
    if payment is None:
        return None
    amount = stripe_edge.from_minor_units(refund_object.get("amount") or 0, payment.currency)
    refund = (
        payment.refunds.filter(provider_id__isnull=True, amount=amount, state=RefundState.PENDING)
        .order_by("created_at")
        .first()
    )
    if refund is not None:
        Refund.objects.filter(pk=refund.pk, provider_id__isnull=True).update(
            provider_id=refund_object["id"]
        )
        refund.refresh_from_db()
    return refund


def _confirm(refund: Refund, *, source: str) -> str:
    """Pending -> succeeded (compare-and-set), then the order's status, credit note and the
    contact's e-mail: only the call that changed the row does these, so a refund seen by both
    the webhook and the reconciliation is e-mailed once."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("congress")
        .get(pk=refund.order_id)
    )
    changed = Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).update(
        state=RefundState.SUCCEEDED, confirmed_at=timezone.now()
    )
    if not changed:
        return "no_change"
    refund.refresh_from_db()
    received = order.payments.filter(state=PaymentState.SUCCEEDED).aggregate(s=Sum("amount"))["s"]
    refunded = order.refunds.filter(state=RefundState.SUCCEEDED).aggregate(s=Sum("amount"))["s"]
    kept = (received or Decimal("0")) - (refunded or Decimal("0"))
    if kept <= 0:
        lifecycle.apply(order, lifecycle.REFUND_ALL)
    elif kept < order.total:
        lifecycle.apply(order, lifecycle.REFUND_PART)
    audit.record(
        action="convene.refund.confirmed",
        congress=order.congress,
        actor_label=f"stripe:{source}" if source != "finance" else "finance",
        target=refund,
        data={"order": order.code, "amount": str(refund.amount), "status": order.status},
    )
    invoice_services.credit_for_refunds(order=order, kept=max(kept, Decimal("0")), refund=refund)
    notifications.queue_refund_email(refund=refund)
    return "refund_confirmed"
