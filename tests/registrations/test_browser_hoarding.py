"""The organisers' page of suspicious holds in Chromium: the groups largest first, one group's
orders, and releasing a whole address after a confirm, which frees its seats at once.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the picture in the docs."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.lifecycle import OrderStatus
from registrations.models import Order
from registrations.payments.services import payments
from registrations.services.orders import place_order
from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_organiser_finds_the_hoarder_and_releases_its_holds(page, live_server, congress, alice):
    rtype = RegistrationTypeFactory(
        congress=congress, name="Delegate", capacity=30, regular_price=Decimal("450.00")
    )
    for n in range(9):
        place_order(
            **order_kwargs(
                congress, rtype, email=f"bot{n}@hoard.example", client_address="203.0.113.7"
            )
        )
    for n in range(3):
        team = place_order(
            **order_kwargs(
                congress, rtype, 2, email=f"team{n}@city.example", client_address="2001:db8:9::1"
            )
        )
    # The city's last order pays by invoice: its seats stay held until the invoice is due.
    payments.request_invoice_payment(
        order=team, billing={"name": "City of Lisbon", "address": "Praça 1", "country": "PT"}
    )
    place_order(
        **order_kwargs(congress, rtype, email="ana@city.example", client_address="192.0.2.4")
    )
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Suspicious holds").click()
    page.wait_for_load_state()
    rows = page.locator("tr.hold-group")
    expect(rows).to_have_count(2)  # the single order is not suspicious
    assert "203.0.113.7" in rows.nth(0).inner_text()
    assert "2001:db8:9::/64" in rows.nth(1).inner_text()
    assert "1 of them pays by invoice" in page.content()
    rows.nth(0).get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.locator("tr.hold-member")).to_have_count(9)
    screenshot(page, "suspicious-holds.png")
    rows = page.locator("tr.hold-group")
    rows.nth(0).get_by_role("button", name="Release all…").click()
    page.wait_for_load_state()
    assert "9 unpaid orders" in page.content()
    page.get_by_role("button", name="Release", exact=True).click()
    page.wait_for_load_state()
    assert "9 holds were released." in page.content()
    expect(page.locator("tr.hold-group")).to_have_count(1)
    statuses = set(Order.objects.filter(email__startswith="bot").values_list("status", flat=True))
    assert statuses == {OrderStatus.CANCELLED}
    # The freed seats are on sale again at once: 30 - 6 team seats - 1 = 23 left.
    place_order(**order_kwargs(congress, rtype, 20, email="late@city.example"))
    place_order(**order_kwargs(congress, rtype, 3, email="later@city.example"))
