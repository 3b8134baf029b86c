"""Registration types in Chromium: the registration role (not an owner, not a superuser) adds a
type with its price tiers and sales window, sees its seats, and puts it first.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from events_site.congresses.enums import Role
from registrations.lifecycle import OrderStatus
from registrations.models import RegistrationSettings, RegistrationType
from tests.browser import screenshot, signed_in
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_the_registration_role_adds_a_type_and_puts_it_first(page, live_server, congress):
    registrar = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=registrar, role=Role.REGISTRATION)
    RegistrationSettings.objects.create(congress=congress, total_capacity=1200)
    member = RegistrationTypeFactory(
        congress=congress,
        code="member",
        name="Member city",
        capacity=800,
        position=0,
        regular_price=Decimal("450.00"),
    )
    order = OrderFactory(congress=congress, status=OrderStatus.PAID)
    for _n in range(3):
        DelegateFactory(order=order, registration_type=member)

    page = signed_in(page, live_server, registrar)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Registration types").first.click()
    page.get_by_role("link", name="Add a registration type").click()
    expect(page.locator("body")).to_contain_text("Changing a price never changes an existing order")
    page.fill("#id_code", "press")
    page.fill("#id_name", "Press")
    page.fill("#id_capacity", "40")
    page.check("#id_requires_approval")
    page.fill("#id_regular_price", "120.00")
    page.fill("#id_early_bird_price", "90.00")
    page.fill("#id_early_bird_until", "2027-03-31")
    page.fill("#id_sales_start", "2027-01-10T09:00")
    page.fill("#id_sales_end", "2027-01-09T09:00")  # before the start: refused beside the field
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_sales_end_error, .errorlist").first).to_be_visible()
    assert page.input_value("#id_name") == "Press"  # nothing typed was lost
    screenshot(page, "manage-registration-types-form.png")
    page.fill("#id_sales_end", "2027-05-09T18:00")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    page.get_by_role("button", name="Move Press up").click()
    page.locator(".messages").wait_for(state="detached")
    codes = list(RegistrationType.objects.order_by("position").values_list("code", flat=True))
    assert codes == ["press", "member"]
    first = page.locator("table.registration-types tbody tr").first
    assert "Press" in first.inner_text()
    member_row = page.locator(f"#type-{member.pk}")
    assert member_row.locator("td.sold").inner_text() == "3"
    assert member_row.locator("td.left").inner_text() == "797"
    assert "€450.00" in member_row.inner_text()
    assert "Asia/Seoul" in page.content()
    screenshot(page, "manage-registration-types.png")


def test_an_edit_keeps_the_order_and_a_used_type_is_not_deleted(page, live_server, congress):
    registrar = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=registrar, role=Role.REGISTRATION)
    member = RegistrationTypeFactory(
        congress=congress, code="member", name="Member city", regular_price=Decimal("450.00")
    )
    spare = RegistrationTypeFactory(congress=congress, code="observer", name="Observer")
    order = OrderFactory(congress=congress, status=OrderStatus.PAID, total=Decimal("450.00"))
    DelegateFactory(order=order, registration_type=member, price=Decimal("450.00"))

    page = signed_in(page, live_server, registrar)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/types/")
    page.get_by_role("link", name="Member city").click()
    page.fill("#id_regular_price", "500.00")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    assert "€500.00" in page.locator(f"#type-{member.pk}").inner_text()
    order.refresh_from_db()
    assert order.total == Decimal("450.00")

    page.locator(f"#type-{member.pk}").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("cannot be deleted: take it off sale instead")
    assert RegistrationType.objects.filter(pk=member.pk).exists()

    page.locator(f"#type-{spare.pk}").get_by_role("link", name="Delete").click()
    expect(page.locator("body")).to_contain_text("Delete the registration type “Observer”?")
    screenshot(page, "manage-registration-types-delete.png")
    page.get_by_role("button", name="Delete").click()
    page.locator(".messages").wait_for()
    assert not RegistrationType.objects.filter(pk=spare.pk).exists()
    expect(page.locator("tr.registration-type")).to_have_count(1)
