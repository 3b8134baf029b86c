"""The approval queue and the order page in Chromium, as a registration manager (not a
superuser): find the awaiting orders in the queue, approve one, reject another with a reason,
and see the registrant's own page show it. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes
the pictures."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.lifecycle import OrderStatus
from registrations.models import Order
from registrations.services.orders import add_order_note, place_order
from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory
from tests.registrations.conftest import order_kwargs

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_a_registration_manager_approves_one_order_and_rejects_another(page, live_server, congress):
    manager = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    assert not manager.is_superuser
    press = RegistrationTypeFactory(
        congress=congress,
        code="press",
        name="Press",
        regular_price=Decimal("80.00"),
        requires_approval=True,
    )
    first = place_order(
        **order_kwargs(congress, press, count=1, contact_name="Lena Berg", email="lena@ex.org")
    )
    second = place_order(
        **order_kwargs(congress, press, count=2, contact_name="Omar Haddad", email="omar@ex.org")
    )
    add_order_note(order=second, by=manager, text="Called the newsroom: no answer yet.")
    page = signed_in(page, live_server, manager, width=1200, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Approvals").first.click()
    rows = page.locator("section.approval")
    expect(rows).to_have_count(2)
    assert rows.first.get_attribute("data-code") == first.code  # oldest first
    screenshot(page, "manage-approvals.png")

    rows.first.get_by_role("button", name="Approve").click()
    page.locator(".messages").wait_for()
    expect(page.locator("section.approval")).to_have_count(1)
    row = page.locator(f"#order-{second.code}")
    row.get_by_label("Reason (the registrant reads it)").fill(
        "Press accreditation needs a letter from your editor."
    )
    row.get_by_role("button", name="Reject").click()
    page.locator(".messages").wait_for()
    assert "No order awaits approval." in page.content()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OrderStatus.PENDING_PAYMENT
    assert second.status == OrderStatus.CANCELLED

    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/orders/{second.code}/")
    assert "convene.order.rejected" in page.locator("#audit").inner_text()
    assert "Called the newsroom" in page.locator("#notes").inner_text()
    screenshot(page, "manage-order.png")

    registrant = page.context.new_page()
    registrant.goto(live_server.url + Order.objects.get(pk=second.pk).get_absolute_url())
    reason = registrant.locator("#decision-reason").inner_text()
    assert "Press accreditation needs a letter from your editor." in reason
    assert "Called the newsroom" not in registrant.content()
