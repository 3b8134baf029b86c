"""In Chromium: an organiser moves a proposal type up with the call page's buttons and writes a
choice question's choices in French (a French reader then picks among the French labels), and
a visitor reaches the public book of abstracts from the programme.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes ``cfp-order.png``, ``cfp-choices.png`` and
``public-abstracts.png``."""

import os
import re

import pytest
from playwright.sync_api import expect

from sessions import services
from sessions.enums import QuestionKind
from sessions.models import CfpQuestion, Proposal, ProposalType
from tests.browser import PHONE, fits_the_phone, screenshot, signed_in

from .cfp_world import make_call, make_proposal
from .test_public_abstracts import _accept, _schedule

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_organiser_orders_the_types_and_translates_the_choices(
    page, live_server, congress, alice
):
    call = make_call(congress)
    ProposalType.objects.create(call=call, name="Workshop", position=1)
    ProposalType.objects.create(call=call, name="Poster", position=2)
    question = CfpQuestion.objects.create(
        call=call, text="Which room?", kind=QuestionKind.CHOICE, choices=["Small", "Large"]
    )
    base = live_server.url
    page = signed_in(page, live_server, alice)

    page.goto(f"{base}/{congress.slug}/manage/calls/{call.slug}/")
    types = page.locator("#parts-type li")
    expect(types.nth(0).get_by_role("button", name="Up")).to_have_count(0)
    types.nth(2).get_by_role("button", name="Up").click()
    expect(page.get_by_text("Moved.")).to_be_visible()
    expect(types.nth(1)).to_contain_text("Poster")
    expect(types.nth(2)).to_contain_text("Workshop")
    expect(types.nth(2).get_by_role("button", name="Down")).to_have_count(0)
    page.locator("#parts-type").scroll_into_view_if_needed()
    screenshot(page, "cfp-order.png")

    page.locator("#parts-question").get_by_role("link", name="Which room?").click()
    expect(page.locator(".translation-missing")).not_to_have_count(0)
    page.fill("#id_question-choices__fr", "Petite salle\nGrande salle")
    page.fill("#id_question-choices__es", "Sala pequeña\nSala grande\nDe más")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#part-form .errorlist")).to_contain_text("Give at most 2 lines")
    screenshot(page, "cfp-choices.png")
    page.fill("#id_question-choices__es", "Sala pequeña\nSala grande")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    # a French reader picks among the French labels; the stable choice is stored
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": base}])
    page.goto(f"{base}/{congress.slug}/calls/{call.slug}/")
    expect(page.locator(f"#id_question_{question.pk}")).to_contain_text("Grande salle")
    options = page.locator("#id_proposal_type option")
    expect(options.nth(2)).to_contain_text("Poster")
    page.fill("#id_proposer_name", "Paulette")
    page.fill("#id_proposer_email", "p@example.org")
    page.select_option(f"#id_question_{question.pk}", label="Grande salle")
    page.locator("#start-proposal button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/proposals/"))
    assert Proposal.objects.get().answers[str(question.pk)] == "Large"


def test_a_visitor_reads_the_book_of_abstracts_from_the_programme(
    page, live_server, congress, alice, hall, track
):
    call = make_call(congress, public_abstracts=True)
    heat = make_proposal(call, title="Heat islands", track=track)
    rivers = make_proposal(call, title="Rivers", names=("ليلى بنعلي", "陈晓明"), country="MA")
    _accept([heat, rivers], by=alice)
    _schedule(heat, by=alice, room=hall, hour=10)
    _schedule(rivers, by=alice, room=hall, hour=11)
    services.publish_schedule(congress=congress, by=alice)
    base = live_server.url

    page.goto(f"{base}/{congress.slug}/schedule/")
    page.get_by_role("link", name="Book of abstracts").click()
    expect(page.locator("h1")).to_have_text("Book of abstracts")
    expect(page.locator("article.abstract")).to_have_count(2)
    expect(page.locator("body")).to_contain_text("陈晓明")
    screenshot(page, "public-abstracts.png")
    page.get_by_role("link", name="Heat islands").click()
    expect(page.locator("h1")).to_contain_text("Heat islands")

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/{congress.slug}/schedule/abstracts/")
    fits_the_phone(page, "the book of abstracts", lang="en")
    response = page.request.get(f"{base}/{congress.slug}/schedule/abstracts.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
