"""Whole journeys in Chromium: the public timetable on a phone with the visitor's own time
zone offered, and a delegate building an agenda and signing up."""

import os

import pytest
from playwright.sync_api import expect

from sessions import services
from sessions.enums import SessionFormat

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "Europe/Paris", "locale": "en-GB"}


@pytest.fixture
def published(congress, alice, make_session, small_room, ana):
    heat = make_session(title="Heat plans", speakers=[(ana, "moderator")])
    workshop = make_session(
        title="Bond workshop",
        format=SessionFormat.WORKSHOP,
        capacity=5,
        room=small_room,
        start=(14, 0),
    )
    services.publish_schedule(congress=congress, by=alice)
    return {"heat": heat, "workshop": workshop}


def test_phone_visitor_sees_the_timetable_and_switches_to_their_own_zone(
    page, live_server, published
):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/wcg-2027/schedule/?view=list")
    item = page.locator(".agenda-item", has_text="Heat plans")
    assert item.locator("time").first.inner_text() == "10:00"
    toggle = page.get_by_role("button", name="Show in my time zone (Europe/Paris)")
    toggle.click()
    # 10:00 in Seoul is 03:00 in Paris (summer time) on 10 May 2027.
    assert item.locator("time").first.inner_text() == "03:00"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.get_by_role("link", name="Heat plans").click()
    expect(page.get_by_role("heading", name="Heat plans")).to_be_visible()
    expect(page.get_by_text("Ana Müller")).to_be_visible()


def test_delegate_adds_a_session_and_signs_up_for_a_workshop(
    page, live_server, published, delegate
):
    page.goto(f"{live_server.url}/wcg-2027/my-agenda/{delegate.secret}/")
    heat = page.locator(".agenda-item", has_text="Heat plans").last
    heat.locator("xpath=following-sibling::li[1]").get_by_role(
        "button", name="Add to my agenda"
    ).click()
    expect(page.get_by_text("Added to your agenda: Heat plans")).to_be_visible()
    page.locator(".agenda-item", has_text="Bond workshop").last.locator(
        "xpath=following-sibling::li[1]"
    ).get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Your seat is booked: Bond workshop")).to_be_visible()
    assert (
        page.get_by_role("link", name="Subscribe (webcal)")
        .get_attribute("href")
        .startswith("webcal://")
    )
