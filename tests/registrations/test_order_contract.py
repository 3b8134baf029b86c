"""The contract the payments side relies on: paying, cancelling, expiring, retaking seats."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.errors import OrderStateError, SoldOut
from registrations.services.orders import (
    cancel_order,
    expire_order,
    expire_stale_holds,
    mark_order_paid,
    place_order,
    retake_seats,
)
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db


def test_placed_order_holds_seats_and_waits_for_payment(congress, regtype):
    order = place_order(**order_kwargs(congress, regtype, 2))
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.total == Decimal("900.00")
    assert order.hold_expires_at > timezone.now()
    assert order.delegates.count() == 2


def test_mark_order_paid_sets_paid_at_audits_and_emails(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(**order_kwargs(congress, regtype))
    with django_capture_on_commit_callbacks(execute=True):
        paid = mark_order_paid(order=order, actor_label="stripe")
    assert paid.status == OrderStatus.PAID
    assert paid.paid_at is not None
    assert AuditEntry.objects.filter(action="convene.order.paid", target_id=str(order.pk)).exists()
    to_contact = [m for m in mail.outbox if m.to == [order.email]]
    assert len(to_contact) == 1
    assert "confirmed" in to_contact[0].subject


def test_mark_order_paid_twice_changes_nothing(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(**order_kwargs(congress, regtype))
    first = mark_order_paid(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        second = mark_order_paid(order=order)
    assert second.paid_at == first.paid_at
    assert mail.outbox == []
    assert AuditEntry.objects.filter(action="convene.order.paid").count() == 1


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.REFUNDED])
def test_mark_order_paid_refuses_cancelled_or_refunded_orders(congress, regtype, status):
    order = place_order(**order_kwargs(congress, regtype))
    order.__class__.objects.filter(pk=order.pk).update(status=status)
    with pytest.raises(OrderStateError):
        mark_order_paid(order=order)


def test_late_payment_after_expiry_retakes_free_seats(congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    later = timezone.now() + dt.timedelta(hours=1)
    order.__class__.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    assert expire_stale_holds(now=later) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    paid = mark_order_paid(order=order)
    assert paid.status == OrderStatus.PAID


def test_late_payment_raises_sold_out_when_the_seat_was_resold(congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1, regular_price=Decimal("10"))
    order = place_order(**order_kwargs(congress, rtype))
    order.__class__.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert expire_order(order=order) is True
    place_order(**order_kwargs(congress, rtype, email="other@x.example"))
    with pytest.raises(SoldOut):
        retake_seats(order=order)
    with pytest.raises(SoldOut):
        mark_order_paid(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED


def test_retake_seats_gives_an_expired_order_a_fresh_hold(congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    order.__class__.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expire_order(order=order)
    retake_seats(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.hold_expires_at > timezone.now()


def test_expire_order_leaves_a_live_hold_alone(congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    assert expire_order(order=order) is False
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_cancel_order_frees_seats_and_is_idempotent(congress, mailoutbox):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1, regular_price=Decimal("10"))
    order = place_order(**order_kwargs(congress, rtype))
    cancelled = cancel_order(order=order, reason="changed plans")
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancelled_at is not None
    assert not cancelled.delegates.filter(is_cancelled=False).exists()
    again = cancel_order(order=order)
    assert again.cancelled_at == cancelled.cancelled_at
    assert AuditEntry.objects.filter(action="convene.order.cancelled").count() == 1
    # the seat is free again
    place_order(**order_kwargs(congress, rtype, email="next@x.example"))


def test_complimentary_order_is_paid_without_payment(congress):
    from registrations.models import Voucher

    rtype = RegistrationTypeFactory(congress=congress, complimentary=True)
    Voucher.objects.create(congress=congress, code="SPEAKER1", kind="percentage", value=100)
    order = place_order(**order_kwargs(congress, rtype, voucher_code="speaker1"))
    assert order.status == OrderStatus.PAID
    assert order.total == 0
    assert order.paid_at is not None
