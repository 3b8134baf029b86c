"""Seat holds running out: expiring pending orders whose hold passed, and reminding before."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events_site.congresses import audit

from ... import lifecycle
from ...models import Order
from ...selectors import registration_settings
from .. import notifications
from ..waiting_list import expire_offers, offer_freed_seats


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
