"""Breaks, publishing and the speakers picker in Chromium, as a programme organiser: add a break
to all rooms, copy it to another day, publish and see the changelog on the public page; pick a
speaker by typing. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from sessions import services
from sessions.enums import SessionStatus
from sessions.models import Break, SessionSpeaker
from tests.browser import screenshot, signed_in
from tests.factories import RoomFactory, TeamMembershipFactory, UserFactory, VenueFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def pia(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


@pytest.fixture
def session(congress, pia):
    venue = VenueFactory(congress=congress)
    hall = RoomFactory(venue=venue, name="Hall A", capacity=300, position=1)
    RoomFactory(venue=venue, name="Room 101", capacity=40, position=2)
    start = dt.datetime.combine(congress.start_date, dt.time(10), tzinfo=congress.tz)
    saved = services.create_session(
        congress=congress,
        by=pia,
        title="Opening plenary",
        status=SessionStatus.CONFIRMED,
        room=hall,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    ).session
    services.publish_schedule(congress=congress, by=pia)
    return saved


def test_a_programme_organiser_adds_a_break_copies_it_and_publishes(
    page, live_server, congress, pia, session
):
    page = signed_in(page, live_server, pia)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/")
    page.get_by_role("link", name="Breaks", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Breaks and blocks")
    page.get_by_role("link", name="New break").click()
    page.fill("#id_title", "Lunch on the terrace")
    page.select_option("#id_kind", "lunch")
    page.fill("#id_starts_at", "2027-05-10T12:00")
    page.fill("#id_ends_at", "2027-05-10T13:00")
    expect(page.locator("#id_all_rooms")).to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Break saved.")
    page.get_by_role("link", name="Copy to other days").first.click()
    expect(page.locator("h1")).to_contain_text("to other days")
    page.get_by_label("Tuesday 11 May 2027").check()
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("body")).to_contain_text("copied to 1 day")
    assert Break.objects.filter(congress=congress).count() == 2
    screenshot(page, "manage-agenda-breaks.png")

    page.get_by_role("link", name="Publish", exact=True).first.click()
    expect(page.locator("body")).to_contain_text("Lunch on the terrace")
    expect(page.locator("body")).to_contain_text("Who will be e-mailed")
    screenshot(page, "manage-agenda-publish.png")
    page.fill("#id_comment", "Lunch added")
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.locator("body")).to_contain_text("Version 2 published")

    page.goto(f"{live_server.url}/{congress.slug}/schedule/changes/")
    expect(page.locator("body")).to_contain_text("Lunch on the terrace")
    page.goto(f"{live_server.url}/{congress.slug}/schedule/?day=2027-05-11")
    expect(page.locator(".agenda-break")).to_contain_text("Lunch on the terrace")
    screenshot(page, "manage-agenda-public-break.png")
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/versions/")
    expect(page.locator("body")).to_contain_text("Version 2")


def test_a_speaker_is_picked_by_typing_their_organisation(
    page, live_server, congress, pia, session
):
    for org, country in (("City of Porto", "PT"), ("USP", "BR")):
        services.create_speaker(
            congress=congress, by=pia, name="Maria Silva", organisation=org, country=country
        )
    page = signed_in(page, live_server, pia)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/sessions/{session.code}/")
    picker = page.get_by_role("combobox", name="Speakers – search by name or organisation")
    picker.fill("Maria")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_contain_text("USP, Brazil")
    picker.press("ArrowDown")
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.locator(".speaker-picker-chip").first).to_contain_text("USP")
    screenshot(page, "manage-agenda-speaker-picker.png")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("saved")
    role = SessionSpeaker.objects.get(session=session)
    assert role.speaker.organisation == "USP" and role.role == "speaker"
