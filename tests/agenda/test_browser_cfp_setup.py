"""An organiser sets up a call in Chromium: writes a proposal type's name in French beside the
main language's (the "missing" marker goes), sees the deletion of a type proposals use refused
with the reason, limits a reviewer to a track, and a French reader sees the French texts on the
public call page. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes ``cfp-part.png``."""

import os

import pytest
from playwright.sync_api import expect

from sessions.models import ReviewerProfile, Track
from tests.badges.test_browser_recovery import _screenshot, _signed_in

from .cfp_world import make_call, make_proposal, make_reviewer

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_organiser_translates_edits_and_limits_a_call(page, live_server, congress, alice):
    climate = Track.objects.create(congress=congress, name="Climate", slug="climate")
    call = make_call(congress, description="Member cities propose sessions.")
    make_proposal(call)
    reviewer = make_reviewer(congress, "rita")
    base = live_server.url
    page = _signed_in(page, live_server, alice)

    page.goto(f"{base}/{congress.slug}/manage/calls/{call.slug}/")
    expect(page.locator("#parts-type")).to_contain_text("missing: es, fr")
    page.locator("#parts-type").get_by_role("link", name="Panel").click()
    expect(page.locator("h1")).to_contain_text("Panel")
    expect(page.locator(".translation-missing")).to_have_count(2)
    page.fill("#id_type-name__fr", "Table ronde")
    page.fill("#id_type-name__es", "Mesa redonda")
    page.fill("#id_type-default_minutes", "2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#part-form .errorlist")).to_be_visible()  # beside the duration
    _screenshot(page, "cfp-part.png")
    page.fill("#id_type-default_minutes", "80")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#parts-type")).to_contain_text("Panel (80′)")
    expect(page.locator("#parts-type")).not_to_contain_text("missing")

    # the type has a proposal: its deletion is refused, with the reason
    page.locator("#parts-type").get_by_role("link", name="Panel").click()
    page.locator("#part-delete").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("1 proposal has this type")).to_be_visible()

    # a reviewer limited to a track
    page.goto(f"{base}/{congress.slug}/manage/calls/{call.slug}/")
    page.select_option("#id_reviewer-reviewer", str(reviewer.pk))
    page.fill("#id_reviewer-organisation", "City of Kyiv")
    page.locator("#reviewer-form").get_by_label("Climate").check()
    page.locator("#reviewer-form").get_by_role("button", name="Save").click()
    expect(page.locator("#reviewers")).to_contain_text("City of Kyiv")
    expect(page.locator("#reviewers")).to_contain_text("Climate")
    profile = ReviewerProfile.objects.get(congress=congress, user=reviewer)
    assert list(profile.tracks.all()) == [climate]

    # a French reader
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": base}])
    page.goto(f"{base}/{congress.slug}/calls/{call.slug}/")
    expect(page.locator("body")).to_contain_text("Table ronde")
    expect(page.locator("#id_proposal_type")).to_contain_text("Table ronde")
