"""Venues and rooms in Chromium: an owner who is not a superuser adds a venue and two rooms and
puts them in order. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os

import pytest

from events_site.congresses.models import Room
from tests.browser import screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_an_owner_sets_up_a_venue_with_two_rooms(page, live_server, congress, alice):
    assert not alice.is_superuser
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Edit venues and rooms").first.click()
    page.get_by_role("link", name="Add a venue").click()
    page.fill("#id_name", "Daejeon Convention Center")
    page.fill("#id_city", "Daejeon")
    page.select_option("#id_country", "KR")
    page.get_by_role("button", name="Save").click()
    for name, capacity in (("Hall A", "1200"), ("Room 101", "80")):
        page.get_by_role("link", name="Add a room").click()
        page.fill("#id_name", name)
        page.fill("#id_capacity", capacity)
        page.fill("#id_opens_at", "08:00")
        page.fill("#id_closes_at", "19:30")
        page.fill("#id_accessibility_notes", "Step-free access; hearing loop")
        page.get_by_role("button", name="Save").click()
        page.locator(".messages").wait_for()
    page.get_by_role("button", name="Move Room 101 up").click()
    page.locator(".messages").wait_for(state="detached")
    names = list(Room.objects.order_by("position").values_list("name", flat=True))
    assert names == ["Room 101", "Hall A"]
    assert page.locator("table.rooms tbody tr").first.inner_text().find("Room 101") >= 0
    screenshot(page, "venues-and-rooms.png")
