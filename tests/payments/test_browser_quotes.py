"""Quotes in Chromium: a finance team member opens the quotes from the navigation, filters the
open ones, accepts one with the purchase order and a Leitweg-ID (a wrong check digit first),
then sees the order invoiced – unpaid and downloads its XRechnung. The buyer's side: a city
asks for a quote on its order page. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes
``manage-quotes.png``, ``manage-quotes-accepted.png`` and ``order-quote-request.png``."""

import os

import pytest
from playwright.sync_api import expect

from registrations.models import BillingSettings, Quote
from registrations.payments.enums import QuoteStatus
from registrations.payments.services import quotes as quote_services
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import make_order
from .test_einvoices import CITY_OF_BONN

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def quotes(congress):
    BillingSettings.objects.create(
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
    made = [
        quote_services.create_quote(
            order=make_order(congress, contact_name=f"City {n}"),
            billing={**CITY_OF_BONN, "purchase_order": ""},
        )
        for n in range(3)
    ]
    quote_services.withdraw_quote(quote=made[2], by=None)
    return made


def test_finance_accepts_a_quote_with_a_leitweg_id_and_downloads_the_xrechnung(
    page, live_server, congress, stripe_off, quotes
):
    fiona = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=fiona, role="finance")
    page = signed_in(page, live_server, fiona, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Quotes").first.click()
    expect(page).to_have_url(f"{live_server.url}/{congress.slug}/manage/payments/quotes/")
    expect(page.locator("tr[data-quote]")).to_have_count(3)
    page.select_option("#id_status", "open")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("tr[data-quote]")).to_have_count(2)
    screenshot(page, "manage-quotes.png")
    row = page.locator(f"tr[data-quote='{quotes[0].full_number}']")
    row.get_by_label("Purchase-order number").fill("BE-2027/118")
    row.get_by_label("Buyer reference / Leitweg-ID").fill("05314000-BONN1-34")
    row.get_by_role("button", name="Accept and invoice").click()
    expect(page.locator(".messages")).to_contain_text("check digits")
    row = page.locator(f"tr[data-quote='{quotes[0].full_number}']")
    row.get_by_label("Purchase-order number").fill("BE-2027/118")
    row.get_by_label("Buyer reference / Leitweg-ID").fill("05314000-BONN1-33")
    row.get_by_role("button", name="Accept and invoice").click()
    expect(page.locator(".messages")).to_contain_text("accepted: invoice WCG27-00001 issued")
    page.select_option("#id_status", "accepted")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("[data-badge=invoiced-unpaid]")).to_have_count(1)
    screenshot(page, "manage-quotes-accepted.png")
    assert Quote.objects.get(pk=quotes[0].pk).status == QuoteStatus.ACCEPTED
    page.get_by_role("link", name=quotes[0].order.code).click()
    expect(page.locator("[data-badge=invoiced-unpaid]")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="XRechnung (UBL)").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert b"05314000-BONN1-33" in handle.read()
    assert download.value.suggested_filename == "WCG27-00001-xrechnung-ubl.xml"


def test_a_city_asks_for_a_quote_on_its_order_page(page, live_server, congress, stripe_off):
    BillingSettings.objects.create(
        congress=congress,
        seller_name="World Association of Cities",
        seller_country="ES",
        iban="ES9121000418450200051332",
        bic="CAIXESBBXXX",
        quote_prefix="WCG27-Q",
    )
    order = make_order(congress, contact_name="Ana Ruiz")
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/{congress.slug}/payments/{order.code}/{order.secret}/")
    page.get_by_role("link", name="Get a quote").click()
    page.get_by_label("Name or organisation").fill("Ayuntamiento de Bilbao")
    page.get_by_label("Billing address").fill("Plaza Ernesto Erkoreka 1\n48007 Bilbao")
    page.get_by_label("Country").select_option("ES")
    page.locator("#id_public_body").check()
    screenshot(page, "order-quote-request.png")
    page.get_by_role("button", name="Issue the quote").click()
    expect(page.locator("body")).to_contain_text("Quote WCG27-Q00001 is ready")
    expect(page.get_by_role("link", name="Download the quote")).to_have_count(1)
    assert Quote.objects.get(order=order).requested_by_buyer
