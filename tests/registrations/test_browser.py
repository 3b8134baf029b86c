"""The delegate journey in headless Chromium: type, a delegation of three, a voucher, confirm."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.enums import OrderStatus
from registrations.models import Order, Voucher
from tests.factories import RegistrationTypeFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_delegate(page, index: int, given: str, family: str, email: str):
    page.fill(f"[name='delegates-{index}-given_name']", given)
    page.fill(f"[name='delegates-{index}-family_name']", family)
    page.fill(f"[name='delegates-{index}-email']", email)
    page.select_option(f"[name='delegates-{index}-country']", "KR")


def test_a_delegation_of_three_registers_with_a_voucher(page, live_server):
    from tests.factories import CongressFactory

    congress = CongressFactory(slug="wcg-2027", name="World Congress 2027")
    RegistrationTypeFactory(
        congress=congress, code="member", name="Member city", regular_price=Decimal("400.00")
    )
    Voucher.objects.create(congress=congress, code="SISTER", kind="percentage", value=25)

    page.goto(f"{live_server.url}/wcg-2027/register/")
    page.get_by_label("Member city").check()
    page.fill("[name='delegates']", "1")
    page.get_by_role("button", name="Continue").click()

    # The page starts with one delegate; JavaScript adds two more without a reload.
    page.get_by_role("button", name="Add another delegate").click()
    page.get_by_role("button", name="Add another delegate").click()
    expect(page.locator("[data-delegate-form]:visible")).to_have_count(3)

    page.fill("[name='contact_name']", "Kim Ji-woo")
    page.fill("[name='email']", "focal.point@daejeon.example")
    page.fill("[name='voucher']", "sister")
    fill_delegate(page, 0, "지우", "김", "jiwoo@daejeon.example")
    fill_delegate(page, 1, "Amélie", "Dubois", "amelie@daejeon.example")
    fill_delegate(page, 2, "Арсений", "Смирнов", "arseny@daejeon.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#summary-total")).to_have_text("€900.00")
    page.get_by_label("I have read the terms above").check()
    page.get_by_role("button", name="Confirm registration").click()

    page.wait_for_url("**/orders/**")
    assert page.locator(".order-status").get_attribute("data-status") == "pending_payment"
    assert page.locator("#order-total").inner_text() == "€900.00"
    expect(page.locator(".delegate-row")).to_have_count(3)
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert sorted(order.delegates.values_list("family_name", flat=True)) == [
        "Dubois",
        "Смирнов",
        "김",
    ]


def test_errors_appear_next_to_the_fields_in_the_browser(page, live_server):
    from tests.factories import CongressFactory

    congress = CongressFactory(slug="wcg-2027")
    RegistrationTypeFactory(congress=congress, code="member", name="Member city")
    page.goto(f"{live_server.url}/wcg-2027/register/details/?registration_type=member&delegates=1")
    page.fill("[name='contact_name']", "Kim")
    page.fill("[name='email']", "not-an-email")
    page.get_by_role("button", name="Continue").click()
    email_field = page.locator(".field-email").first
    expect(email_field).to_contain_text("valid email")  # the answer page, once it is in
    assert Order.objects.count() == 0
