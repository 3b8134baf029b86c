"""Quotes: their own gap-free number series, a seat hold that expires and frees the seats, and
conversion into the order's invoice at the quoted prices with the PO number and the buyer's
routing ids; public bodies' invoiced – unpaid orders may enter."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from registrations import lifecycle
from registrations.capacity import count_taken
from registrations.enums import OrderStatus
from registrations.errors import OrderStateError
from registrations.models import BillingSettings, Quote
from registrations.payments.enums import QuoteStatus
from registrations.payments.errors import InvoiceError
from registrations.payments.quotes import render_quote_pdf
from registrations.payments.services import quotes as quote_services
from registrations.services.orders import expire_stale_holds

from .conftest import make_order
from .test_einvoices import CITY_OF_BONN, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_settings(congress):
    return BillingSettings.objects.create(
        congress=congress,
        seller_name="World Association of Cities",
        seller_address="Carrer Avinyó 15\n08002 Barcelona",
        seller_country="ES",
        iban="ES9121000418450200051332",
        bic="CAIXESBBXXX",
        tax_rate=Decimal("21.00"),
        payment_terms_days=30,
        public_body_terms_days=120,
        invoice_prefix="WCG27-",
        quote_prefix="WCG27-Q",
        quote_validity_days=30,
        quote_hold_days=10,
    )


QUOTE_BILLING = {
    **CITY_OF_BONN,
    "purchase_order": "",
    "buyer_reference": "",
    "public_body": True,
    "country": "FR",
    "address": "1 place de la Comédie\n69001 Lyon",
    "einvoice_format": "",
}


def test_quotes_have_their_own_gap_free_series_beside_invoices(billing_settings, congress):
    first = quote_services.create_quote(order=make_order(congress), billing=QUOTE_BILLING)
    second = quote_services.create_quote(order=make_order(congress), billing=QUOTE_BILLING)
    assert (first.full_number, second.full_number) == ("WCG27-Q00001", "WCG27-Q00002")
    invoice = quote_services.accept_quote(quote=first, references={"purchase_order": "PO-1"})
    assert invoice.full_number == "WCG27-00001"  # the invoice series did not move


def test_a_quote_holds_the_seats_for_the_organisers_time_and_is_emailed(
    billing_settings, congress, django_capture_on_commit_callbacks
):
    order = make_order(congress, hold_minutes=15)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        quote = quote_services.create_quote(
            order=order, billing=QUOTE_BILLING, requested_by_buyer=True, now=now
        )
    order.refresh_from_db()
    assert order.hold_expires_at == now + dt.timedelta(days=10) == quote.seats_held_until
    assert quote.valid_until == now.astimezone(congress.tz).date() + dt.timedelta(days=30)
    (message,) = mail.outbox
    assert message.to == ["rechnungen@bonn.example"]
    assert message.attachments[0][0] == "WCG27-Q00001.pdf"


def test_expiry_releases_the_held_seats_and_expires_the_quote(billing_settings, congress):
    order = make_order(congress)
    type_id = order.delegates.get().registration_type_id
    now = timezone.now()
    quote = quote_services.create_quote(order=order, billing=QUOTE_BILLING, now=now)
    assert count_taken(congress_id=congress.pk, type_ids=[type_id]).by_type[type_id] == 1
    later = now + dt.timedelta(days=10, minutes=1)
    assert count_taken(congress_id=congress.pk, type_ids=[type_id], now=later).total == 0
    assert expire_stale_holds(now=later) == 1
    assert quote_services.expire_quotes(now=later) == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED
    with pytest.raises(InvoiceError):
        quote_services.accept_quote(quote=quote, references={"purchase_order": "PO-9"})


def test_conversion_keeps_the_quoted_prices_and_carries_po_and_leitweg_id(
    billing_settings, congress
):
    order = make_order(congress, total="1234.56", delegates=2)
    quote = quote_services.create_quote(
        order=order,
        billing={**QUOTE_BILLING, "country": "DE", "buyer_reference": "04011000-1234512345-06"},
    )
    # the price list changes after the quote: the delegates' prices were fixed on the order
    order.delegates.update(registration_type=order.delegates.first().registration_type)
    order.delegates.first().registration_type.__class__.objects.update(regular_price=Decimal("999"))
    invoice = quote_services.accept_quote(
        quote=quote,
        references={"purchase_order": "BE-2027/7", "buyer_reference": "991-33333TEST-33"},
    )
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.invoice == invoice
    assert (invoice.gross, invoice.net, invoice.tax) == (quote.gross, quote.net, quote.tax)
    assert invoice.lines == quote.lines
    assert invoice.buyer["purchase_order"] == "BE-2027/7"
    assert invoice.buyer["buyer_reference"] == "991-33333TEST-33"


@pytest.mark.parametrize(
    "references, message",
    [
        ({"buyer_reference": "04011000-1234512345-07"}, "check digits"),
        ({"buyer_reference": "not a leitweg"}, "Leitweg-ID looks like"),
        ({"buyer_reference": ""}, "Leitweg-ID"),
        ({"cig": "SHORT"}, "CIG"),
        ({"cup": "X" * 16}, "CUP"),
        ({"ipa_office_code": "ABC\x00EF"}, "Codice Univoco"),
        ({"total": "1"}, "Unknown fields"),
    ],
)
def test_conversion_refuses_bad_routing_ids_and_changes_nothing(
    billing_settings, congress, references, message
):
    order = make_order(congress)
    quote = quote_services.create_quote(
        order=order,
        billing={**QUOTE_BILLING, "country": "DE", "buyer_reference": "04011000-1234512345-06"},
    )
    with pytest.raises(Exception) as caught:
        quote_services.accept_quote(quote=quote, references=references)
    assert message in str(caught.value)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN and quote.invoice is None
    assert not order.invoices.exists()


def test_an_order_changed_since_the_quote_is_not_converted(billing_settings, congress):
    order = make_order(congress)
    quote = quote_services.create_quote(order=order, billing=QUOTE_BILLING)
    type(order).objects.filter(pk=order.pk).update(total=Decimal("500.00"))
    with pytest.raises(InvoiceError, match="changed since"):
        quote_services.accept_quote(quote=quote, references={"purchase_order": "PO-2"})


def test_one_quote_per_order_and_none_for_a_lapsed_hold(billing_settings, congress):
    order = make_order(congress)
    quote_services.create_quote(order=order, billing=QUOTE_BILLING)
    with pytest.raises(InvoiceError):
        quote_services.create_quote(order=order, billing=QUOTE_BILLING)
    lapsed = make_order(congress, hold_minutes=-1)
    with pytest.raises(OrderStateError):
        quote_services.create_quote(order=lapsed, billing=QUOTE_BILLING)
    assert Quote.objects.count() == 1


def test_quote_pdf_shows_number_validity_and_totals(billing_settings, congress):
    quote = quote_services.create_quote(order=make_order(congress), billing=QUOTE_BILLING)
    text = pdf_text(render_quote_pdf(quote))
    assert "WCG27-Q00001" in text and "450.00" in text and quote.order.code in text


def test_public_body_invoiced_unpaid_may_enter_and_keeps_its_seats_past_the_congress(
    billing_settings, congress
):
    order = make_order(congress)
    quote = quote_services.create_quote(order=order, billing=QUOTE_BILLING)
    invoice = quote_services.accept_quote(quote=quote, references={"purchase_order": "PO-77"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and order.admitted_on_invoice
    assert order.hold_expires_at is None  # held until paid or cancelled
    assert invoice.due_date > congress.end_date or invoice.due_date == (
        timezone.localdate(timezone=congress.tz) + dt.timedelta(days=120)
    )
    delegate = order.delegates.get()
    assert lifecycle.delegate_standing(delegate) == lifecycle.DelegateStanding.INVOICED_UNPAID
    assert lifecycle.may_enter(delegate)
    assert type(delegate).objects.filter(lifecycle.may_enter_q(), pk=delegate.pk).exists()
    assert expire_stale_holds(now=timezone.now() + dt.timedelta(days=400)) == 0


def test_other_unpaid_orders_still_may_not_enter(billing_settings, congress):
    order = make_order(congress)
    quote = quote_services.create_quote(
        order=order, billing={**QUOTE_BILLING, "public_body": False}
    )
    quote_services.accept_quote(quote=quote, references={"purchase_order": "PO-78"})
    order.refresh_from_db()
    assert not order.admitted_on_invoice
    delegate = order.delegates.get()
    assert not lifecycle.may_enter(delegate)
    assert not type(delegate).objects.filter(lifecycle.may_enter_q(), pk=delegate.pk).exists()


def test_the_desk_checks_in_an_invoiced_unpaid_public_body_and_refuses_other_unpaid(
    billing_settings, congress, alice
):
    from badges import services as badge_services
    from badges.services import NotAllowedToEnter

    admitted = make_order(congress)
    quote = quote_services.create_quote(order=admitted, billing=QUOTE_BILLING)
    quote_services.accept_quote(quote=quote, references={"purchase_order": "PO-80"})
    badge = badge_services.badge_for(delegate=admitted.delegates.get())
    result = badge_services.check_in(badge=badge, by=alice, desk="Hall A")
    assert result.checked_in
    unpaid = make_order(congress)
    other = badge_services.badge_for(delegate=unpaid.delegates.get())
    with pytest.raises(NotAllowedToEnter):
        badge_services.check_in(badge=other, by=alice, desk="Hall A")
