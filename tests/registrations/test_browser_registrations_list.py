"""The registrations list in Chromium: a registration manager (not a superuser) searches a
name without its accent, narrows by country, adds a column and downloads what is shown.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes ``registrations.png``."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory

from .test_registrations_list import bulk_delegates, delegate

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_a_registration_manager_finds_and_exports_delegates(page, live_server, congress):
    manager = UserFactory(username="reg-manager")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    assert not manager.is_superuser
    member = RegistrationTypeFactory(congress=congress, code="member", name="Member")
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press", position=2)
    bulk_delegates(congress, member, 120)
    for given, family, city, country in (
        ("Amélie", "Lefèvre", "Lyon", "FR"),
        ("Jürgen", "Müller", "Zürich", "CH"),
        ("Марія", "Коваленко", "Київ", "UA"),
        ("美咲", "山田", "東京", "JP"),
    ):
        delegate(
            congress,
            press,
            given_name=given,
            family_name=family,
            city=city,
            country=country,
            organisation_name="Ville de Lyon" if city == "Lyon" else "Press club",
        )
    page = signed_in(page, live_server, manager, width=1280, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/")
    assert "124 delegates" in page.locator(".delegate-count").inner_text()
    page.fill("#id_q", "lefevre")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("tr.delegate-row")).to_have_count(1)
    assert "Lefèvre" in page.locator("tr.delegate-row").inner_text()
    page.fill("#id_q", "")
    page.select_option("#id_type", "press")
    page.select_option("#id_sort", "-name")
    page.get_by_label("City", exact=True).check()
    page.get_by_role("button", name="Filter", exact=True).click()
    rows = page.locator("tr.delegate-row")
    expect(rows).to_have_count(4)
    assert "山田" in rows.first.inner_text()  # reversed name order: CJK sorts last
    assert "Київ" in page.locator("td.col-city").all_inner_texts()
    assert "type=press" in page.url and "col=city" in page.url
    export = page.get_by_role("link", name="CSV")
    assert "type=press" in export.get_attribute("href")
    screenshot(page, "registrations.png")
