"""The visa focal point in Chromium: the organiser names the focal point of a member
organisation, the focal point opens their link, approves one request of their delegation, and
the visa officer's queue shows the other still awaiting the focal point.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from events_site.congresses.enums import Role
from registrations.enums import VisaLetterStatus
from registrations.lifecycle import OrderStatus
from registrations.models import DocumentSettings, MemberOrganisation, VisaFocalPoint
from registrations.services import visa_letters
from tests.browser import PHONE, fits_the_phone, screenshot, signed_in
from tests.factories import DelegateFactory, OrderFactory, TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _request(congress, given: str, family: str, number: str):
    delegate = DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PAID),
        given_name=given,
        family_name=family,
        organisation_name="Ville de Dakar",
    )
    return visa_letters.request_visa_letter(
        delegate=delegate,
        consent=True,
        passport_name=f"{family.upper()} {given}",
        nationality="SN",
        passport_number=number,
        passport_issued_on=dt.date(2021, 1, 4),
        passport_expires_on=dt.date(2031, 1, 3),
        birth_date=dt.date(1975, 2, 2),
        birth_place="Thiès",
        embassy_city="Dakar",
    )


def test_organiser_names_the_focal_point_who_approves_one_request(
    page, live_server, congress, alice
):
    DocumentSettings.objects.create(
        congress=congress, focal_points_approve=True, approve_public_bodies_when_paid=False
    )
    organisation = MemberOrganisation.objects.create(congress=congress, name="Ville de Dakar")
    signed_in(page, live_server, alice, width=1300, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/members/")
    page.get_by_role("link", name="none – Ville de Dakar").click()
    page.get_by_label("Focal point's name").fill("Awa Ndiaye")
    page.get_by_label("Focal point's e-mail").fill("awa@dakar.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Visa focal point saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
    screenshot(page, "visa-focal-point-organiser.png")

    first = _request(congress, "Mariama", "Sow", "SN4455667")
    second = _request(congress, "Ousmane", "Fall", "SN9988776")
    focal = VisaFocalPoint.objects.get(member_organisation=organisation)

    other = page.context.browser.new_page()
    other.set_viewport_size(PHONE)
    other.goto(f"{live_server.url}/{congress.slug}/visa-focal-point/{focal.secret}/")
    expect(other.locator(".focal-point-request")).to_have_count(2)
    expect(other.get_by_text("SN4455667")).to_have_count(0)
    expect(other.get_by_text("••••••667")).to_be_visible()
    fits_the_phone(other, "the focal point's page", lang="en")
    other.get_by_label("Select Mariama Sow").check()
    other.get_by_label("With the ticked requests").select_option("approved")
    other.get_by_role("button", name="Apply to the ticked requests").click()
    expect(other.get_by_text("1 request decided.")).to_be_visible()
    expect(other.locator(".focal-point-request")).to_have_count(1)
    screenshot(other, "visa-focal-point.png")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == VisaLetterStatus.APPROVED
    assert second.status == VisaLetterStatus.REQUESTED

    officer = UserFactory(username="vera")
    TeamMembershipFactory(congress=congress, user=officer, role=Role.VISA_OFFICER)
    queue = page.context.browser.new_context().new_page()
    signed_in(queue, live_server, officer, width=1300, height=900)
    queue.goto(f"{live_server.url}/{congress.slug}/manage/visa-letters/?status=requested")
    expect(queue.get_by_text("awaiting focal point Ville de Dakar")).to_be_visible()
