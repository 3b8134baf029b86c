"""Sign-in activity in Chromium: an organiser signs in on the real page, sees this browser and
another one, and signs the other one out.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the picture in the docs."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events_site.congresses.models import AuditEntry
from events_site.congresses.sign_in_history import SIGN_IN_FAILED

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def _sign_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")


def test_an_organiser_sees_their_browsers_and_signs_the_other_one_out(browser, live_server, alice):
    phone = browser.new_context(
        user_agent=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
        )
    ).new_page()
    _sign_in(phone, live_server, "alice")
    assert phone.url.endswith("/manage/")

    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    _sign_in(page, live_server, "alice", "not-the-password")
    _sign_in(page, live_server, "alice")
    page.click("text=Sign-in activity")
    page.wait_for_url("**/accounts/activity/")
    rows = page.locator("#sessions-heading + .table-scroll tbody tr")
    expect(rows).to_have_count(2)
    assert "this browser" in rows.filter(has_text="Chrome").inner_text()
    assert "Mobile Safari" in page.content()
    expect(page.locator("tr.failed")).to_have_count(1)
    assert AuditEntry.objects.filter(actor=alice, action=SIGN_IN_FAILED).count() == 1
    folder = os.environ.get("CONVENE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "sign-in-activity.png"), full_page=True)

    page.click("button[value=others]")
    expect(page.locator("body")).to_contain_text("1 other browser was signed out.")
    expect(page.locator("#sessions-heading + .table-scroll tbody tr")).to_have_count(1)
    phone.goto(f"{live_server.url}/manage/")
    assert "/accounts/login/" in phone.url
    page.goto(f"{live_server.url}/manage/")
    assert page.url.endswith("/manage/")
