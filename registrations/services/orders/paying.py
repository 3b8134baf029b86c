"""Payment and approval: pending (or expired, seats retaken) -> paid; awaiting approval ->
pending payment or paid. Every status change goes through :func:`registrations.lifecycle.apply`."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit

from ... import lifecycle
from ...capacity import ensure_seats, lock_capacity
from ...errors import OrderStateError, SoldOut
from ...lifecycle import OrderStatus
from ...models import Order, Voucher
from ...selectors import registration_settings
from .. import notifications
from .placing import voucher_uses

CHANGED_MEANWHILE = _("The order changed meanwhile; please reload.")


def reread_for_update(order: Order) -> Order:
    """The order's row, locked until the surrounding transaction ends (always taken first).
    Only the order's own row (``of=("self",)``): locking the congress row too made every order
    change in a congress wait for the last, and deadlocked against rows inserted with a key to
    the congress (the e-mail log) on PostgreSQL."""
    return Order.objects.select_for_update(of=("self",)).select_related("congress").get(pk=order.pk)


def _hold_has_passed(order: Order, now: dt.datetime) -> bool:
    return (
        order.status == OrderStatus.EXPIRED
        or order.status == OrderStatus.PENDING_PAYMENT
        and order.hold_expires_at is not None
        and order.hold_expires_at <= now
    )


def _retake_locked(order: Order, now: dt.datetime) -> None:
    """Under the order's row lock: take its seats again or raise SoldOut."""
    delegates = list(order.delegates.filter(is_cancelled=False).select_related("registration_type"))
    wanted = Counter(d.registration_type_id for d in delegates)
    types_by_id = {d.registration_type_id: d.registration_type for d in delegates}
    voucher_ids = sorted({d.voucher_id for d in delegates if d.voucher_id})
    lock_capacity(congress_id=order.congress_id, type_ids=wanted.keys(), voucher_ids=voucher_ids)
    ensure_seats(
        congress=order.congress, wanted=wanted, types_by_id=types_by_id, exclude_order_id=order.pk
    )
    for voucher in Voucher.objects.filter(pk__in=voucher_ids):
        mine = sum(1 for d in delegates if d.voucher_id == voucher.pk)
        used = voucher_uses(voucher=voucher, exclude_order_id=order.pk)
        if voucher.max_uses is not None and used + mine > voucher.max_uses:
            raise SoldOut(_("The voucher used by this order has no uses left."))


def retake_seats(*, order: Order) -> None:
    """For a payment arriving after the hold passed: hold the seats again if they are free.

    An expired order goes back to pending payment with a fresh hold; raises SoldOut otherwise."""
    now = timezone.now()
    with transaction.atomic():
        fresh = reread_for_update(order)
        if not _hold_has_passed(fresh, now):
            return
        _retake_locked(fresh, now)
        hold_until = now + registration_settings(fresh.congress).hold
        if not lifecycle.apply(fresh, lifecycle.RETAKE_SEATS, hold_expires_at=hold_until):
            raise OrderStateError(CHANGED_MEANWHILE)  # pragma: no cover - the row lock
        audit.record(
            action="convene.order.seats_retaken",
            congress=fresh.congress,
            target=fresh,
            data={"code": fresh.code},
        )
    order.status, order.hold_expires_at = fresh.status, fresh.hold_expires_at


def mark_order_paid(*, order: Order, by=None, actor_label: str = "") -> Order:
    """Pending payment (or expired, if its seats can be retaken) -> paid, exactly once.

    Idempotent on a paid order; OrderStateError on a cancelled, refunded or unapproved one;
    SoldOut if the hold had passed and the seats went to someone else."""
    now = timezone.now()
    with transaction.atomic():
        fresh = reread_for_update(order)
        if fresh.status in lifecycle.PAID_STATUSES:
            return fresh
        if fresh.status not in lifecycle.PAY.sources:
            raise OrderStateError(
                _("Order %(code)s cannot be paid: it is %(status)s.")
                % {"code": fresh.code, "status": fresh.get_status_display()}
            )
        if _hold_has_passed(fresh, now):
            _retake_locked(fresh, now)
        if not lifecycle.apply(fresh, lifecycle.PAY, paid_at=now, hold_expires_at=None):
            raise OrderStateError(CHANGED_MEANWHILE)  # pragma: no cover - the row lock
        fresh.refresh_from_db()
        audit.record(
            action="convene.order.paid",
            congress=fresh.congress,
            actor=by,
            actor_label=actor_label,
            target=fresh,
            data={"code": fresh.code, "total": str(fresh.total), "from": order.status},
        )
        notifications.queue_order_email(order=fresh, template="confirmation")
        notifications.queue_delegate_confirmations(order=fresh)
    return fresh


def approve_order(*, order: Order, by=None, actor_label: str = "", message: str = "") -> Order:
    """Awaiting approval -> pending payment (days to pay) or paid if it costs nothing.
    ``message`` (optional) is the organisers' word to the registrant, in the e-mail and on
    their page."""
    now = timezone.now()
    with transaction.atomic():
        fresh = reread_for_update(order)
        if fresh.status not in lifecycle.APPROVE_FOR_PAYMENT.sources:
            raise OrderStateError(_("Only orders awaiting approval can be approved."))
        free = fresh.total == 0
        days_to_pay = dt.timedelta(days=registration_settings(fresh.congress).approval_payment_days)
        if not lifecycle.apply(
            fresh,
            lifecycle.APPROVE_FREE if free else lifecycle.APPROVE_FOR_PAYMENT,
            approved_at=now,
            needs_review=False,
            paid_at=now if free else None,
            hold_expires_at=None if free else now + days_to_pay,
            decision_reason=message,
        ):
            raise OrderStateError(CHANGED_MEANWHILE)  # pragma: no cover - the row lock
        audit.record(
            action="convene.order.approved",
            congress=fresh.congress,
            actor=by,
            actor_label=actor_label,
            target=fresh,
            data={"code": fresh.code, "message": message},
        )
        notifications.queue_order_email(
            order=fresh, template="confirmation" if free else "approved"
        )
        if free:
            notifications.queue_delegate_confirmations(order=fresh)
    return fresh
