"""The order's transition table (registrations/lifecycle.py): every status reachable from the
statuses an order is placed in, no status change outside the table, terminal statuses closed,
and each named set equal to the copies it replaced (so behaviour is unchanged)."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from registrations import lifecycle
from registrations.errors import OrderStateError
from registrations.lifecycle import OrderStatus
from registrations.models import Order
from registrations.payments.errors import PaymentError, RefundRefused
from registrations.payments.services import payments as payment_services
from registrations.payments.services import refunds as refund_services
from registrations.services.orders import (
    approve_order,
    cancel_order,
    expire_order,
    expire_stale_holds,
    mark_order_paid,
    place_order,
    retake_seats,
)
from tests.factories import DelegateFactory, OrderFactory, RegistrationTypeFactory

from .conftest import order_kwargs

ROOT = Path(__file__).resolve().parents[2]
APPS = ("registrations", "sessions", "badges", "events_site")
S = OrderStatus


# --- the table itself ----------------------------------------------------------------------


def test_every_status_is_reachable_from_the_statuses_an_order_is_placed_in():
    seen = set(lifecycle.PLACED_STATUSES)
    frontier = list(seen)
    while frontier:
        status = frontier.pop()
        for source, target in lifecycle.ALLOWED_PAIRS:
            if source == status and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(OrderStatus)


def test_terminal_statuses_have_no_way_out():
    assert lifecycle.TERMINAL_STATUSES == (S.REFUNDED,)
    for transition in lifecycle.TRANSITIONS:
        assert not set(transition.sources) & set(lifecycle.TERMINAL_STATUSES), transition.name


def test_the_transition_table_is_the_one_the_services_had():
    table = {
        (S.AWAITING_APPROVAL, S.PENDING_PAYMENT),
        (S.AWAITING_APPROVAL, S.PAID),
        (S.PENDING_PAYMENT, S.PENDING_PAYMENT),  # seats retaken: a fresh hold
        (S.EXPIRED, S.PENDING_PAYMENT),
        (S.PENDING_PAYMENT, S.PAID),
        (S.EXPIRED, S.PAID),
        (S.PENDING_PAYMENT, S.EXPIRED),
        (S.AWAITING_APPROVAL, S.CANCELLED),
        (S.PENDING_PAYMENT, S.CANCELLED),
        (S.PAID, S.CANCELLED),
        (S.EXPIRED, S.CANCELLED),
        (S.PAID, S.PARTIALLY_REFUNDED),
        (S.PAID, S.REFUNDED),
        (S.PARTIALLY_REFUNDED, S.REFUNDED),
        (S.CANCELLED, S.REFUNDED),
    }
    assert table == lifecycle.ALLOWED_PAIRS


def test_each_named_set_is_what_the_old_copies_said():
    # enums.SEAT_HOLDING_STATUSES / ACTIVE_STATUSES, services.orders.SELF_SERVICE_CANCEL_STATUSES
    assert lifecycle.SEAT_HOLDING_STATUSES == (
        S.AWAITING_APPROVAL,
        S.PENDING_PAYMENT,
        S.PAID,
        S.PARTIALLY_REFUNDED,
    )
    assert lifecycle.LIVE_STATUSES == lifecycle.SEAT_HOLDING_STATUSES
    # capacity._HOLDING_STATUSES and the pending status whose hold must not have passed
    assert lifecycle.FIRM_SEAT_STATUSES == (S.AWAITING_APPROVAL, S.PAID, S.PARTIALLY_REFUNDED)
    assert lifecycle.HELD_STATUS == S.PENDING_PAYMENT
    # services.orders/payments.PAID_STATUSES, Order.is_paid, badges.ENTRY_ORDER_STATUSES
    assert lifecycle.PAID_STATUSES == (S.PAID, S.PARTIALLY_REFUNDED)
    assert lifecycle.MAY_ENTER_STATUSES == (S.PAID, S.PARTIALLY_REFUNDED)
    # sessions.services.personal.INVALID_ORDER_STATUSES (complement), invoices, views, editing
    assert set(lifecycle.ENDED_STATUSES) == {S.CANCELLED, S.EXPIRED, S.REFUNDED}
    assert set(lifecycle.MAY_SIGN_UP_STATUSES) == set(OrderStatus) - {
        S.CANCELLED,
        S.EXPIRED,
        S.REFUNDED,
    }
    assert lifecycle.SELF_SERVICE_CANCEL_STATUSES == (
        S.AWAITING_APPROVAL,
        S.PENDING_PAYMENT,
        S.PAID,
    )
    # services.delegates.SINGLE_CANCEL_STATUSES / UNPAID_STATUSES
    assert lifecycle.SINGLE_CANCEL_STATUSES == (
        S.AWAITING_APPROVAL,
        S.PENDING_PAYMENT,
        S.PAID,
        S.PARTIALLY_REFUNDED,
    )
    assert lifecycle.UNPAID_STATUSES == (S.AWAITING_APPROVAL, S.PENDING_PAYMENT)
    # services.refunds.REFUNDABLE_STATUSES; mark_order_paid and amount_outstanding
    assert lifecycle.REFUNDABLE_STATUSES == (S.PAID, S.PARTIALLY_REFUNDED, S.CANCELLED)
    assert lifecycle.PAYABLE_STATUSES == (S.PENDING_PAYMENT, S.EXPIRED)


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("cancelled", [False, True])
def test_whether_a_delegate_counts_is_what_the_three_old_copies_said(status, cancelled):
    delegate = DelegateFactory.build(
        order=OrderFactory.build(status=status), is_cancelled=cancelled
    )
    old_may_enter = not cancelled and status in (S.PAID, S.PARTIALLY_REFUNDED)
    old_may_sign_up = not cancelled and status not in {S.CANCELLED, S.EXPIRED, S.REFUNDED}
    if old_may_enter:
        old_problem = ""
    elif cancelled or status in (S.CANCELLED, S.EXPIRED, S.REFUNDED):
        old_problem = "cancelled"
    elif status == S.AWAITING_APPROVAL:
        old_problem = "awaiting_approval"
    else:
        old_problem = "unpaid"
    assert lifecycle.may_enter(delegate) is old_may_enter
    assert delegate.may_enter is old_may_enter
    assert lifecycle.may_sign_up(delegate) is old_may_sign_up
    standing = lifecycle.delegate_standing(delegate)
    assert ("" if standing == lifecycle.DelegateStanding.ADMITTED else str(standing)) == old_problem


# --- no status change outside the table ------------------------------------------------------


def _app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "lifecycle.py":
                continue
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _mentions(node: ast.AST, name: str) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == name)
        or (isinstance(n, ast.Attribute) and n.attr == name)
        for n in ast.walk(node)
    )


def _root_name(node: ast.AST) -> str:
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


# Objects with a status of their own, saved by name: a bulk job, a bank statement's line.
NOT_ORDERS = ("job", "line", "proposal", "proposal_row", "person_row")


def test_no_code_outside_the_lifecycle_writes_an_orders_status():
    """A static check: ``Order...update(status=...)``, ``order.status = OrderStatus...`` and
    ``save(update_fields=[..."status"...])`` appear only in the lifecycle's ``apply``."""
    offences = []
    for path, tree in _app_sources():
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                keywords = {k.arg: k.value for k in node.keywords}
                if (
                    node.func.attr == "update"
                    and "status" in keywords
                    and (
                        _root_name(node.func.value) == "Order"
                        or _mentions(keywords["status"], "OrderStatus")
                    )
                ):
                    offences.append(f"{where}:{node.lineno} update(status=...)")
                if node.func.attr == "save" and "update_fields" in keywords:
                    fields = keywords["update_fields"]
                    if any(
                        isinstance(n, ast.Constant) and n.value == "status"
                        for n in ast.walk(fields)
                    ) and not any(_mentions(node.func.value, other) for other in NOT_ORDERS):
                        offences.append(f"{where}:{node.lineno} save(update_fields=[status])")
            if isinstance(node, ast.Assign) and _mentions(node.value, "OrderStatus"):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status":
                        offences.append(f"{where}:{node.lineno} .status = OrderStatus...")
    assert offences == []


def _order(congress, status, *, total="450.00", hold=dt.timedelta(minutes=15)) -> Order:
    order = OrderFactory(
        congress=congress,
        status=status,
        total=Decimal(total),
        hold_expires_at=timezone.now() + hold if status == S.PENDING_PAYMENT else None,
    )
    rtype = RegistrationTypeFactory(congress=congress, capacity=10)
    DelegateFactory(order=order, registration_type=rtype, price=Decimal(total))
    return order


class Recorder:
    """Calls a service and keeps the order's status before and after (read from the row)."""

    def __init__(self):
        self.pairs: set[tuple[str, str]] = set()

    def __call__(self, order: Order, service, *errors, **kwargs):
        before = Order.objects.get(pk=order.pk).status
        with contextlib.suppress(errors):
            service(order=order, **kwargs)
        after = Order.objects.get(pk=order.pk).status
        if after != before:
            self.pairs.add((before, after))
        return after


@pytest.mark.django_db
def test_every_status_change_the_services_make_is_in_the_table(congress, alice):
    record = Recorder()
    placed = set()
    regular = RegistrationTypeFactory(congress=congress, regular_price=Decimal("100"))
    free = RegistrationTypeFactory(congress=congress, regular_price=Decimal("0"))
    vetted = RegistrationTypeFactory(
        congress=congress, requires_approval=True, regular_price=Decimal("80")
    )
    vetted_free = RegistrationTypeFactory(
        congress=congress, requires_approval=True, regular_price=Decimal("0")
    )
    orders = {}
    for name, rtype in [
        ("regular", regular),
        ("free", free),
        ("vetted", vetted),
        ("vetted_free", vetted_free),
    ]:
        orders[name] = place_order(**order_kwargs(congress, rtype))
        placed.add(orders[name].status)
    assert placed <= set(lifecycle.PLACED_STATUSES)

    assert record(orders["vetted"], approve_order) == S.PENDING_PAYMENT
    assert record(orders["vetted_free"], approve_order) == S.PAID

    # Pending -> paid by transfer, then refunded in part and in full.
    paid = orders["regular"]
    payment_services.record_bank_transfer(
        order=paid, amount=Decimal("100"), received_on=dt.date(2027, 3, 1), by=alice
    )
    record.pairs.add((S.PENDING_PAYMENT, Order.objects.get(pk=paid.pk).status))
    assert record(paid, refund_services.request_refund, amount=Decimal("40"), by=alice) == (
        S.PARTIALLY_REFUNDED
    )
    assert record(paid, refund_services.request_refund, amount=Decimal("60"), by=alice) == (
        S.REFUNDED
    )

    # A hold that passed: expired, then paid after the seats are retaken.
    late = _order(congress, S.PENDING_PAYMENT, hold=-dt.timedelta(minutes=1))
    before = late.status
    expire_stale_holds()
    record.pairs.add((before, Order.objects.get(pk=late.pk).status))
    assert record(late, retake_seats) == S.PENDING_PAYMENT
    lapsed = _order(congress, S.PENDING_PAYMENT, hold=-dt.timedelta(minutes=1))
    assert record(lapsed, expire_order) == S.EXPIRED
    assert record(lapsed, mark_order_paid) == S.PAID

    # Cancelled from every status that allows it; a cancelled, paid order is then refunded.
    for status in (S.AWAITING_APPROVAL, S.PENDING_PAYMENT, S.PAID, S.EXPIRED):
        assert record(_order(congress, status), cancel_order, by=alice) == S.CANCELLED
    cancelled = _order(congress, S.PENDING_PAYMENT)
    payment_services.record_bank_transfer(
        order=cancelled, amount=Decimal("450"), received_on=dt.date(2027, 3, 1), by=alice
    )
    cancel_order(order=cancelled, by=alice)
    assert record(cancelled, refund_services.request_refund, amount=Decimal("450"), by=alice) == (
        S.REFUNDED
    )

    assert record.pairs <= lifecycle.ALLOWED_PAIRS, record.pairs - lifecycle.ALLOWED_PAIRS
    assert (S.PENDING_PAYMENT, S.PAID) in record.pairs
    assert (S.CANCELLED, S.REFUNDED) in record.pairs


@pytest.mark.django_db
def test_a_refunded_order_stays_refunded_whatever_is_called(congress, alice):
    order = _order(congress, S.REFUNDED)
    record = Recorder()
    errors = (OrderStateError, PaymentError, RefundRefused)
    for service, kwargs in [
        (approve_order, {}),
        (mark_order_paid, {}),
        (retake_seats, {}),
        (expire_order, {}),
        (cancel_order, {"by": alice}),
        (refund_services.request_refund, {"amount": Decimal("1"), "by": alice}),
    ]:
        assert record(order, service, *errors, **kwargs) == S.REFUNDED
    assert record.pairs == set()


@pytest.mark.django_db
def test_a_transition_is_a_compare_and_set_on_the_status(congress):
    order = _order(congress, S.PENDING_PAYMENT)
    stale = Order.objects.get(pk=order.pk)
    assert lifecycle.apply(order, lifecycle.PAY, paid_at=timezone.now())
    assert order.status == S.PAID
    # A second writer that read the order before the change moves nothing.
    assert not lifecycle.apply(stale, lifecycle.EXPIRE)
    assert Order.objects.get(pk=order.pk).status == S.PAID
    assert stale.status == S.PENDING_PAYMENT


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("seats", [1, 2])
def test_seat_may_be_cancelled_says_what_cancel_delegate_does(congress, status, seats):
    """The rule other apps read (a speaker's refund offer) is the one the service applies."""
    from registrations.payments.services.order_changes import cancel_delegate
    from tests.factories import DelegateFactory, OrderFactory

    order = OrderFactory(congress=congress, status=status)
    delegates = [DelegateFactory(order=order) for _ in range(seats)]
    try:
        cancel_delegate(delegate=delegates[0], actor_label="test")
    except (OrderStateError, PaymentError):
        cancelled = False
    else:
        delegates[0].refresh_from_db()
        cancelled = delegates[0].is_cancelled
    assert lifecycle.seat_may_be_cancelled(status, seats) == cancelled
