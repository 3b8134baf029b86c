"""Creating a congress in Chromium as an owner who is not a superuser, then setting it up.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os

import pytest

from events_site.congresses.models import Congress
from tests.browser import screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_owner_creates_a_congress_and_edits_its_settings(page, live_server, congress, alice):
    assert not alice.is_superuser
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("link", name="New congress").click()
    page.fill("#id_name", "Global Summit 2029")
    page.fill("#id_slug", "summit-2029")
    page.fill("#id_start_date", "2029-10-01")
    page.fill("#id_end_date", "2029-10-04")
    page.fill("#id_time_zone", "America/Sao_Paulo")
    page.select_option("#id_currency", "BRL")
    page.check("input[name=languages][value=pt]")
    page.check("input[name=languages][value=en]")
    screenshot(page, "congress-new.png")
    page.get_by_role("button", name="Create the congress").click()
    page.locator(".messages").wait_for()
    created = Congress.objects.get(slug="summit-2029")
    assert created.time_zone == "America/Sao_Paulo" and created.status == "draft"
    page.get_by_role("link", name="Congress settings").first.click()
    page.check("input[name=status][value=published]")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    created.refresh_from_db()
    assert created.status == "published"
    screenshot(page, "congress-settings.png")
