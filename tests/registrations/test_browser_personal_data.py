"""Personal data in Chromium: the delegate downloads their data and asks for erasure from their
own link; the organiser sees the request with its deadline and carries it out.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from registrations.models import RetentionPolicy
from tests.browser import screenshot, signed_in
from tests.registrations.personal_data_setup import two_delegate_order

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _signed_in(page, live_server, user):
    return signed_in(page, live_server, user, width=1200, height=900)


def test_the_delegate_downloads_then_asks_and_the_organiser_erases(
    page, live_server, congress, alice
):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    RetentionPolicy.objects.create(congress=congress, identity_documents_days=30)
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto(f"{live_server.url}/{congress.slug}/my-data/{ana.secret}/")
    with page.expect_download() as download_info:
        page.locator("#download-link").click()
    download = download_info.value
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["person"]["family_name"] == "Silva"
    assert download.suggested_filename.endswith(".json")

    page.locator("#erase-link").click()
    page.get_by_role("button", name="Ask for erasure").click()
    expect(page.locator("body")).to_contain_text("Tick the box")  # the confirm step
    page.get_by_label("Yes, erase these personal data").check()
    page.get_by_role("button", name="Ask for erasure").click()
    expect(page.locator("body")).to_contain_text("Your request was recorded")
    screenshot(page, "personal-data-delegate.png")

    page = _signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/personal-data/")
    row = page.locator(".erasure-request")
    assert row.count() == 1 and "Silva" in row.inner_text()
    assert "would have passport and ID document numbers erased on" in page.content()
    screenshot(page, "personal-data.png")
    row.get_by_role("link", name="Carry out").click()
    page.get_by_label("Yes, erase these personal data").check()
    page.get_by_role("button", name="Erase").click()
    expect(page.locator("body")).to_contain_text("were erased")
    expect(page.locator(".erasure-request")).to_have_count(0)
    ana.refresh_from_db()
    assert ana.erased_at is not None
