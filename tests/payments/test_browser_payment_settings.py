"""The payment settings page in Chromium: a finance team member sees whether card payment is
configured, is told a mistyped IBAN is wrong beside the field, then saves the bank account and
switches card payment off. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os

import pytest

from registrations.models import BillingSettings, RegistrationSettings
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_finance_saves_the_bank_account_and_switches_card_payment_off(
    page, live_server, congress, stripe_off
):
    fiona = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=fiona, role="finance")
    page = signed_in(page, live_server, fiona, height=1000)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Payment settings").first.click()
    body = page.locator("body")
    assert "Card payment is not configured on this server" in body.inner_text()
    assert "STRIPE_SECRET_KEY" in body.inner_text()
    page.fill("#id_seller_name", "World Association of Cities")
    page.fill("#id_iban", "ES91 2100 0418 4502 0005 1333")
    page.get_by_role("button", name="Save").click()
    page.locator("#id_iban_error, .errorlist").first.wait_for()
    assert "not a valid IBAN" in body.inner_text()
    page.fill("#id_iban", "ES91 2100 0418 4502 0005 1332")
    page.fill("#id_bic", "CAIXESBBXXX")
    page.uncheck("#id_accept_card")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    assert BillingSettings.objects.get(congress=congress).iban == "ES9121000418450200051332"
    assert RegistrationSettings.objects.get(congress=congress).accept_card is False
    assert not page.locator("#id_accept_card").is_checked()
    screenshot(page, "manage-payment-settings.png")
