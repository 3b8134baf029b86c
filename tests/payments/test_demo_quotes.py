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
    assert again["quotes"] == 0 and quotes.count() == 7  # six, and the overdue one


def test_demo_has_a_public_body_invoice_past_its_terms_shown_as_overdue(congress, alice):
    import datetime as dt

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from registrations.models import Invoice

    for _ in range(10):
        make_order(congress, hold_minutes=60)
    payments_demo.seed_demo(congress=congress, rng=random.Random(3))
    today = timezone.localdate(timezone=congress.tz)
    overdue = Invoice.objects.filter(
        congress=congress,
        kind="invoice",
        due_date__lt=today,
        order__status=OrderStatus.PENDING_PAYMENT,
        order__billing_details__public_body=True,
    ).select_related("order")
    (invoice,) = overdue
    assert invoice.due_date == invoice.issued_at.astimezone(congress.tz).date() + dt.timedelta(
        days=payments_demo.PUBLIC_BODY_TERMS_DAYS
    )
    assert invoice.buyer["purchase_order"].startswith("OC-")
    assert invoice.order.created_at < invoice.issued_at
    assert lifecycle.is_invoiced_unpaid(invoice.order)  # its delegates may still enter
    # numbered first: the numbers follow the dates of issue
    assert invoice.number == 1
    assert xml_for(invoice, invoice.buyer["einvoice_format"]).startswith(b"<?xml")

    client = Client()
    client.force_login(alice)
    url = reverse("payments:manage", kwargs={"congress_slug": congress.slug})
    page = client.get(url, {"view": "overdue"}).content.decode()
    assert invoice.order.code in page and invoice.full_number in page
    assert invoice.order.code not in client.get(url, {"view": "pending"}).content.decode()
    # re-running adds no second one
    payments_demo.seed_demo(congress=congress, rng=random.Random(3))
    assert overdue.count() == 1
