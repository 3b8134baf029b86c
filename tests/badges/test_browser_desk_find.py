"""The desk on a phone as check-in staff: accent-blind and Latin-letter search, undo with a
reason, the camera button only where a camera API exists; the print station's queue."""

import os

import pytest
from playwright.sync_api import expect

from badges import print_stations, services
from tests.badges.conftest import make_delegate
from tests.browser import screenshot, signed_in, wait_ready

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _desk(page, live_server, congress):
    """The desk, once its offline copy has synced: until then a request of its own that fails
    (the network, a slow server) makes it answer searches from the copy, not the server."""
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    expect(page.locator("#desk-state")).not_to_contain_text("Offline")
    return page


def _search(page, text):
    page.fill("#search", text)
    page.keyboard.press("Enter")
    expect(page.locator("section[aria-label]")).to_be_visible()


def test_accent_and_latin_letter_search_find_lefevre_and_an_arabic_name(
    page, live_server, congress, bob
):
    make_delegate(
        congress,
        given_name="Élodie",
        family_name="Lefèvre",
        organisation_name="Ville de Paris",
        country="FR",
    )
    make_delegate(
        congress,
        given_name="فاطمة",
        family_name="العلي",
        name_latin="Fatima Al-Ali",
        email="f1@rabat.example",
        organisation_name="City of Rabat",
        country="MA",
    )
    make_delegate(congress, given_name="Amani", family_name="Mwangi", organisation_name="Nairobi")
    make_delegate(
        congress, given_name="伟", family_name="王", badge_name="王伟", name_latin="Wang Wei"
    )
    page = signed_in(page, live_server, bob, width=390, height=844)
    _desk(page, live_server, congress)
    _search(page, "lefevre")
    results = page.locator(".results li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Élodie Lefèvre")
    _search(page, "Wang")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("王伟")
    _search(page, "Fatima")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("فاطمة العلي")
    expect(results.first).to_contain_text("Fatima Al-Ali")
    expect(results.first).to_contain_text("Morocco")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "checkin-search-latin-letters.png")
    page.get_by_text("فاطمة العلي").click()
    expect(page.locator("#verdict")).to_contain_text("MAY ENTER")


def test_check_in_staff_undo_a_check_in_with_a_reason(page, live_server, congress, bob):
    delegate = make_delegate(congress, given_name="Élodie", family_name="Lefèvre")
    services.badge_for(delegate=delegate)
    page = signed_in(page, live_server, bob, width=390, height=844)
    _desk(page, live_server, congress)
    _search(page, "Lefevre")
    page.get_by_text("Élodie Lefèvre").click()
    page.get_by_role("button", name="Check in", exact=True).click()
    page.wait_for_url("**done=1**")
    expect(page.locator("#verdict")).to_contain_text("CHECKED IN")
    expect(page.locator("#verdict")).to_contain_text("Asia/Seoul")
    screenshot(page, "checkin-checked-in.png")
    page.locator("details.undo summary").click()
    page.fill("#undo-reason", "Checked in the wrong Élodie")
    screenshot(page, "checkin-undo.png")
    page.get_by_role("button", name="Undo check-in").click()
    expect(page.locator("body")).to_contain_text("Check-in undone")
    expect(page.get_by_role("button", name="Check in", exact=True)).to_be_visible()
    # the new page's desk syncs first: on SQLite in memory it shares the test's connection
    wait_ready(page, "#desk-offline")
    delegate.badge.refresh_from_db()
    assert delegate.badge.checked_in_at is None
    check_in = delegate.badge.check_ins.get()
    assert check_in.undo_reason == "Checked in the wrong Élodie" and check_in.undone_by == bob


def test_the_camera_button_shows_only_where_a_camera_api_exists(page, live_server, congress, bob):
    page = signed_in(page, live_server, bob, width=390, height=844)
    _desk(page, live_server, congress)
    expect(page.locator("#camera-button")).to_be_visible()  # localhost: mediaDevices exists
    page.add_init_script("Object.defineProperty(navigator, 'mediaDevices', {value: undefined})")
    _desk(page, live_server, congress)
    expect(page.locator("#scan")).to_be_visible()
    expect(page.locator("#camera-button")).to_be_hidden()
    display = page.evaluate("getComputedStyle(document.getElementById('camera-button')).display")
    assert display == "none"


def test_the_print_station_lists_the_badges_checked_in_at_its_desks(
    page, live_server, congress, alice, bob
):
    station = print_stations.save_station(congress=congress, by=alice, name="Hall A", desks="A")
    for given, family in (("Élodie", "Lefèvre"), ("민준", "김"), ("Amani", "Mwangi")):
        delegate = make_delegate(congress, given_name=given, family_name=family)
        services.check_in(badge=services.badge_for(delegate=delegate), by=bob, desk="A")
    page = signed_in(page, live_server, bob)
    # No kiosk printing in a test: the page must not print by itself here.
    page.add_init_script("window.print = function () {};")
    page.goto(
        f"{live_server.url}/{congress.slug}/manage/checkin/print-station/?station={station.pk}"
    )
    expect(page.locator("#station-queue tbody tr")).to_have_count(3)
    expect(page.locator("#station-queue")).to_contain_text("김민준")
    screenshot(page, "checkin-print-station.png")
