"""The member list in Chromium: a registration manager (not a superuser) finds the list from
the organiser area, searches it, uploads a CSV, reads the preview and confirms it.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os

import pytest
from playwright.sync_api import expect

from registrations.models import MemberOrganisation
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

LISTED = [
    ("City of Lisbon", "PT", "M-0001"),
    ("Ville de Montréal", "CA", "M-0002"),
    ("Comune di Roma", "IT", "M-0003"),
    ("東京都", "JP", "M-0004"),
    ("مدينة الرياض", "SA", "M-0005"),
    ("Gemeente Utrecht", "NL", "M-0006"),
]
CSV = (
    "name;country;reference\n"
    "City of Lisbon;PT;M-0001\n"
    "VILLE DE MONTREAL;CA;M-0102\n"
    "東京都;JP;M-0004\n"
    "مدينة الرياض;SA;M-0005\n"
    "Gemeente Utrecht;NL;M-0006\n"
    "Ciudad de México;MX;M-0007\n"
    "서울특별시;KR;M-0008\n"
)


def test_a_registration_manager_previews_and_confirms_a_member_import(page, live_server, congress):
    manager = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    for name, country, reference in LISTED:
        MemberOrganisation.objects.create(
            congress=congress, name=name, country=country, reference=reference
        )
    page = signed_in(page, live_server, manager)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Member organisations").first.click()
    expect(page.locator("table.members tbody tr")).to_have_count(6)
    screenshot(page, "manage-members.png")
    page.fill("#id_q", "montreal")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table.members tbody tr")).to_have_count(1)
    assert "Ville de Montréal" in page.locator("table.members").inner_text()

    page.get_by_role("link", name="Import a CSV file").click()
    page.set_input_files(
        "#id_file",
        {"name": "members.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")},
    )
    page.check("#id_replace")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator(".import-counts")).to_contain_text("2 organisations to add")
    counts = page.locator(".import-counts").inner_text()
    assert "2 organisations to add" in counts and "1 organisation to update" in counts
    assert "1 organisation to remove" in counts
    assert "M-0002" in page.locator("table.import-updated").inner_text()
    assert "Comune di Roma" in page.locator("table.import-removed").inner_text()
    assert MemberOrganisation.objects.count() == 6  # nothing applied yet
    screenshot(page, "manage-members-import-preview.png")

    page.get_by_role("button", name="Import these changes").click()
    expect(page.locator(".messages")).to_contain_text("2 added, 1 updated, 4 unchanged, 1 removed.")
    names = set(MemberOrganisation.objects.values_list("name", flat=True))
    assert "Comune di Roma" not in names and {"Ciudad de México", "서울특별시"} <= names
    assert MemberOrganisation.objects.get(name="VILLE DE MONTREAL").reference == "M-0102"
