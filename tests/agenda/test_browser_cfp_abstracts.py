"""An organiser opens the book of abstracts from the call's page in Chromium, sees the accepted
proposals by track with an Arabic name and escaped markup, and downloads the PDF.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes ``cfp-abstracts.png``."""

import os

import pytest
from playwright.sync_api import expect

from sessions.enums import ProposalStatus
from sessions.models import Track
from tests.badges.test_browser_recovery import _screenshot, _signed_in

from .cfp_world import make_call, make_proposal

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_organiser_reads_and_downloads_the_book_of_abstracts(page, live_server, congress, alice):
    climate = Track.objects.create(congress=congress, name="Climate", slug="climate")
    water = Track.objects.create(congress=congress, name="Water", slug="water", position=1)
    call = make_call(congress)
    make_proposal(call, status=ProposalStatus.ACCEPTED, title="Heat islands", track=climate)
    make_proposal(
        call,
        status=ProposalStatus.ACCEPTED,
        title="Rivers <b>bold</b>",
        track=water,
        organisation="مدينة الرباط",
        country="MA",
        names=("ليلى بنعلي", "陈晓明"),
    )
    make_proposal(call, status=ProposalStatus.REJECTED, title="Rejected idea", track=water)
    base = live_server.url
    page = _signed_in(page, live_server, alice)

    page.goto(f"{base}/{congress.slug}/manage/calls/{call.slug}/")
    page.get_by_role("link", name="Book of abstracts").click()
    expect(page.locator("h1")).to_contain_text("Book of abstracts")
    expect(page.locator(".abstracts-track h2")).to_have_text(["Climate", "Water"])
    expect(page.locator(".abstract h3").nth(1)).to_have_text("Rivers <b>bold</b>")
    expect(page.locator(".abstract").nth(1)).to_contain_text("ليلى بنعلي")
    expect(page.locator("body")).not_to_contain_text("Rejected idea")
    _screenshot(page, "cfp-abstracts.png")
    response = page.request.get(base + page.locator("#abstracts-pdf").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
