"""What cancelling one delegate out of a delegation would do: whether it is open, its fee, what
becomes refundable. The change itself touches payments and invoices, so it is an order-change
service above both: :mod:`registrations.payments.services.order_changes`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import lifecycle
from ..errors import OrderStateError
from ..models import Delegate, Order
from .orders import (
    cancellation_deadline,
    cancellation_terms,
    seat_cancellation_fee,
)

# Orders whose delegates can be cancelled one by one. A partially refunded order is a paid one
# whose first cancellations were refunded already: its other delegates may still cancel.
SINGLE_CANCEL_STATUSES = lifecycle.SINGLE_CANCEL_STATUSES
UNPAID_STATUSES = lifecycle.UNPAID_STATUSES


def active_delegate_count(order: Order) -> int:
    return order.delegates.filter(is_cancelled=False).count()


def single_cancellation_open(order: Order, *, active: int, now: dt.datetime | None = None) -> bool:
    """Whether the contact may still cancel delegates one by one: more than one registered
    (``active``), an order that allows it, before the cancellation deadline."""
    return (
        active > 1
        and order.status in SINGLE_CANCEL_STATUSES
        and (now or timezone.now()) <= cancellation_deadline(order)
    )


def delegate_cancellation_terms(*, delegate: Delegate, now: dt.datetime | None = None) -> dict:
    """What cancelling ``delegate`` through the secret link would do now: whether it is allowed,
    until when, the fee, what becomes refundable, the order's new total, and whether it cancels
    the whole order (they are the last delegate still registered)."""
    order = delegate.order
    now = now or timezone.now()
    active = active_delegate_count(order)
    if not delegate.is_cancelled and active <= 1:
        whole = cancellation_terms(order=order, now=now)
        return {**whole, "whole_order": True, "refundable": None, "new_total": order.total}
    paid = order.status in lifecycle.PAID_STATUSES
    fee = seat_cancellation_fee(order=order, delegate=delegate) if paid else Decimal("0.00")
    return {
        "allowed": not delegate.is_cancelled
        and single_cancellation_open(order, active=active, now=now),
        "deadline": cancellation_deadline(order),
        "fee": fee,
        "currency": order.currency,
        "whole_order": False,
        "refundable": delegate.price - fee if paid else Decimal("0.00"),
        "new_total": order.total if paid else order.total - delegate.price,
    }


def refuse_inactive(order: Order) -> None:
    """OrderStateError unless the order's delegates may be cancelled one by one."""
    if order.status not in SINGLE_CANCEL_STATUSES:
        raise OrderStateError(
            _("Order %(code)s is %(status)s: its delegates cannot be cancelled.")
            % {"code": order.code, "status": order.get_status_display()}
        )
