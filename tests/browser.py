"""What the Chromium tests share: signing a persona in, the screenshots for the docs
(``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes them) and the check that a page fits a
390 px phone in its language."""

import os
from pathlib import Path

from django.test import Client
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def signed_in(page, live_server, user, *, width=1200, height=800):
    """``page`` with ``user``'s session cookie, at a desktop size unless told otherwise."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": height})
    return page


def screenshot(page, name: str) -> None:
    folder = os.environ.get("CONVENE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def fits_the_phone(page, where: str, *, lang: str, direction: str | None = None) -> None:
    """The page is in ``lang`` (and ``direction``, when given) and nothing makes it scroll
    sideways: the scroll width is the phone's."""
    assert page.evaluate("document.documentElement.lang") == lang, where
    if direction is not None:
        assert page.evaluate("document.documentElement.dir") == direction, where
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths == [PHONE["width"], PHONE["width"]], f"{where}: scroll width {widths}"


def wait_ready(page, selector: str, *, timeout: float = 20_000) -> None:
    """Wait until the page's own script has set ``data-ready="1"`` on ``selector``, its last
    statement once every listener is attached. Playwright waits for an element to be visible and
    enabled, not for a script to have run: after a link or a form brings a page in, a click, a
    key or typing can reach the page before its deferred script does, and nothing happens."""
    expect(page.locator(selector)).to_have_attribute("data-ready", "1", timeout=timeout)
