"""What an order has received, refunded and still owes, whether it can be paid now, and
flagging it for finance's review: the read side every payment module shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit

from ... import lifecycle
from ...lifecycle import OrderStatus
from ...models import Order, RegistrationSettings
from ..enums import PaymentProvider, PaymentState, RefundState
from ..errors import PaymentError, PaymentMethodOff

# What finance saw of an order's review when it marks it reviewed: a reason added meanwhile
# (another change, a webhook) refuses, so nothing is cleared unread.
REVIEW_FINGERPRINT_FIELDS = ("needs_review", "review_reason")

PAID_STATUSES = lifecycle.PAID_STATUSES
CENT = Decimal("0.01")


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


def balance_due(order: Order) -> Decimal:
    """What a live order still owes: its total less the money kept (a paid order owes again
    after a dearer type or an added delegate, see ``delegate_changes``)."""
    if order.status not in lifecycle.LIVE_STATUSES:
        return Decimal("0.00")
    return max(order.total - amount_kept(order), Decimal("0.00"))


def transfer_refusal(order: Order) -> str | None:
    """Why a bank transfer cannot be recorded for ``order``: as :func:`payment_refusal`, except
    that a paid order with a balance due takes the transfer of that balance."""
    if order.status in lifecycle.PAID_STATUSES and balance_due(order) > 0:
        return None
    return payment_refusal(order)


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


METHOD_OFF = {
    PaymentProvider.STRIPE: _(
        "This congress does not take card payments. Please pay by invoice (bank transfer) "
        "from your order page."
    ),
    PaymentProvider.BANK_TRANSFER: _(
        "This congress does not take bank transfers, so no invoice can be requested to pay "
        "this order. Please pay by card from your order page."
    ),
}


def method_accepted(congress, method: PaymentProvider) -> bool:
    """Whether the congress's settings let delegates pay this way (both, unless switched off)."""
    settings_ = RegistrationSettings.for_congress(congress)
    if method == PaymentProvider.STRIPE:
        return settings_.accept_card
    return settings_.accept_bank_transfer


def refuse_if_method_off(order: Order, method: PaymentProvider) -> None:
    """Raise ``PaymentMethodOff`` when the order's congress does not take ``method``."""
    if not method_accepted(order.congress, method):
        raise PaymentMethodOff(METHOD_OFF[method])


def hold_lapsed(order: Order, now: dt.datetime) -> bool:
    return order.hold_expires_at is not None and order.hold_expires_at <= now


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


def review_may_be_resolved(order: Order) -> bool:
    """Whether finance may mark the order reviewed: it is flagged, and not awaiting an approval
    decision (approving or rejecting it clears the flag)."""
    return order.needs_review and order.status != OrderStatus.AWAITING_APPROVAL


def resolve_review(*, order: Order, by=None, actor_label: str = "", note: str = "", shown=None):
    """Finance has looked at what flagged the order: clear the flag and its reasons, which the
    audit keeps with the note. Refused when nothing is flagged, while the order awaits an
    approval decision (deciding clears it), or when a reason was added since ``shown``."""
    from events_site.congresses.edit_conflicts import refuse_if_changed

    with transaction.atomic():
        locked = Order.objects.select_for_update(of=("self",)).select_related("congress")
        locked = locked.get(pk=order.pk)
        if not review_may_be_resolved(locked):
            if not locked.needs_review:
                raise PaymentError(_("This order is not flagged for review."))
            raise PaymentError(
                _("This order awaits approval: approve or reject it on the registrations page.")
            )
        refuse_if_changed(locked, REVIEW_FINGERPRINT_FIELDS, shown)
        previous = locked.review_reason
        Order.objects.filter(pk=locked.pk).update(needs_review=False, review_reason="")
        locked.needs_review, locked.review_reason = False, ""
        audit.record(
            action="convene.payment.review_resolved",
            congress=locked.congress,
            actor=by,
            actor_label=actor_label,
            target=locked,
            data={"code": locked.code, "reasons": previous, "note": note},
        )
    order.needs_review, order.review_reason = False, ""
    return locked
