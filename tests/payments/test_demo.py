import random
from decimal import Decimal

import pytest

from registrations.enums import OrderStatus
from registrations.models import BillingSettings, Invoice, Payment, Refund
from registrations.payments import demo as payments_demo

from .conftest import make_order

pytestmark = pytest.mark.django_db


def test_demo_payments_cover_invoices_transfers_and_a_refund_and_rerun_changes_nothing(congress):
    for _ in range(4):
        make_order(congress, status=OrderStatus.PAID)
    for _ in range(6):
        make_order(congress, hold_minutes=60)
    make_order(congress, total="0.00", status=OrderStatus.PAID)
    first = payments_demo.seed_demo(congress=congress, rng=random.Random(1))
    assert first["billing_settings"] == 1 and first["refunds"] == 1
    assert first["invoices"] == 4 + 2 + 1  # paid, by transfer, the overdue public body
    counts = (Invoice.objects.count(), Payment.objects.count(), Refund.objects.count())
    second = payments_demo.seed_demo(congress=congress, rng=random.Random(1))
    assert second == {
        "billing_settings": 0,
        "invoices": 0,
        "transfers": 0,
        "refunds": 0,
        "quotes": 0,
    }
    assert (Invoice.objects.count(), Payment.objects.count(), Refund.objects.count()) == counts
    assert BillingSettings.objects.get(congress=congress).tax_rate == Decimal("21.00")
    # the refund's, and the one of a public body's delegation that shrank
    assert Invoice.objects.filter(kind="credit_note").count() == 2
