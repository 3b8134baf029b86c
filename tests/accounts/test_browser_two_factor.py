"""Two-factor sign-in in Chromium, under the site's strict CSP: an owner of a congress that
requires it is sent to set it up (QR code drawn by the server, the key as text), confirms a code
and sees the recovery codes; a later sign-in asks for the code after the password.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import os

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser import screenshot

from .conftest import PASSWORD, code_for, give_two_factor

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def test_an_owner_sets_up_two_factor_when_the_congress_requires_it(
    page, live_server, congress, alice
):
    congress.require_two_factor = True
    congress.save(update_fields=["require_two_factor"])
    client = Client()
    client.force_login(alice)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1000, "height": 800})
    csp_errors = _csp_errors(page)

    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    assert "/accounts/two-factor/set-up/" in page.url
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    screenshot(page, "two-factor-setup.png")

    page.fill("#id_code", code_for(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_load_state()
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{congress.slug}/manage/")
    assert "back office" in page.locator("h1").inner_text()
    assert csp_errors == []


def test_signing_in_asks_for_the_code_after_the_password(page, live_server, congress, alice):
    alice.set_password(PASSWORD)
    alice.save()
    device = give_two_factor(alice)
    page.set_viewport_size({"width": 1000, "height": 700})
    csp_errors = _csp_errors(page)

    page.goto(f"{live_server.url}/accounts/login/?next=/{congress.slug}/manage/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/two-factor/code/" in page.url
    assert page.locator("#id_code").get_attribute("autocomplete") == "one-time-code"
    screenshot(page, "two-factor-sign-in.png")

    page.fill("#id_code", "000000" if code_for(device) != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "That code is not right" in page.locator(".errorlist").inner_text()

    page.fill("#id_code", code_for(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{congress.slug}/manage/")
    assert csp_errors == []
