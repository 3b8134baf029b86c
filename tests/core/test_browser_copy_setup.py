"""Copying an earlier congress's set-up in Chromium: an owner (not a superuser) opens the draft's
"Copy a set-up" page from the back office, chooses the earlier congress and the parts, and reads
what was copied. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os

import pytest

from badges.models import BadgeLayout
from events_site.congresses.models import Room
from registrations.models import MemberOrganisation, Question, RegistrationType
from tests.browser import screenshot, signed_in
from tests.core.test_setup_copy import _set_up, make_draft

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def draft(congress, alice):
    return make_draft(congress, alice)


def test_an_owner_copies_last_years_set_up_into_a_draft(page, live_server, congress, alice, draft):
    assert not alice.is_superuser
    _set_up(congress)
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{draft.slug}/manage/")
    page.get_by_role("link", name="Copy a set-up").first.click()
    page.select_option("#id_source", str(congress.pk))
    assert page.is_checked("input[name=parts][value=registration_types]")
    assert not page.is_checked("input[name=parts][value=member_organisations]")
    page.get_by_role("button", name="Copy the set-up").click()
    page.locator(".messages").wait_for()
    summary = page.locator(".copy-summary").inner_text()
    assert "Registration types: 3" in summary and "Dates were moved by 364 days." in summary
    assert RegistrationType.objects.filter(congress=draft).count() == 3
    assert Question.objects.filter(congress=draft).count() == 4
    assert BadgeLayout.objects.filter(congress=draft).count() == 3
    assert Room.objects.filter(venue__congress=draft).count() == 3
    assert not MemberOrganisation.objects.filter(congress=draft).exists()
    # Every part is there now but the member organisations and the parts the source lacks.
    enabled = page.locator("input[name=parts]:not([disabled])")
    left = {box.get_attribute("value") for box in enabled.all()}
    # (the source has no formats, tags or document settings)
    assert left == {"member_organisations", "formats", "tags", "document_settings"}
    screenshot(page, "manage-copy-setup.png")
