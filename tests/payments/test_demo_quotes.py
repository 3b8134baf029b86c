"""The demo congress shows quotes in every state and public bodies' invoices unpaid-but-admitted,
paid and credited, each with a valid e-invoice."""

import random

import pytest

from registrations import lifecycle
from registrations.enums import OrderStatus
from registrations.models import Quote
from registrations.payments import demo as payments_demo
from registrations.payments.einvoice.rendering import xml_for
from registrations.payments.enums import QuoteStatus

from .conftest import make_order

pytestmark = pytest.mark.django_db


def test_demo_has_quotes_in_every_state_and_public_bodies_admitted_paid_and_credited(congress):
    for _ in range(10):
        make_order(congress, hold_minutes=60)
    payments_demo.seed_demo(congress=congress, rng=random.Random(3))
    quotes = Quote.objects.filter(congress=congress).select_related("order", "invoice")
    assert {quote.status for quote in quotes} == set(QuoteStatus.values)
    accepted = [quote for quote in quotes if quote.status == QuoteStatus.ACCEPTED]
    statuses = {quote.order.status for quote in accepted}
    assert OrderStatus.PENDING_PAYMENT in statuses
    assert statuses & set(lifecycle.PAID_STATUSES)
    assert any(lifecycle.is_invoiced_unpaid(quote.order) for quote in accepted)
    assert any(quote.invoice.credit_notes.exists() for quote in accepted)
    for quote in accepted:
        fmt = quote.invoice.buyer["einvoice_format"]
        assert xml_for(quote.invoice, fmt).startswith(b"<?xml")
    expired = quotes.get(status=QuoteStatus.EXPIRED)
    assert expired.order.status == OrderStatus.EXPIRED
    assert quotes.get(status=QuoteStatus.WITHDRAWN).order.status == OrderStatus.CANCELLED
    again = payments_demo.seed_demo(congress=congress, rng=random.Random(3))
    assert again["quotes"] == 0 and quotes.count() == 6
