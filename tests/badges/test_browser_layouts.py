"""The badge layout pages in Chromium: an owner creates a layout, previews unsaved colours,
saves, and sees the rendered badge. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the
pictures in the docs."""

import os

import pytest

from badges.models import BadgeLayout
from tests.badges.conftest import make_delegate
from tests.browser import screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _wait_until_loaded(page, selector: str) -> None:
    """Wait for an image (``wait_for_function`` evaluates strings, which the CSP refuses)."""
    for _ in range(100):
        if page.locator(selector).first.evaluate("(img) => img.complete && img.naturalWidth"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} never loaded")


def test_an_owner_designs_a_layout_with_a_preview(page, live_server, congress, alice):
    make_delegate(congress, role="speaker", given_name="محمد", family_name="العبدالله")
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/badges/layouts/")
    page.get_by_role("link", name="New badge layout").click()
    page.fill("#id_name", "Speakers")
    page.select_option("#id_role", "speaker")
    page.fill("#id_label", "SPEAKER")
    page.locator("#id_band_colour").evaluate("(el) => { el.value = '#7a1f5c'; }")
    page.get_by_role("button", name="Preview without saving").click()
    page.locator("#badge-preview").wait_for()
    _wait_until_loaded(page, "#badge-preview")  # shown is not yet decoded: naturalWidth 0
    assert page.evaluate("document.querySelector('#badge-preview').naturalWidth") > 100
    assert not BadgeLayout.objects.filter(name="Speakers").exists()
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    layout = BadgeLayout.objects.get(congress=congress, name="Speakers")
    assert layout.band_colour == "#7a1f5c"
    _wait_until_loaded(page, "#badge-preview")
    screenshot(page, "badge-layout-edit.png")
    page.goto(f"{live_server.url}/{congress.slug}/manage/badges/layouts/")
    _wait_until_loaded(page, ".badge-thumb")
    assert "Role: Speaker" in page.locator("#badge-layouts").inner_text()
    screenshot(page, "badge-layouts.png")
