"""The bank statement import in Chromium, as a finance team member (not a superuser): upload
a CAMT.053 with three credits, confirm the two proposed matches, and find the third waiting
in the queue while the two orders show paid. ``CONVENE_SCREENSHOTS=docs/screenshots``
refreshes ``manage-bank-import-*.png``."""

import os

import pytest
from playwright.sync_api import expect

from registrations.enums import OrderStatus
from registrations.models import BankStatementLine, Payment
from registrations.payments.enums import BankLineStatus
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

from .test_bank_import import DATA, _open_order

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_finance_imports_a_camt053_and_confirms_two_matches(
    page, live_server, congress, stripe_off
):
    fiona = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=fiona, role="finance")
    vienna = _open_order(
        congress, code="KQ7MZ2PA", total="450.00", invoice="INV-00001", contact_name="Stadt Wien"
    )
    bologna = _open_order(
        congress, code="KQ7MZ2PC", total="300.00", invoice="INV-00002", contact_name="Bologna"
    )
    _open_order(congress, code="KQ7MZ2PD", total="80.00", contact_name="Someone else")
    page = signed_in(page, live_server, fiona, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Bank statements").first.click()
    body = page.locator("body")
    expect(body).to_contain_text("Import a statement")
    page.set_input_files("#id_statement", str(DATA / "camt053_v08.xml"))
    page.select_option("#id_format", "camt053")
    screenshot(page, "manage-bank-import-upload.png")
    page.get_by_role("button", name="Import and propose matches").click()
    expect(body).to_contain_text("4 lines imported")
    rows = page.locator("table.bank-lines tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("KQ7MZ2PA")
    expect(rows.nth(0)).to_contain_text("100% sure")
    expect(rows.nth(1)).to_contain_text("KQ7MZ2PC")
    expect(rows.nth(3)).to_contain_text("Ignored")
    rows.nth(0).get_by_label("Accept").check()
    rows.nth(1).get_by_label("Accept").check()
    rows.nth(2).get_by_label("Leave unmatched").check()
    screenshot(page, "manage-bank-import-review.png")
    page.get_by_role("button", name="Confirm the decisions on this page").click()
    expect(body).to_contain_text("2 transfers recorded.")
    expect(body).to_contain_text("1 line left unmatched in the queue.")
    page.get_by_role("link", name="Waiting lines").first.click()
    expect(body).to_contain_text("Bank lines waiting to be matched")
    queue = page.locator("table.bank-lines tbody tr")
    expect(queue).to_have_count(1)
    expect(queue.first).to_contain_text("Unknown Payer Ltd")
    screenshot(page, "manage-bank-import-queue.png")
    page.goto(f"{live_server.url}/{congress.slug}/manage/payments/?view=paid")
    table = page.locator("table.finance-orders")
    expect(table).to_contain_text("KQ7MZ2PA")
    expect(table).to_contain_text("KQ7MZ2PC")
    for order in (vienna, bologna):
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
    assert Payment.objects.count() == 2
    assert BankStatementLine.objects.filter(status=BankLineStatus.UNMATCHED).count() == 1
