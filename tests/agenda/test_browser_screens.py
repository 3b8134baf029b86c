"""Room screens in Chromium: the page moves on when a session ends, and keeps its content,
saying so, when the connection drops."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from sessions import services
from tests.browser import screenshot

from .conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme(congress, alice, make_session, small_room, ana):
    make_session(title="Heat plans", start=(10, 0), minutes=60, speakers=[(ana, "speaker")])
    make_session(title="Cool roofs", start=(11, 0), minutes=45)
    make_session(title="Bond workshop", start=(10, 30), minutes=90, room=small_room)
    services.publish_schedule(congress=congress, by=alice)


@pytest.fixture
def fast_screens(settings):
    settings.SCREENS_TIME_OVERRIDE = True
    settings.SCREENS_POLL_SECONDS = 1


def test_room_screen_moves_on_when_the_session_ends_and_survives_going_offline(
    page, live_server, congress, hall, programme, fast_screens
):
    page.set_viewport_size({"width": 1280, "height": 720})
    two_seconds_before_the_end = at(congress, 0, 11, 0) - dt.timedelta(seconds=2)
    page.goto(
        f"{live_server.url}/{congress.slug}/screens/rooms/{hall.id}/"
        f"?at={two_seconds_before_the_end.isoformat()}"
    )
    now = page.locator("[data-screen-now]")
    expect(now).to_have_text("Heat plans")
    expect(page.locator("[data-screen-next]")).to_have_text("Cool roofs")
    expect(page.locator("body")).to_contain_text("Asia/Seoul")
    screenshot(page, "screens-room.png")

    expect(now).to_have_text("Cool roofs", timeout=10_000)  # the script asked again after 11:00
    expect(page.locator("[data-screen-next]")).to_have_text("Nothing more in this room")
    updated = page.locator("[data-screen-updated]").text_content()

    page.context.set_offline(True)
    offline = page.locator("[data-screen-offline]")
    expect(offline).to_be_visible(timeout=10_000)
    expect(now).to_have_text("Cool roofs")  # the last content stays
    assert page.locator("[data-screen-updated]").text_content() == updated
    screenshot(page, "screens-room-offline.png")

    page.context.set_offline(False)
    expect(offline).to_be_hidden(timeout=15_000)  # the backoff's next try succeeds
    expect(now).to_have_text("Cool roofs")


def test_venue_screen_shows_every_room(page, live_server, congress, programme, fast_screens):
    page.set_viewport_size({"width": 1920, "height": 1080})
    moment = at(congress, 0, 10, 40).isoformat()
    page.goto(f"{live_server.url}/{congress.slug}/screens/?at={moment}")
    body = page.locator("body")
    expect(body).to_contain_text("Hall A")
    expect(body).to_contain_text("Room 101")
    expect(body).to_contain_text("Bond workshop")
    screenshot(page, "screens-venue.png")


def test_without_javascript_the_screen_still_reads(browser, live_server, congress, programme):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/{congress.slug}/screens/")
    expect(page.locator("body")).to_contain_text("Hall A")
    context.close()
