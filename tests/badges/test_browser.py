"""Check-in from a phone-sized Chromium: scanner-wedge input, verdicts, one tap to check in."""

import os

import pytest
from django.test import Client

from badges import services
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate
from tests.browser import wait_ready

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(page, live_server, bob):
    client = Client()
    client.force_login(bob)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def _open_desk(phone, live_server, congress):
    """The desk, once its offline script has started and synced: its listeners are on the scan
    and search forms, and no request of its own runs beside the test's."""
    phone.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    wait_ready(phone, "#desk-offline")
    return phone


def test_scanner_wedge_scan_then_one_tap_checks_in(phone, live_server, congress):
    delegate = make_delegate(congress, given_name="Ζωή", family_name="Παπαδοπούλου")
    badge = services.badge_for(delegate=delegate)
    page = _open_desk(phone, live_server, congress)
    # A keyboard-wedge scanner types into whatever has focus and presses Enter.
    assert page.evaluate("document.activeElement.id") == "scan"
    page.keyboard.type(badge.secret)
    page.keyboard.press("Enter")
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert "MAY ENTER" in verdict.inner_text()
    assert "Ζωή Παπαδοπούλου" in verdict.inner_text()
    # Fits a phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Check in", exact=True).click()
    page.wait_for_url("**done=1**")
    assert "CHECKED IN" in page.locator("#verdict").inner_text()
    assert "by bob" in page.locator("#verdict").inner_text()
    # the new page's desk syncs first: on SQLite in memory it shares the test's connection
    wait_ready(page, "#desk-offline")
    badge.refresh_from_db()
    assert badge.checked_in_at is not None


def test_invalid_and_unpaid_show_red(phone, live_server, congress):
    unpaid = make_delegate(congress, given_name="Kim", status=OrderStatus.PENDING_PAYMENT)
    badge = services.badge_for(delegate=unpaid)
    page = _open_desk(phone, live_server, congress)
    page.fill("#scan", "not-a-badge")
    page.keyboard.press("Enter")
    page.locator(".verdict-bad").wait_for()
    assert "NOT VALID" in page.locator("#verdict").inner_text()
    page.fill("#scan", badge.secret)
    page.keyboard.press("Enter")
    page.locator(".verdict-bad").wait_for()
    text = page.locator("#verdict").inner_text()
    assert "MAY NOT ENTER" in text and "Not paid" in text
    assert page.get_by_role("button", name="Check in", exact=True).count() == 0
    color = page.evaluate("getComputedStyle(document.getElementById('verdict')).backgroundColor")
    assert color == "rgb(179, 38, 30)"


def test_search_by_name_and_check_in(phone, live_server, congress):
    make_delegate(congress, given_name="अनन्या", family_name="शर्मा", organisation_name="Pune")
    page = _open_desk(phone, live_server, congress)
    page.fill("#search", "pune")
    page.keyboard.press("Enter")
    page.get_by_text("अनन्या शर्मा").click()
    page.get_by_role("button", name="Check in", exact=True).click()
    page.wait_for_url("**done=1**")
    assert "CHECKED IN" in page.locator("#verdict").inner_text()
