"""The call for proposals in Chromium, as the issue tells it: a city submits a three-speaker
session proposal without an account, two speakers confirm through their links, a reviewer
scores it in blind mode, the committee accepts it, the speakers receive the decision, and the
session appears unscheduled in the timetable editor with its speakers.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from sessions.enums import InvitationStatus
from sessions.models import Proposal, ProposalPerson, Session, Track
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

from .cfp_world import make_call, make_reviewer, open_phase

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

PEOPLE = (
    ("moderator", "Amara Okonkwo", "amara@lagos.example"),
    ("speaker", "Björn Lindqvist", "bjorn@malmo.example"),
    ("speaker", "Chen Xiaoming", "chen@chengdu.example"),
)


def test_a_city_proposes_a_session_that_ends_up_in_the_editors_queue(page, live_server, congress):
    Track.objects.create(congress=congress, name="Climate", slug="climate")
    call = make_call(congress, description="Member cities propose sessions.")
    base = live_server.url

    # a city, without an account
    page.goto(f"{base}/{congress.slug}/calls/{call.slug}/")
    page.fill("#id_title", "Cities and heat waves")
    page.fill("#id_abstract", "How three cities keep cool.")
    page.select_option("#id_proposal_type", label="Panel")
    page.select_option("#id_track", label="Climate")
    page.check("#id_languages_0")
    page.fill("#id_organisation", "City of Lagos")
    page.fill("#id_proposer_name", "Paulette Proposer")
    page.fill("#id_proposer_email", "paulette@lagos.example")
    page.get_by_role("button", name="Save the draft").click()
    expect(page).to_have_url(re.compile(r"/proposals/[-\w]{43}/$"))
    for role, name, email in PEOPLE:
        page.select_option("#add-person #id_role", role)
        page.fill("#add-person #id_name", name)
        page.fill("#add-person #id_email", email)
        page.get_by_role("button", name="Add this person").click()
        expect(page.locator("#people")).to_contain_text(name)
    screenshot(page, "cfp-proposal.png")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.locator("#proposal-status")).to_have_text("Submitted")
    invited = {m.to[0] for m in mail.outbox}
    assert {email for _r, _n, email in PEOPLE} <= invited

    # two speakers confirm through their own links
    for _role, _name, email in PEOPLE[1:]:
        person = ProposalPerson.objects.get(email=email)
        page.goto(f"{base}/{congress.slug}/speaking/{person.secret}/")
        page.get_by_role("button", name="I confirm").click()
        expect(page.locator("#invitation-status")).to_have_text("Confirmed")

    # a reviewer scores it in blind mode: no name on the page
    open_phase(call, blind=True)
    reviewer = make_reviewer(congress, "rita")
    page.context.clear_cookies()
    page = signed_in(page, live_server, reviewer)
    page.goto(f"{base}/{congress.slug}/manage/review/{call.slug}/")
    page.get_by_role("link", name="Review the next proposal").click()
    expect(page.locator("h1")).to_have_text("Cities and heat waves")
    html = page.content()
    for _role, name, _email in PEOPLE:
        assert name not in html
    assert "Paulette Proposer" not in html and "City of Lagos" not in html
    for field in page.locator("#review-form input[type=number]").all():
        field.fill("4")
    screenshot(page, "cfp-review.png")
    page.get_by_role("button", name="Save and next").click()
    expect(page.locator(".messages")).to_contain_text("Nothing left to review")

    # the committee accepts it and sends the decision
    pia = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=pia, role="programme")
    page.context.clear_cookies()
    page = signed_in(page, live_server, pia)
    page.goto(f"{base}/{congress.slug}/manage/calls/{call.slug}/committee/")
    proposal = Proposal.objects.get()
    row = page.locator(f"#proposal-{proposal.code}")
    row.locator("select[name=outcome]").select_option("accept")
    row.get_by_role("button", name="Hold").click()
    expect(page.locator("#pending-count")).to_have_text("1 decision pending")
    screenshot(page, "cfp-committee.png")
    sent_before = len(mail.outbox)
    page.get_by_role("button", name="Send the pending decisions").click()
    expect(page.locator(".messages")).to_contain_text("1 decisions sent")
    decided = {m.to[0] for m in mail.outbox[sent_before:]}
    assert {email for _r, _n, email in PEOPLE} <= decided
    confirmed = ProposalPerson.objects.filter(status=InvitationStatus.CONFIRMED)
    assert all(person.voucher_id is None for person in confirmed)  # no speaker type set

    # the session waits in the editor's queue with its speakers
    session = Session.objects.get(unscheduled=True)
    page.goto(f"{base}/{congress.slug}/manage/agenda/editor/")
    card = page.locator(f"#session-{session.code}")
    expect(card).to_contain_text("Cities and heat waves")
    expect(card).to_contain_text("Björn Lindqvist")
    page.goto(f"{base}/{congress.slug}/manage/calls/{call.slug}/")
    expect(page.locator("#proposals")).to_contain_text("Accepted")
    screenshot(page, "cfp-call.png")
