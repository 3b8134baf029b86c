"""Cancelling a whole order: by an organiser, or by a delegate within the deadline and its fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit

from ... import lifecycle
from ...errors import DeadlinePassed, OrderStateError
from ...lifecycle import OrderStatus
from ...models import Delegate, Order
from ...selectors import registration_settings
from .. import notifications
from ..waiting_list import offer_freed_seats
from .paying import CHANGED_MEANWHILE, reread_for_update


def cancel_order(*, order: Order, by=None, actor_label: str = "", reason: str = "") -> Order:
    """Cancel the order and free its seats (offered to the waiting list at once).

    Idempotent on a cancelled order; refunded orders stay as they are (OrderStateError)."""
    with transaction.atomic():
        fresh = reread_for_update(order)
        if fresh.status == OrderStatus.CANCELLED:
            return fresh
        cancel_locked(fresh, by=by, actor_label=actor_label, reason=reason)
        notifications.queue_order_email(order=fresh, template="cancelled")
    return fresh


def cancel_locked(fresh: Order, *, by, actor_label: str, reason: str) -> None:
    """Under the order's row lock: cancel it, cancel its delegates, audit it and offer the freed
    seats. Sends nothing: the caller says which e-mail goes (a cancellation, a rejection)."""
    now = timezone.now()
    if fresh.status not in lifecycle.CANCEL.sources:  # refunded, wholly or in part
        raise OrderStateError(_("A refunded order cannot be cancelled."))
    previous = fresh.status
    if not lifecycle.apply(
        fresh,
        lifecycle.CANCEL,
        cancelled_at=now,
        hold_expires_at=None,
        cancellation_reason=reason,
        cancellation_fee=fresh.cancellation_fee,
    ):
        raise OrderStateError(CHANGED_MEANWHILE)  # pragma: no cover - the row lock
    fresh.delegates.update(is_cancelled=True)
    audit.record(
        action="convene.order.cancelled",
        congress=fresh.congress,
        actor=by,
        actor_label=actor_label,
        target=fresh,
        data={
            "code": fresh.code,
            "from": previous,
            "reason": reason,
            "fee": str(fresh.cancellation_fee),
        },
    )
    offer_freed_seats(congress=fresh.congress, now=now)


def cancellation_deadline(order: Order) -> dt.datetime:
    """Until when a delegate may cancel online (the whole order or one delegate of it)."""
    return registration_settings(order.congress).cancellation_deadline or order.congress.starts_at


def seat_cancellation_fee(*, order: Order, delegate: Delegate) -> Decimal:
    """The congress's per-seat fee for one delegate of a paid order, never more than their price."""
    return min(registration_settings(order.congress).cancellation_fee, delegate.price)


def cancellation_terms(*, order: Order, now: dt.datetime | None = None) -> dict:
    """What a delegate's own cancellation would cost now, and whether it is still allowed.

    The fee of a paid order is the per-seat fee of each delegate still registered plus the fees
    already recorded for delegates cancelled one by one, never more than the total."""
    now = now or timezone.now()
    deadline = cancellation_deadline(order)
    allowed = now <= deadline and order.status in lifecycle.SELF_SERVICE_CANCEL_STATUSES
    fee = Decimal("0.00")
    if order.status == OrderStatus.PAID:
        seats = sum(
            (
                seat_cancellation_fee(order=order, delegate=delegate)
                for delegate in order.delegates.filter(is_cancelled=False)
            ),
            Decimal("0.00"),
        )
        fee = min(order.total, order.cancellation_fee + seats)
    return {"allowed": allowed, "deadline": deadline, "fee": fee, "currency": order.currency}


def cancel_own_order(*, order: Order, reason: str = "") -> Order:
    """A delegate cancels through the secret link, within the deadline; the fee is recorded
    on the order (the refund of the rest is the payments side's job)."""
    terms = cancellation_terms(order=order)
    if not terms["allowed"]:
        raise DeadlinePassed(_("This order can no longer be cancelled online."))
    Order.objects.filter(pk=order.pk, status=order.status).update(cancellation_fee=terms["fee"])
    order.cancellation_fee = terms["fee"]
    return cancel_order(order=order, actor_label=order.email, reason=reason or "self-service")
