"""A delegate pays by card in Chromium, through the localstripe Stripe.js stand-in."""

import os
import re

import pytest
from playwright.sync_api import expect

from registrations.enums import OrderStatus
from registrations.models import Invoice

from .conftest import make_order

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_card(page, number):
    element = page.locator("#payment-element")
    element.locator("input[placeholder=number]").fill(number)
    element.locator("input[placeholder=exp_month]").fill("12")
    element.locator("input[placeholder=exp_year]").fill("30")
    element.locator("input[placeholder=cvc]").fill("123")
    element.locator("input[placeholder=postal_code]").fill("69001")


def test_delegate_pays_by_card_with_the_test_card(page, live_server, stripe_on, settings, congress):
    settings.SITE_URL = live_server.url
    order = make_order(congress)
    page.goto(f"{live_server.url}/{congress.slug}/payments/{order.code}/{order.secret}/")
    page.get_by_role("link", name="Pay by card").first.click()
    page.wait_for_selector("#payment-element input[placeholder=number]")
    _fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay €450.00").click()
    page.wait_for_url(lambda url: "/card/" not in url, timeout=15000)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Invoice.objects.filter(order=order).exists()
    page.goto(f"{live_server.url}/{congress.slug}/payments/{order.code}/{order.secret}/")
    assert "Paid" in page.content()


def test_a_declined_card_shows_an_error_and_the_order_stays_unpaid(
    page, live_server, stripe_on, settings, congress
):
    settings.SITE_URL = live_server.url
    order = make_order(congress)
    page.goto(f"{live_server.url}/{congress.slug}/payments/{order.code}/{order.secret}/card/")
    page.wait_for_selector("#payment-element input[placeholder=number]")
    _fill_card(page, "4000000000000341")
    page.get_by_role("button", name="Pay €450.00").click()
    message = page.locator("#payment-message")
    message.wait_for(state="visible")
    # A locator assertion, not wait_for_function: that evaluates a string in the page, which
    # the Content-Security-Policy (no 'unsafe-eval') rightly refuses.
    expect(message).to_contain_text(re.compile("declined", re.IGNORECASE), timeout=15000)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
