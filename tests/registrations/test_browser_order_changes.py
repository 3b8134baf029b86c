"""Changing a delegate's type on the order page and saving a filter of the registrations list,
in Chromium, as a registration manager (not a superuser). ``CONVENE_SCREENSHOTS=docs/screenshots``
refreshes the pictures."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import Delegate, Invoice, SavedDelegateFilter
from registrations.payments.enums import InvoiceKind
from registrations.payments.services import payments as payment_services
from registrations.services.orders import place_order
from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory
from tests.registrations.conftest import order_kwargs, person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    assert not user.is_superuser
    return user


def _paid_order(congress, rtype, count=2):
    order = place_order(**order_kwargs(congress, rtype, count, contact_name="Lena Berg"))
    payment_services.record_bank_transfer(
        order=order, amount=order.total, received_on=dt.date(2027, 1, 5), reference="T1"
    )
    return order


def test_a_manager_moves_a_delegate_to_a_cheaper_type_and_sees_the_credit_note(
    page, live_server, congress, manager
):
    standard = RegistrationTypeFactory(
        congress=congress, code="std", name="Standard", regular_price=Decimal("450.00")
    )
    RegistrationTypeFactory(
        congress=congress, code="stu", name="Student", regular_price=Decimal("150.00")
    )
    order = _paid_order(congress, standard)
    delegate = Delegate.objects.filter(order=order).order_by("id").first()
    page = signed_in(page, live_server, manager, width=1200, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/orders/{order.code}/")
    page.locator(f"#delegate-{delegate.pk}").get_by_role("link", name="Change the type").click()
    expect(page.locator("body")).to_contain_text("Change the registration type of")
    page.get_by_label("New registration type").select_option(label="Student (€150.00)")
    page.get_by_label("Reason").fill("Showed a student card at the desk")
    screenshot(page, "manage-order-change-type-form.png")
    page.get_by_role("button", name="Change the type").click()
    expect(page.locator("body")).to_contain_text("is now registered as “Student”")
    note = Invoice.objects.get(order=order, kind=InvoiceKind.CREDIT_NOTE)
    expect(page.locator("body")).to_contain_text(f"Credit note {note.full_number}")
    expect(page.locator("tr.invoice-credit_note")).to_contain_text(note.full_number)
    expect(page.locator("#overpaid")).to_be_visible()
    screenshot(page, "manage-order-change-type.png")


def test_a_manager_adds_a_delegate_and_sees_the_new_invoice(page, live_server, congress, manager):
    standard = RegistrationTypeFactory(
        congress=congress, code="std", name="Standard", regular_price=Decimal("450.00")
    )
    order = _paid_order(congress, standard, count=1)
    page = signed_in(page, live_server, manager, width=1200, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/orders/{order.code}/")
    page.locator("#add-delegate").click()
    expect(page.locator("body")).to_contain_text("Add a delegate to order")
    details = person(5)
    page.get_by_label("Given name").fill("Léa")
    page.get_by_label("Family name").fill("نور")
    page.get_by_label("E-mail").fill(details["email"])
    page.get_by_role("button", name="Add the delegate").click()
    expect(page.locator("body")).to_contain_text("was added to order")
    extra = Invoice.objects.filter(order=order, kind=InvoiceKind.INVOICE).order_by("-id").first()
    expect(page.locator("body")).to_contain_text(f"Invoice {extra.full_number}")
    expect(page.locator("#balance-due")).to_contain_text("450")
    screenshot(page, "manage-order-add-delegate.png")


def test_a_manager_saves_a_filter_and_applies_it_again(page, live_server, congress, manager):
    standard = RegistrationTypeFactory(congress=congress, code="std", name="Standard")
    place_order(**order_kwargs(congress, standard, 2))  # Portugal: Southern Europe
    korean = order_kwargs(congress, standard, 1, email="seoul@city.example")
    korean["delegates"][0].details["country"] = "KR"
    korean["delegates"][0].details["family_name"] = "Kim"
    place_order(**korean)
    page = signed_in(page, live_server, manager, width=1200, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/")
    page.get_by_label("World region").select_option("142")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator(".delegate-count")).to_contain_text("1 delegate")
    page.get_by_label("Name of the filter").fill("Asia")
    page.get_by_label("Share with the team").check()
    page.get_by_role("button", name="Save these filters").click()
    expect(page.locator("body")).to_contain_text("was saved")
    assert "region=142" in SavedDelegateFilter.objects.get().query.split("&")
    page.get_by_role("link", name="Clear").click()
    expect(page.locator(".delegate-count")).to_contain_text("3 delegates")
    page.locator("#saved-filters").get_by_role("link", name="Asia").click()
    expect(page.locator(".delegate-count")).to_contain_text("1 delegate")
    expect(page.locator(".delegate-list")).to_contain_text("Kim")
    screenshot(page, "manage-registrations-saved-filter.png")
