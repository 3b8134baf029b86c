"""Refunds from the organiser side: never more than paid, confirmed by Stripe, seats return."""

import datetime as dt
from decimal import Decimal

import pytest

from registrations.enums import OrderStatus
from registrations.models import Invoice, Refund
from registrations.payments import stripe as stripe_edge
from registrations.payments.enums import RefundState
from registrations.payments.errors import RefundRefused
from registrations.payments.services import payments as payment_services
from registrations.payments.services import refunds as refund_services
from registrations.services.orders import cancel_order

from .conftest import make_order
from .test_card_payments import card_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_paid_order(stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    payment_services.confirm_card_payment_with_token(
        order=pending_order, payment=payment, token=card_token(stripe_on)
    )
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PAID
    return pending_order


@pytest.fixture
def transfer_paid_order(congress, alice):
    order = make_order(congress)
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("450.00"), received_on=dt.date(2027, 3, 1), by=alice
    )
    order.refresh_from_db()
    return order


def test_a_refund_larger_than_what_was_paid_is_refused(card_paid_order, alice):
    with pytest.raises(RefundRefused, match="at most €450.00"):
        refund_services.request_refund(order=card_paid_order, amount=Decimal("450.01"), by=alice)
    assert not Refund.objects.exists()


def test_pending_refunds_count_against_what_is_left_to_refund(card_paid_order, alice):
    refund_services.request_refund(order=card_paid_order, amount=Decimal("300"), by=alice)
    with pytest.raises(RefundRefused, match="at most €150.00"):
        refund_services.request_refund(order=card_paid_order, amount=Decimal("200"), by=alice)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), None])
def test_a_refund_needs_a_positive_amount(card_paid_order, alice, amount):
    with pytest.raises(RefundRefused):
        refund_services.request_refund(order=card_paid_order, amount=amount, by=alice)


def test_an_unpaid_order_cannot_be_refunded(pending_order, alice):
    with pytest.raises(RefundRefused, match="cannot be refunded"):
        refund_services.request_refund(order=pending_order, amount=Decimal("1"), by=alice)


def test_a_card_refund_goes_through_stripe_with_the_amount_in_minor_units(card_paid_order, alice):
    (refund,) = refund_services.request_refund(
        order=card_paid_order, amount=Decimal("120.50"), by=alice, reason="Fee waived"
    )
    answer = stripe_edge.retrieve_refund(refund.provider_id)
    assert answer["amount"] == 12050
    assert answer["metadata"]["order"] == card_paid_order.code


def test_reconciliation_confirms_refunds_whose_webhook_was_lost(card_paid_order, alice):
    (refund,) = refund_services.request_refund(
        order=card_paid_order, amount=Decimal("450.00"), by=alice
    )
    counts = payment_services.reconcile_payments()
    refund.refresh_from_db()
    card_paid_order.refresh_from_db()
    assert counts["refund_refund_confirmed"] == 1
    assert refund.state == RefundState.SUCCEEDED
    assert card_paid_order.status == OrderStatus.REFUNDED
    assert Invoice.objects.get(order=card_paid_order, kind="credit_note").gross == Decimal(
        "-450.00"
    )


def test_a_transfer_refund_is_final_at_once_and_issues_a_credit_note(transfer_paid_order, alice):
    (refund,) = refund_services.request_refund(
        order=transfer_paid_order, amount=Decimal("150.00"), by=alice
    )
    transfer_paid_order.refresh_from_db()
    assert refund.state == RefundState.SUCCEEDED
    assert transfer_paid_order.status == OrderStatus.PARTIALLY_REFUNDED
    assert Invoice.objects.get(order=transfer_paid_order, kind="credit_note").gross == Decimal(
        "-150.00"
    )


def test_cancelling_then_refunding_frees_the_seat_and_ends_refunded(transfer_paid_order, alice):
    from registrations.capacity import count_taken  # noqa: F401  (the registrations helper's)

    rtype = transfer_paid_order.delegates.get().registration_type
    cancel_order(order=transfer_paid_order, by=alice, reason="Delegate cannot travel")
    refund_services.request_refund(order=transfer_paid_order, amount=Decimal("450.00"), by=alice)
    transfer_paid_order.refresh_from_db()
    assert transfer_paid_order.status == OrderStatus.REFUNDED
    assert not transfer_paid_order.delegates.filter(is_cancelled=False).exists()
    # The seat is free again: a new order of the same type fits in a capacity of one.
    rtype.capacity = 1
    rtype.save()
    from registrations.lifecycle import SEAT_HOLDING_STATUSES

    assert transfer_paid_order.status not in SEAT_HOLDING_STATUSES


def test_a_stripe_refusal_marks_the_refund_failed_and_frees_the_amount(
    card_paid_order, alice, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable
    with pytest.raises(Exception, match="refused the refund"):
        refund_services.request_refund(order=card_paid_order, amount=Decimal("100"), by=alice)
    assert Refund.objects.get().state == RefundState.FAILED
    assert refund_services.refundable_amount(card_paid_order) == Decimal("450.00")
