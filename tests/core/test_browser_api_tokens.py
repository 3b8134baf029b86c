"""The API tokens page in Chromium: a team member creates a token, sees it once, and a
scanner app can use it at once; the list shows it by its prefix, then an owner revokes it.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the picture in the docs."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events_site.congresses import api_tokens
from events_site.congresses.models import ApiToken
from tests.browser import screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_owner_creates_a_scanner_token_sees_it_once_and_revokes_it(
    page, live_server, congress, alice, bob
):
    soon = timezone.now() + dt.timedelta(days=90)
    api_tokens.create_token(congress=congress, by=bob, name="Bob's phone", role="checkin")
    old = api_tokens.create_token(
        congress=congress,
        by=alice,
        name="Badge printer script",
        role="registration",
        expires_at=soon,
    )
    api_tokens.revoke_token(token=old.token, by=alice)
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("link", name="Create a token").click()
    page.get_by_label("Name").fill("Scanner app, desk 2 ‹main hall›")
    page.get_by_label("Role").select_option("checkin")
    page.get_by_role("button", name="Create the token").click()
    key = page.locator("#api-token-key").input_value()
    assert key.startswith("cvn_")
    token = ApiToken.objects.get(name__startswith="Scanner app")
    assert token.role == "checkin" and token.user == alice

    scanner = APIClient()
    scanner.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    search = scanner.get(f"/api/v1/congresses/{congress.slug}/checkin/search/", {"q": "a"})
    assert search.status_code == 200

    page.get_by_role("link", name="Back to the tokens").click()
    table = page.locator("#api-tokens")
    assert token.prefix in table.inner_text() and key not in page.content()
    assert "Scanner app, desk 2 ‹main hall›" in table.inner_text()
    screenshot(page, "api-tokens.png")

    table.get_by_role("row", name=token.prefix).get_by_role("link", name="Revoke").click()
    page.get_by_role("button", name="Revoke the token").click()
    page.locator("#api-tokens").wait_for()
    row = page.locator("#api-tokens").get_by_role("row", name=token.prefix)
    assert "Revoked" in row.inner_text()
    refused = scanner.get(f"/api/v1/congresses/{congress.slug}/checkin/search/", {"q": "a"})
    assert refused.status_code == 401
