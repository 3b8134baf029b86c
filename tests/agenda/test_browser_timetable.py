"""The public timetable grid on a phone in Chromium: room headers and hour labels stay in view
while the grid scrolls both ways, each cell names its room, time and title to a screen reader,
and "show in my time zone" moves the hour labels and the day tabs and names the zone shown
(the button is absent without JavaScript)."""

import datetime as dt
import os
import re

import pytest
from playwright.sync_api import expect

from sessions import services
from tests.factories import RoomFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "timezone_id": "America/Los_Angeles",
        "locale": "en-GB",
        "viewport": {"width": 390, "height": 360},
    }


@pytest.fixture
def grid(congress, alice, make_session, hall, small_room, venue, ana):
    rooms = [hall, small_room] + [
        RoomFactory(
            venue=venue,
            name=f"Room {n}",
            capacity=40,
            opens_at=dt.time(8),
            closes_at=dt.time(20),
            position=3 + n,
        )
        for n in range(3)
    ]
    make_session(title="Heat plans", room=small_room, speakers=[(ana, "speaker")])
    for n, room in enumerate(rooms):
        make_session(title=f"Morning {n}", room=room, start=(9, 0))
        make_session(title=f"Evening {n}", room=room, start=(16, 0))
    services.publish_schedule(congress=congress, by=alice)


def _url(live_server):
    return f"{live_server.url}/wcg-2027/schedule/?view=grid&day=2027-05-10"


def test_room_headers_and_hour_labels_stay_in_view_while_the_grid_scrolls(page, live_server, grid):
    page.goto(_url(live_server))
    box = page.locator(".agenda-grid-scroll")
    expect(box).to_be_visible()
    sizes = box.evaluate(
        "el => [el.scrollWidth > el.clientWidth, el.scrollHeight > el.clientHeight]"
    )
    assert sizes == [True, True]  # it really scrolls both ways
    box.evaluate("el => { el.scrollTop = 250; el.scrollLeft = 300; }")
    expect(box).to_have_js_property("scrollTop", 250)
    where = box.evaluate(
        """el => {
          const b = el.getBoundingClientRect();
          const room = el.querySelector('.agenda-grid-room').getBoundingClientRect();
          const hours = [...el.querySelectorAll('.agenda-grid-hour')]
            .map(h => h.getBoundingClientRect());
          const seen = hours.filter(h => h.bottom > b.top + room.height && h.top < b.bottom);
          return {roomTop: room.top - b.top, hourLeft: seen.length ? seen[0].left - b.left : -1};
        }"""
    )
    assert abs(where["roomTop"]) <= 2, where
    assert 0 <= where["hourLeft"] <= 2, where
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_each_cell_tells_a_screen_reader_its_room_time_and_title(page, live_server, grid):
    page.goto(_url(live_server))
    cell = page.locator(".agenda-cell", has_text="Heat plans")
    expect(cell).to_have_accessible_name(
        re.compile(r"^Room 101,\s*10:00\s*–\s*11:00\s*,\s*Heat plans\s*$")
    )


def test_own_zone_moves_hours_and_day_tabs_and_names_the_zone(page, live_server, grid):
    page.goto(_url(live_server))
    toggle = page.get_by_role("button", name="Show in my time zone (America/Los_Angeles)")
    first_hour = page.locator(".agenda-grid-hour time").first
    day_tab = page.locator(".agenda-days a").first
    expect(first_hour).to_have_text("09:00")
    expect(day_tab).to_have_text("Mon 10 May")
    toggle.click()
    # 09:00 on Mon 10 May in Seoul is 17:00 on Sunday 9 May in Los Angeles (summer time).
    expect(first_hour).to_have_text("17:00")
    expect(day_tab).to_have_text(re.compile(r"^Sun,? (9 May|May 9)$"))
    expect(page.get_by_text("Now showing your time zone: America/Los_Angeles.")).to_be_visible()
    page.reload()  # a per-visitor choice: kept
    expect(page.locator(".agenda-grid-hour time").first).to_have_text("17:00")
    page.get_by_role("button", name="Show in the congress time zone").click()
    expect(page.locator(".agenda-grid-hour time").first).to_have_text("09:00")
    expect(page.locator(".agenda-days a").first).to_have_text("Mon 10 May")


def test_without_javascript_there_is_no_zone_button_and_the_grid_shows(browser, live_server, grid):
    context = browser.new_context(java_script_enabled=False, timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.goto(_url(live_server))
    expect(page.locator(".agenda-cell", has_text="Heat plans")).to_be_visible()
    expect(page.locator(".agenda-tz-toggle")).to_be_hidden()
    context.close()
