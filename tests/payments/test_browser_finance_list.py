"""The finance list in Chromium, as a finance team member (not a superuser): search a contact
without the accents, read the totals, open the overdue view and remind two orders after the
confirmation. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes ``payments.png``."""

import os

import pytest
from django.core import mail
from playwright.sync_api import expect

from registrations.enums import OrderStatus
from registrations.models import InvoiceReminder
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

from .test_finance_list import _invoices, _orders, _payments

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_finance_finds_an_order_and_reminds_two_overdue_invoices(
    page, live_server, congress, stripe_off
):
    fiona = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=fiona, role="finance")
    paid = _orders(congress, 70, status=OrderStatus.PAID, total="450.00")
    _payments(paid, amount="450.00", reference="SEPA")
    overdue = _orders(congress, 4, total="300.00", language="fr")
    _invoices(congress, overdue)
    _orders(congress, 1, contact_name="Zoë Müller-Ångström", email="zoe@uni.example")
    page = signed_in(page, live_server, fiona, height=1000)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Payments and invoices").first.click()
    page.get_by_role("link", name="All").click()
    body = page.locator("body")
    assert "75 orders" in body.inner_text()
    assert "Page 1 of 2" in body.inner_text()
    page.fill("#id_q", "muller angstrom")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.locator("h2", has_text="1 order").wait_for()
    assert "Zoë Müller-Ångström" in page.locator("table.finance-orders").inner_text()
    page.goto(f"{live_server.url}/{congress.slug}/manage/payments/?view=overdue")
    assert page.locator("[data-total=outstanding]").inner_text() == "€1,200.00"
    screenshot(page, "payments.png")
    checkboxes = page.locator("input[name=order]")
    assert checkboxes.count() == 4
    checkboxes.nth(0).check()
    checkboxes.nth(1).check()
    page.get_by_role("button", name="Send reminders to the ticked orders").click()
    expect(body).to_contain_text("2 orders have an overdue invoice")  # the next page, once in
    page.get_by_role("button", name="Send the reminders").click()
    page.locator(".messages").wait_for()
    assert "2 reminders sent (0 skipped)" in body.inner_text()
    assert InvoiceReminder.objects.count() == 2
    assert len(mail.outbox) == 2 and "Bonjour" in mail.outbox[0].body
