"""The registration settings page in Chromium: a registration manager (not an owner, not a
superuser) sets capacity and a cancellation deadline in the congress's own zone, and sees a
field error beside the field. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from registrations.models import RegistrationSettings
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_a_registration_manager_sets_capacity_and_a_deadline_in_montreal_time(
    page, live_server, congress
):
    congress.time_zone = "America/Montreal"
    congress.currency = "CAD"
    congress.save()
    manager = UserFactory(username="rosa")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    page = signed_in(page, live_server, manager, height=1000)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Registration settings").first.click()
    expect(page.locator("main, body").first).to_contain_text("America/Montreal")  # once in
    page.fill("#id_max_delegates_per_order", "0")
    page.get_by_role("button", name="Save").click()
    page.locator("#id_max_delegates_per_order_error, .errorlist").first.wait_for()
    assert "greater than or equal to 1" in page.locator("body").inner_text()
    page.fill("#id_total_capacity", "1200")
    page.fill("#id_max_delegates_per_order", "12")
    page.fill("#id_cancellation_deadline", "2027-01-15T18:00")
    page.fill("#id_cancellation_fee", "25.00")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    saved = RegistrationSettings.objects.get(congress=congress)
    assert saved.total_capacity == 1200
    assert saved.cancellation_deadline == dt.datetime(2027, 1, 15, 23, 0, tzinfo=dt.UTC)
    assert page.locator("#id_cancellation_deadline").input_value() == "2027-01-15T18:00"
    screenshot(page, "manage-registration-settings.png")
