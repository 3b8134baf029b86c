"""The order's lifecycle, once: its statuses, the transitions between them and the named sets
of statuses that every app reads (capacity, payments, invoices, the agenda, badges).

A status changes only through :func:`apply`, a compare-and-set on the status column, so two
writers can never both move the same order: the loser changes no row and is told so. Whether a
delegate counts (may enter, may sign up for sessions) is decided here, in
:func:`delegate_standing`, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


# --- named sets ----------------------------------------------------------------------------

# The statuses an order is placed in: needing approval, waiting for money, or free (paid).
PLACED_STATUSES = (OrderStatus.AWAITING_APPROVAL, OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)

# Orders whose delegates hold seats; a pending order only until its hold expires.
SEAT_HOLDING_STATUSES = (
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
)
# Of those, the ones whose seats do not depend on a hold's expiry, and the one that does.
FIRM_SEAT_STATUSES = (
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
)
HELD_STATUS = OrderStatus.PENDING_PAYMENT

# Paid (or free and confirmed): money received and not all of it given back.
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)

# Still alive for the organiser's figures and exports, for editing and for invoicing.
LIVE_STATUSES = SEAT_HOLDING_STATUSES
# The rest: an order that ended (an expired one can still be paid, if its seats are free).
ENDED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUNDED)

# Not yet paid: the total may still go down without a refund.
UNPAID_STATUSES = (OrderStatus.AWAITING_APPROVAL, OrderStatus.PENDING_PAYMENT)
# The order's record of who placed an unpaid hold (client address, normalised e-mail), for the
# hoarding caps; :func:`apply` clears it when the order leaves the unpaid statuses.
HOLD_PLACER_FIELDS = ("hold_address", "hold_email")
# Money may be received for these (an expired one retakes its seats first).
PAYABLE_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED)
# Cancelled or refunded: never paid again (the payment pages say so).
UNPAYABLE_CANCELLED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
# Refunded already, so no longer cancellable.
REFUNDED_STATUSES = (OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED)

# Orders a delegate may still cancel through the secret link (before the deadline).
SELF_SERVICE_CANCEL_STATUSES = (
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
)
# Orders whose delegates can be cancelled one by one. A partially refunded order is a paid one
# whose first cancellations were refunded already: its other delegates may still cancel.
SINGLE_CANCEL_STATUSES = (*SELF_SERVICE_CANCEL_STATUSES, OrderStatus.PARTIALLY_REFUNDED)
# Orders money can be given back on.
REFUNDABLE_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.CANCELLED)

# Delegates of these orders may enter (badges print, the desk says yes) ...
MAY_ENTER_STATUSES = PAID_STATUSES
# ... and so may those of an order invoiced to a public body that pays after the congress
# ("invoiced – unpaid": pending payment with ``admitted_on_invoice``, seats held until paid).
INVOICED_UNPAID_STATUS = OrderStatus.PENDING_PAYMENT
# ... and of these may sign up for sessions and keep a personal agenda.
MAY_SIGN_UP_STATUSES = LIVE_STATUSES


# --- transitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One allowed change: from any of ``sources`` to ``target``."""

    name: str
    sources: tuple[OrderStatus, ...]
    target: OrderStatus

    @property
    def pairs(self) -> set[tuple[str, str]]:
        return {(source, self.target) for source in self.sources}


APPROVE_FOR_PAYMENT = Transition(
    "approve_for_payment", (OrderStatus.AWAITING_APPROVAL,), OrderStatus.PENDING_PAYMENT
)
APPROVE_FREE = Transition("approve_free", (OrderStatus.AWAITING_APPROVAL,), OrderStatus.PAID)
# A payment arriving after the hold passed holds the seats again (if they are free).
RETAKE_SEATS = Transition("retake_seats", PAYABLE_STATUSES, OrderStatus.PENDING_PAYMENT)
PAY = Transition("pay", PAYABLE_STATUSES, OrderStatus.PAID)
EXPIRE = Transition("expire", (OrderStatus.PENDING_PAYMENT,), OrderStatus.EXPIRED)
CANCEL = Transition(
    "cancel",
    (
        OrderStatus.AWAITING_APPROVAL,
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.EXPIRED,
    ),
    OrderStatus.CANCELLED,
)
REFUND_PART = Transition("refund_part", (OrderStatus.PAID,), OrderStatus.PARTIALLY_REFUNDED)
REFUND_ALL = Transition("refund_all", REFUNDABLE_STATUSES, OrderStatus.REFUNDED)

TRANSITIONS = (
    APPROVE_FOR_PAYMENT,
    APPROVE_FREE,
    RETAKE_SEATS,
    PAY,
    EXPIRE,
    CANCEL,
    REFUND_PART,
    REFUND_ALL,
)
ALLOWED_PAIRS = frozenset(pair for transition in TRANSITIONS for pair in transition.pairs)
TERMINAL_STATUSES = tuple(
    status
    for status in OrderStatus
    if not any(status in transition.sources for transition in TRANSITIONS)
)


def seat_may_be_cancelled(status: str, active_seats: int) -> bool:
    """Whether ``cancel_delegate`` would cancel one seat of an order in ``status`` holding
    ``active_seats`` active seats: the status allows seats cancelled one by one, and the last
    seat cancels the whole order, which a refunded one (even in part) may not."""
    return status in SINGLE_CANCEL_STATUSES and (active_seats > 1 or status in CANCEL.sources)


def apply(order: models.Model, transition: Transition, /, *, only_if=None, **fields) -> bool:
    """Move ``order`` along ``transition`` as one compare-and-set: the row changes only if its
    status is still one of the transition's sources (and it matches ``only_if``, a ``Q``).

    Returns whether the row changed; on True ``order`` carries the new status and ``fields``.
    The order's model is taken from the instance, so this module imports no model."""
    if transition.target not in UNPAID_STATUSES:
        # Who placed a hold is kept only while it is an unpaid hold (personal data).
        for name in HOLD_PLACER_FIELDS:
            fields.setdefault(name, "")
    rows = type(order)._default_manager.filter(pk=order.pk, status__in=transition.sources)
    if only_if is not None:
        rows = rows.filter(only_if)
    changed = rows.update(status=transition.target, **fields)
    if changed:
        order.status = transition.target
        for name, value in fields.items():
            setattr(order, name, value)
    return bool(changed)


# --- does a delegate count? ----------------------------------------------------------------


class DelegateStanding(StrEnum):
    """Where a delegate stands, from their own flag and their order's status."""

    ADMITTED = "admitted"
    INVOICED_UNPAID = "invoiced_unpaid"
    AWAITING_APPROVAL = "awaiting_approval"
    UNPAID = "unpaid"
    CANCELLED = "cancelled"


def delegate_standing(delegate) -> DelegateStanding:
    """The one decision on whether a delegate counts; ``may_enter`` and ``may_sign_up`` and the
    desk's reasons all read it."""
    order = delegate.order
    status = order.status
    if status in MAY_ENTER_STATUSES and not delegate.is_cancelled:
        return DelegateStanding.ADMITTED
    if is_invoiced_unpaid(order) and not delegate.is_cancelled:
        return DelegateStanding.INVOICED_UNPAID
    if delegate.is_cancelled or status not in MAY_SIGN_UP_STATUSES:
        return DelegateStanding.CANCELLED
    if status == OrderStatus.AWAITING_APPROVAL:
        return DelegateStanding.AWAITING_APPROVAL
    return DelegateStanding.UNPAID


def is_invoiced_unpaid(order) -> bool:
    """Invoiced to a public body that pays later: unpaid, yet its delegates may enter."""
    return order.status == INVOICED_UNPAID_STATUS and bool(order.admitted_on_invoice)


# The standings whose delegates may enter.
ENTERING_STANDINGS = (DelegateStanding.ADMITTED, DelegateStanding.INVOICED_UNPAID)


def may_enter(delegate) -> bool:
    """Paid (or free and confirmed), or invoiced to a public body that pays later; not
    cancelled: the badge prints and the desk lets them in."""
    return delegate_standing(delegate) in ENTERING_STANDINGS


def may_sign_up(delegate) -> bool:
    """A registration that is valid: not cancelled, its order neither cancelled, expired nor
    refunded."""
    return delegate_standing(delegate) != DelegateStanding.CANCELLED


def may_enter_q(prefix: str = "") -> Q:
    """The delegates who may enter, as a filter (``prefix`` reaches the delegate, e.g.
    ``"delegate__"``); the same decision as :func:`may_enter`."""
    return Q(**{f"{prefix}is_cancelled": False}) & (
        Q(**{f"{prefix}order__status__in": MAY_ENTER_STATUSES})
        | Q(
            **{
                f"{prefix}order__status": INVOICED_UNPAID_STATUS,
                f"{prefix}order__admitted_on_invoice": True,
            }
        )
    )
