"""Visa letters in Chromium: the delegate asks from their link, the visa officer filters the
queue, approves in bulk and issues the letter, and the embassy's verification page says valid,
then revoked.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from events_site.congresses.enums import Role
from registrations.enums import VisaLetterStatus
from registrations.lifecycle import OrderStatus
from registrations.models import VisaLetterRequest
from registrations.services import visa_letters
from tests.browser import screenshot, signed_in
from tests.factories import DelegateFactory, OrderFactory, TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _signed_in(page, live_server, user):
    return signed_in(page, live_server, user, width=1300, height=900)


def _other_request(congress, name: str, nationality: str, embassy: str):
    delegate = DelegateFactory(order=OrderFactory(congress=congress, status=OrderStatus.PAID))
    return visa_letters.request_visa_letter(
        delegate=delegate,
        consent=True,
        passport_name=name,
        nationality=nationality,
        passport_number="BR7654321",
        passport_issued_on=dt.date(2021, 1, 4),
        passport_expires_on=dt.date(2031, 1, 3),
        birth_date=dt.date(1975, 2, 2),
        birth_place="Recife",
        embassy_city=embassy,
    )


def test_delegate_asks_officer_approves_and_issues_embassy_verifies(page, live_server, congress):
    delegate = DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PENDING_PAYMENT),
        given_name="Aya",
        family_name="Koffi",
    )
    _other_request(congress, "SILVA Ana", "BR", "Brasília")
    page.set_viewport_size({"width": 420, "height": 1100})
    page.goto(f"{live_server.url}/{congress.slug}/documents/{delegate.secret}/")
    page.get_by_label("Name exactly as in the passport").fill("KOFFI Aya Marie")
    page.get_by_label("Nationality").select_option("CI")
    page.get_by_label("Passport number").fill("20AB12345")
    page.get_by_label("Passport issued on").fill("2022-03-01")
    page.get_by_label("Passport expires on").fill("2032-02-28")
    page.get_by_label("Date of birth").fill("1980-06-15")
    page.get_by_label("Place of birth").fill("Bouaké")
    page.get_by_label("City of the embassy or consulate").fill("Abidjan")
    page.get_by_role("button", name="Ask for a visa letter").click()
    expect(page.locator(".errorlist").first).to_contain_text("consent")
    page.get_by_label("I agree that my passport data").check()
    page.get_by_role("button", name="Ask for a visa letter").click()
    expect(page.locator("body")).to_contain_text("Your request was recorded")
    expect(page.locator(".visa-status")).to_contain_text("Requested")
    screenshot(page, "visa-letter-delegate.png")

    officer = UserFactory(username="vera")
    TeamMembershipFactory(congress=congress, user=officer, role=Role.VISA_OFFICER)
    page = _signed_in(page, live_server, officer)
    page.goto(f"{live_server.url}/{congress.slug}/manage/visa-letters/")
    expect(page.locator(".visa-row")).to_have_count(2)
    page.get_by_label("Nationality").select_option("CI")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".visa-row")).to_have_count(1)
    expect(page).to_have_url(
        f"{live_server.url}/{congress.slug}/manage/visa-letters/?q=&status=&nationality=CI&embassy=&paid="
    )
    expect(page.locator(".visa-row")).to_contain_text("20AB12345")
    page.get_by_label("Select KOFFI Aya Marie").check()
    page.get_by_label("With the ticked requests").select_option("approved")
    page.get_by_role("button", name="Apply to the ticked requests").click()
    expect(page.locator("body")).to_contain_text("1 request changed.")
    expect(page.locator(".visa-row .visa-status")).to_have_text("Approved")
    expect(page).to_have_url(
        f"{live_server.url}/{congress.slug}/manage/visa-letters/?q=&status=&nationality=CI&embassy=&paid="
    )
    page.get_by_role("link", name="KOFFI Aya Marie").click()
    expect(page.locator("h1")).to_have_text("KOFFI Aya Marie")
    page.get_by_label("Decision").select_option("issued")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".visa-status")).to_have_text("Issued")
    page.goto(f"{live_server.url}/{congress.slug}/manage/visa-letters/")
    expect(page.locator(".visa-row")).to_have_count(2)
    screenshot(page, "visa-letter-queue.png")

    letter = VisaLetterRequest.objects.get(passport_name="KOFFI Aya Marie")
    page.goto(f"{live_server.url}/v/{letter.token}/")
    expect(page.locator(".verify-valid")).to_contain_text("Valid")
    expect(page.locator(".verify-holder")).to_have_text("KOFFI Aya Marie")
    expect(page.locator(".verify-passport")).to_have_text("••••••345")
    expect(page.locator("body")).not_to_contain_text("20AB12345")
    screenshot(page, "visa-letter-verification.png")

    visa_letters.decide(letter=letter, to=VisaLetterStatus.REVOKED, by=officer, reason="Fraud")
    page.reload()
    expect(page.locator(".verify-invalid")).to_contain_text("Revoked")
    expect(page.locator("body")).not_to_contain_text("Fraud")
