"""A speaker's own link in Chromium: they give a time they cannot speak (in the congress's
zone, refused outside the congress), and once accepted upload their slides, which the public
session page then offers as a download, and remove them; a speaker who had paid as a delegate
accepts the refund their call offers, another the change to the speaker type.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import Refund
from sessions.enums import PaidSpeakerPolicy, ProposalStatus
from tests.badges.test_browser_recovery import _screenshot
from tests.browser import screenshot

from .cfp_world import accept_and_publish, make_call, make_proposal
from .test_cfp_paid_speaker_offer import paid_order
from .test_cfp_slides import PDF

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_a_speaker_gives_a_time_and_uploads_slides_shown_on_the_session_page(
    page, live_server, congress, alice, hall
):
    proposal = make_proposal(make_call(congress), title="Cities and heat waves")
    person = proposal.people.order_by("position")[1]
    link = f"{live_server.url}/{congress.slug}/speaking/{person.secret}/"

    page.goto(link)
    expect(page.locator("#unavailability")).to_contain_text("Asia/Seoul")
    page.fill("#id_gap-starts_at", "2027-05-20T09:00")
    page.fill("#id_gap-ends_at", "2027-05-20T10:00")
    page.get_by_role("button", name="Add this unavailable time").click()
    expect(page.locator("#unavailability-form")).to_contain_text("during the congress")
    page.fill("#id_gap-starts_at", "2027-05-11T09:00")
    page.fill("#id_gap-ends_at", "2027-05-11T12:30")
    page.fill("#id_gap-note", "Train from Busan")
    page.get_by_role("button", name="Add this unavailable time").click()
    expect(page.locator("#unavailability-list")).to_contain_text("09:00")
    expect(page.locator("#unavailability-list")).to_contain_text("Train from Busan")
    expect(page.locator("#slides-form")).to_have_count(0)

    session = accept_and_publish(proposal, by=alice, room=hall)

    page.goto(link)
    page.set_input_files(
        "#id_slides-file",
        files=[{"name": "talk.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.fill("#id_slides-title", "Heat maps of three cities")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#slides-list")).to_contain_text("Heat maps of three cities")
    expect(page.locator("#slides-list")).to_contain_text("Before the session")
    _screenshot(page, "cfp-speaker.png")

    page.goto(f"{live_server.url}/{congress.slug}/schedule/sessions/{session.code}/")
    slides_link = page.locator("#session-slides a")
    expect(slides_link).to_have_text("Heat maps of three cities")
    with page.expect_download() as download:
        slides_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(link)
    page.locator("#slides-list").get_by_role("button", name="Remove").click()
    expect(page.locator("#slides-list")).to_contain_text("No slides yet.")


def test_a_speaker_who_paid_is_offered_the_refund_and_accepts_it(
    page, live_server, congress, alice
):
    call = make_call(congress, paid_speaker_policy=PaidSpeakerPolicy.REFUND)
    proposal = make_proposal(call, status=ProposalStatus.ACCEPTED, names=("Amara Okonkwo",))
    person = proposal.people.get()
    order, _delegate = paid_order(congress, person.email, alice)
    page.goto(f"{live_server.url}/{congress.slug}/speaking/{person.secret}/")
    offer = page.locator(f"#paid-offer-{order.code}")
    expect(offer).to_contain_text(order.code)
    expect(offer).to_contain_text("full refund of €450.00")
    screenshot(page, "cfp-speaker-refund.png")
    page.get_by_role("button", name="Cancel it and refund €450.00").click()
    expect(page.locator("body")).to_contain_text("The refund of your registration is requested.")
    expect(offer).to_have_attribute("data-state", "refunded")
    expect(page.get_by_role("button", name="Cancel it and refund €450.00")).to_have_count(0)
    assert Refund.objects.get().amount == Decimal("450.00")


def test_a_speaker_who_paid_accepts_the_change_to_the_speaker_type(
    page, live_server, congress, alice
):
    """The change policy: the paid registration becomes the call's speaker type (€100.00) and
    the difference of €350.00 is refunded, once."""
    from registrations.models import Delegate
    from tests.factories import RegistrationTypeFactory

    speaker_type = RegistrationTypeFactory(
        congress=congress, name="Speaker", capacity=5, regular_price=Decimal("100.00")
    )
    call = make_call(
        congress,
        paid_speaker_policy=PaidSpeakerPolicy.CHANGE,
        speaker_registration_type=speaker_type,
    )
    proposal = make_proposal(call, status=ProposalStatus.ACCEPTED, names=("Amara Okonkwo",))
    person = proposal.people.get()
    order, delegate = paid_order(congress, person.email, alice)
    page.goto(f"{live_server.url}/{congress.slug}/speaking/{person.secret}/")
    offer = page.locator(f"#paid-offer-{order.code}")
    expect(offer).to_contain_text("“Speaker”")
    expect(offer).to_contain_text("€350.00")
    page.get_by_role("button", name="Change it to “Speaker” and refund €350.00").click()
    expect(page.locator("body")).to_contain_text("Your registration is now “Speaker”")
    expect(offer).to_have_attribute("data-state", "changed")
    expect(offer.get_by_role("button")).to_have_count(0)
    assert Refund.objects.get().amount == Decimal("350.00")
    assert Delegate.objects.get(pk=delegate.pk).registration_type_id == speaker_type.pk
