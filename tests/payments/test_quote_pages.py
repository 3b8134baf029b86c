"""Quote and e-invoice pages: the buyer's side behind the secret link, the finance staff's list
and actions, who may see them, and bad input that gets a clear message and loses nothing."""

import pytest
from django.core import mail

from registrations.models import BillingDetails, BillingSettings, Quote
from registrations.payments.enums import QuoteStatus
from registrations.payments.services import quotes as quote_services
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import make_order
from .test_einvoices import CITY_OF_BONN

pytestmark = pytest.mark.django_db

BILLING_FORM = {
    "name": "Bundesstadt Bonn – Amt für Finanzen",
    "address": "Berliner Platz 2\n53111 Bonn",
    "country": "DE",
    "vat_number": "",
    "purchase_order": "",
    "is_business": "on",
    "email": "rechnungen@bonn.example",
    "public_body": "on",
    "buyer_reference": "05314000-bonn1-33",  # lower case, as typed: normalised
    "ipa_office_code": "",
    "cig": "",
    "cup": "",
    "einvoice_format": "xrechnung_ubl",
}


@pytest.fixture
def billing_settings(congress):
    return BillingSettings.objects.create(
        congress=congress,
        seller_name="World Association of Cities",
        seller_address="Carrer Avinyó 15\n08002 Barcelona",
        seller_country="ES",
        seller_email="finance@wcg.example",
        iban="ES9121000418450200051332",
        bic="CAIXESBBXXX",
        invoice_prefix="WCG27-",
        quote_prefix="WCG27-Q",
    )


@pytest.fixture
def finance_user(congress):
    user = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=user, role="finance")
    return user


def _order_url(order, rest):
    return f"/{order.congress.slug}/payments/{order.code}/{order.secret}/{rest}"


def _manage(congress, rest=""):
    return f"/{congress.slug}/manage/payments/{rest}"


def test_buyer_asks_for_a_quote_then_accepts_it_with_the_purchase_order(
    client, billing_settings, congress, django_capture_on_commit_callbacks
):
    order = make_order(congress)
    page = client.get(_order_url(order, ""))
    assert "My city needs a quote first" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_order_url(order, "quote/"), BILLING_FORM)
    assert response.status_code == 302
    quote = Quote.objects.get(order=order)
    assert quote.requested_by_buyer and quote.buyer["buyer_reference"] == "05314000-BONN1-33"
    assert mail.outbox[-1].attachments[0][0] == "WCG27-Q00001.pdf"
    pdf = client.get(_order_url(order, f"quotes/{quote.full_number}.pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _order_url(order, "quote/accept/"),
            {"purchase_order": "BE-2027/118", "buyer_reference": "05314000-BONN1-33"},
        )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    names = [name for name, _content, _type in mail.outbox[-1].attachments]
    assert names == [
        f"{quote.invoice.full_number}.pdf",
        f"{quote.invoice.full_number}-xrechnung-ubl.xml",
    ]
    download = client.get(
        _order_url(order, f"invoices/{quote.invoice.full_number}/e-invoice/xrechnung-ubl/")
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    assert b"05314000-BONN1-33" in download.content
    assert (
        client.get(
            _order_url(order, f"invoices/{quote.invoice.full_number}/e-invoice/nonsense/")
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("buyer_reference", "04011000-1234512345-07", "check digits"),
        ("buyer_reference", "<script>alert(1)</script>", "Leitweg-ID looks like"),
        ("buyer_reference", "", "Leitweg-ID"),
        ("name", "Bonn\x1bFinanzen", "control character"),
        ("name", "x" * 10_000, "at most 200"),
        ("ipa_office_code", "ÄÖÜ123", "Codice Univoco"),
        ("cig", "Z1A2\u202eB3C4", "CIG"),
        ("einvoice_format", "edifact", "valid choice"),
    ],
)
def test_bad_billing_input_is_refused_with_a_message_and_no_quote(
    client, billing_settings, congress, field, value, message
):
    order = make_order(congress)
    response = client.post(_order_url(order, "quote/"), {**BILLING_FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"<script>alert(1)</script>" not in response.content
    assert not Quote.objects.filter(order=order).exists()
    assert not BillingDetails.objects.filter(order=order).exists()


def test_a_nul_in_the_form_is_refused_before_any_view_and_stores_nothing(
    client, billing_settings, congress
):
    order = make_order(congress)
    response = client.post(_order_url(order, "quote/"), {**BILLING_FORM, "name": "Bonn\x00"})
    assert response.status_code == 400 and response.content
    assert not Quote.objects.filter(order=order).exists()


def test_non_latin_buyer_names_are_kept(client, billing_settings, congress):
    order = make_order(congress)
    name = "東京都 財務局 / بلدية دبي"
    response = client.post(
        _order_url(order, "quote/"),
        {
            **BILLING_FORM,
            "name": name,
            "country": "JP",
            "public_body": "",
            "buyer_reference": "",
            "einvoice_format": "",
        },
    )
    assert response.status_code == 302
    assert Quote.objects.get(order=order).buyer["name"] == name


def test_bad_purchase_order_input_changes_nothing(client, billing_settings, congress):
    order = make_order(congress)
    quote = quote_services.create_quote(
        order=order, billing={**CITY_OF_BONN, "einvoice_format": ""}
    )
    for bad in (
        {"purchase_order": ""},
        {"purchase_order": "P" * 81},
        {"purchase_order": "PO-1", "buyer_reference": "99-00"},
    ):
        response = client.post(_order_url(order, "quote/accept/"), bad)
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN and not order.invoices.exists()


def test_finance_lists_quotes_filtered_with_few_queries_and_accepts_one(
    client, billing_settings, congress, finance_user, django_assert_max_num_queries
):
    quotes = [
        quote_services.create_quote(order=make_order(congress), billing=CITY_OF_BONN)
        for _ in range(4)
    ]
    quote_services.withdraw_quote(quote=quotes[0], by=finance_user)
    client.force_login(finance_user)
    with django_assert_max_num_queries(20):
        page = client.get(_manage(congress, "quotes/"), {"status": "open"})
    body = page.content.decode()
    assert page.status_code == 200
    assert quotes[1].full_number in body and quotes[0].full_number not in body
    response = client.post(
        _manage(congress, f"quotes/{quotes[1].full_number}/accept/"),
        {"purchase_order": "BE-1", "buyer_reference": "05314000-BONN1-33"},
    )
    assert response.status_code == 302
    quotes[1].refresh_from_db()
    assert quotes[1].status == QuoteStatus.ACCEPTED
    listing = client.get(_manage(congress, "quotes/"), {"status": "accepted"}).content.decode()
    assert "Invoiced – unpaid, may enter" in listing
    overview = client.get(_manage(congress), {"view": "invoiced_unpaid"}).content.decode()
    assert quotes[1].order.code in overview and quotes[2].order.code not in overview
    xml = client.get(
        _manage(congress, f"invoices/{quotes[1].invoice.full_number}/e-invoice/peppol/")
    )
    assert xml.status_code == 200 and b"BE-1" in xml.content


def test_finance_issues_a_quote_for_an_order_from_the_back_office(
    client, billing_settings, congress, finance_user
):
    order = make_order(congress)
    client.force_login(finance_user)
    assert client.get(_manage(congress, f"orders/{order.code}/")).status_code == 200
    response = client.post(_manage(congress, f"orders/{order.code}/quote/"), BILLING_FORM)
    assert response.status_code == 302
    quote = Quote.objects.get(order=order)
    assert not quote.requested_by_buyer and quote.created_by == finance_user


def test_quote_pages_are_closed_to_outsiders_and_other_secrets(client, billing_settings, congress):
    order = make_order(congress)
    quote = quote_services.create_quote(order=order, billing=CITY_OF_BONN)
    outsider = UserFactory(username="olive")
    client.force_login(outsider)
    assert client.get(_manage(congress, "quotes/")).status_code in (403, 404)
    assert client.get(_manage(congress, f"quotes/{quote.full_number}.pdf")).status_code in (
        403,
        404,
    )
    wrong = f"/{congress.slug}/payments/{order.code}/{'x' * 43}/quotes/{quote.full_number}.pdf"
    assert client.get(wrong).status_code == 404
