"""Finance clears a flagged order in Chromium, as a finance team member (not a superuser): the
*For review* view lists it, its payments page shows the reasons, *Mark as reviewed* with a
note clears it and the view is empty. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes
``manage-payments-order-review.png``."""

import os

import pytest
from playwright.sync_api import expect

from events_site.congresses.models import AuditEntry
from registrations.payments.services import balances
from tests.browser import screenshot, signed_in

from .conftest import make_order

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_finance_marks_a_flagged_order_as_reviewed(
    page, live_server, congress, stripe_off, finance_user
):
    order = make_order(congress, contact_name="Ciudad de Córdoba")
    balances.flag_for_review(order, "Overpaid by €50.00 after a change: refund it.")
    page = signed_in(page, live_server, finance_user, height=1000)
    page.goto(f"{live_server.url}/{congress.slug}/manage/payments/?view=review")
    page.get_by_role("link", name=order.code).first.click()
    review = page.locator("#review")
    expect(review).to_contain_text("Overpaid by €50.00 after a change")
    page.get_by_label("What was done (kept in the audit log)").fill(
        "Refunded €50.00 by bank transfer on 3 March"
    )
    screenshot(page, "manage-payments-order-review.png")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".messages")).to_contain_text("Marked as reviewed.")
    expect(page.locator("#review")).to_have_count(0)
    order.refresh_from_db()
    assert not order.needs_review
    entry = AuditEntry.objects.get(action="convene.payment.review_resolved")
    assert entry.data["note"] == "Refunded €50.00 by bank transfer on 3 March"
    page.goto(f"{live_server.url}/{congress.slug}/manage/payments/?view=review")
    expect(page.locator("table.finance-orders")).not_to_contain_text(order.code)
