"""Seat holds running out (expiring pending orders whose hold passed, reminding before) and
ended early by the organisers (releasing suspicious holds)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress

from ... import lifecycle
from ...errors import OrderStateError
from ...models import Order
from ...selectors import registration_settings
from .. import notifications
from ..waiting_list import expire_offers, offer_freed_seats
from .cancelling import cancel_order
from .hoarding import open_hold_q
from .paying import reread_for_update

RELEASE_REASON = "Seat hold released by the organisers."
NOT_A_HOLD = _("This order is no longer an unpaid hold.")


def expire_order(*, order: Order, now: dt.datetime | None = None) -> bool:
    """Pending payment whose hold passed -> expired (compare-and-set). True if it expired."""
    now = now or timezone.now()
    with transaction.atomic():
        if not lifecycle.apply(
            order, lifecycle.EXPIRE, only_if=Q(hold_expires_at__lte=now), expired_at=now
        ):
            return False
        audit.record(
            action="convene.order.expired",
            congress=order.congress,
            target=order,
            data={"code": order.code},
        )
        offer_freed_seats(congress=order.congress, now=now)
    return True


def expire_stale_holds(*, now: dt.datetime | None = None) -> int:
    """Expire every pending order whose hold passed and every lapsed waiting-list offer."""
    now = now or timezone.now()
    stale = Order.objects.filter(
        status__in=lifecycle.EXPIRE.sources, hold_expires_at__lte=now
    ).select_related("congress")
    count = sum(1 for order in stale.iterator() if expire_order(order=order, now=now))
    expire_offers(now=now)
    return count


def send_payment_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind each unpaid order once, after the congress's reminder delay, while it is held."""
    now = now or timezone.now()
    sent = 0
    candidates = Order.objects.filter(
        status=lifecycle.HELD_STATUS,
        reminder_sent_at__isnull=True,
        hold_expires_at__gt=now,
    ).select_related("congress")
    for order in candidates.iterator():
        delay = dt.timedelta(hours=registration_settings(order.congress).reminder_after_hours)
        if order.created_at > now - delay:
            continue
        with transaction.atomic():
            if not Order.objects.filter(pk=order.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            audit.record(
                action="convene.order.reminded",
                congress=order.congress,
                target=order,
                data={"code": order.code},
            )
            notifications.queue_order_email(order=order, template="payment_reminder")
        sent += 1
    return sent


def release_hold(*, order: Order, by, grouped_by: str = "order") -> Order:
    """An organiser ends an unpaid hold early: the order is cancelled and its seats are free
    (offered to the waiting list first, if anyone waits). ``grouped_by`` says from which view
    ("order", "address", "email") it was released, for the audit log."""
    if order.status not in lifecycle.UNPAID_STATUSES:
        raise OrderStateError(NOT_A_HOLD)
    with transaction.atomic():
        fresh = reread_for_update(order)  # a payment arriving meanwhile wins
        if fresh.status not in lifecycle.UNPAID_STATUSES:
            raise OrderStateError(NOT_A_HOLD)
        released = cancel_order(order=fresh, by=by, reason=RELEASE_REASON)
        audit.record(
            action="convene.hold.released",
            congress=order.congress,
            actor=by,
            target=released,
            data={"code": released.code, "grouped_by": grouped_by},
        )
    return released


def release_holds(*, congress: Congress, by, hold_address: str = "", hold_email: str = "") -> int:
    """Release every open unpaid hold of one client address or one e-mail address (exactly
    one of the two). Each hold is released in its own transaction; returns how many were."""
    if bool(hold_address) == bool(hold_email):
        raise ValueError("Give exactly one of hold_address and hold_email.")
    grouped_by = "address" if hold_address else "email"
    which = Q(hold_address=hold_address) if hold_address else Q(hold_email=hold_email)
    orders = Order.objects.filter(which, open_hold_q(), congress=congress).select_related(
        "congress"
    )
    released = 0
    for order in list(orders.order_by("pk")):
        try:
            release_hold(order=order, by=by, grouped_by=grouped_by)
        except OrderStateError:
            continue  # paid or cancelled meanwhile: nothing to release
        released += 1
    return released
