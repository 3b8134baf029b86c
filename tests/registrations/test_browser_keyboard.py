"""Registration with the keyboard alone (#17): every control is reached with Tab, shows where the
focus is, and the order is placed through the summary step with Space and Enter."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import Order
from tests.factories import CongressFactory, RegistrationTypeFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, locator, *, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus (fails if the keyboard cannot reach it), and
    check the focus is drawn."""
    for _ in range(limit):
        if locator.evaluate("e => e === document.activeElement"):
            style = locator.evaluate("e => getComputedStyle(e).outlineStyle")
            assert style not in ("none", ""), "the focused control shows no outline"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} is not reachable with Tab")


def test_a_delegate_registers_with_the_keyboard_alone(page, live_server):
    congress = CongressFactory(slug="wcg-2027", name="World Congress 2027")
    RegistrationTypeFactory(
        congress=congress, code="member", name="Member city", regular_price=Decimal("400.00")
    )
    page.goto(f"{live_server.url}/wcg-2027/register/")
    tab_to(page, page.get_by_label("Member city"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page.locator("#registration-form")).to_be_visible()
    for name, text in [
        ("contact_name", "Amara Okafor"),
        ("email", "amara@lagos.example"),
        ("delegates-0-given_name", "Amara"),
        ("delegates-0-family_name", "Okafor"),
    ]:
        tab_to(page, page.locator(f"[name='{name}']"))
        page.keyboard.type(text)
    tab_to(page, page.locator("[name='delegates-0-country']"))
    page.keyboard.type("Nigeria")  # a select takes the typed name
    tab_to(page, page.locator("#review-registration"))
    page.keyboard.press("Enter")

    expect(page.locator("#summary-total")).to_have_text("€400.00")
    tab_to(page, page.locator("#consent"))
    page.keyboard.press("Space")
    tab_to(page, page.locator("#confirm-registration"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/orders/**")
    order = Order.objects.get()
    assert order.delegates.get().country.code == "NG"
    assert order.delegates.get().email == "amara@lagos.example"  # the contact's, none typed


def test_a_missing_field_is_announced_when_submitted_with_the_keyboard(page, live_server):
    congress = CongressFactory(slug="wcg-2027")
    RegistrationTypeFactory(congress=congress, code="member", name="Member city")
    page.goto(f"{live_server.url}/wcg-2027/register/details/?registration_type=member&delegates=1")
    tab_to(page, page.locator("#review-registration"))
    page.keyboard.press("Enter")
    alert = page.locator("#form-errors")
    expect(alert).to_be_visible()
    assert alert.get_attribute("role") == "alert"  # read out by screen readers
    assert Order.objects.count() == 0
