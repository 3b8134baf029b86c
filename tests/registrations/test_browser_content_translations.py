"""A registration type written in two languages in Chromium: the organiser sees which language
is missing, fills it in (plain inputs, no JavaScript needed), and a French visitor reads it.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import RegistrationSettings, RegistrationType
from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_organiser_writes_a_type_in_french_and_a_french_visitor_reads_it(
    page, live_server, congress, alice
):
    RegistrationSettings.objects.create(congress=congress, total_capacity=1200)
    member = RegistrationTypeFactory(
        congress=congress,
        code="member",
        name="Member city",
        description="Local governments on the member list",
        regular_price=Decimal("450.00"),
    )
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/types/{member.pk}/")
    french = page.locator("#id_name__fr")
    expect(french).to_have_attribute("lang", "fr")
    expect(page.locator(".translation-missing")).to_have_count(4)  # name and description, fr, es
    french.fill("Ville membre")
    page.fill("#id_description__fr", "Collectivités inscrites sur la liste des membres")
    screenshot(page, "registration-type-translations.png")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Registration type saved.")
    member.refresh_from_db()
    assert member.translated("name", "fr") == "Ville membre"

    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/types/{member.pk}/")
    expect(page.locator(".translation-missing")).to_have_count(2)  # Spanish only
    expect(page.locator("#id_name__fr")).to_have_value("Ville membre")

    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"{live_server.url}/{congress.slug}/register/")
    expect(page.locator("body")).to_contain_text("Ville membre")
    expect(page.locator("body")).not_to_contain_text("Member city")
    assert RegistrationType.objects.get(pk=member.pk).name == "Member city"
