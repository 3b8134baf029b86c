"""The offline desk in Chromium on a phone: refusals made offline reach the refused-scans log
once after the sync, and signing out with check-ins not synced asks first ("sync first" or
"sign out anyway"); with nothing queued it signs out at once.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import os
import time

import pytest
from django.test import Client
from playwright.sync_api import expect

from badges.enums import CheckInChannel, ScanRefusal
from badges.models import CheckIn, OfflineCheckIn, RefusedScan
from registrations.enums import OrderStatus
from tests.badges.test_browser_offline import _check_in_shown, _person, _scan
from tests.browser import screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "service_workers": "allow"}


def _open_desk(page, live_server, congress, bob):
    page = signed_in(page, live_server, bob, width=390, height=844)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    return page


def _refused_once_written(server_quiet, count: int, seconds: float = 20) -> list:
    """The refused-scans log once it holds ``count`` rows (or as it stands after ``seconds``),
    read between the live server's requests."""
    deadline = time.monotonic() + seconds
    while True:
        with server_quiet:
            refused = list(RefusedScan.objects.order_by("at"))
        if len(refused) >= count or time.monotonic() > deadline:
            return refused
        time.sleep(0.2)


def test_refusals_made_offline_are_logged_once_after_the_sync(
    page, live_server, congress, bob, server_quiet
):
    _unpaid, unpaid_badge = _person(congress, "Uma", "Unpaid", status=OrderStatus.PENDING_PAYMENT)
    page = _open_desk(page, live_server, congress, bob)
    page.context.set_offline(True)
    expect(page.locator("#desk-state")).to_contain_text("Offline")
    _scan(page, "<b>junk</b>")
    expect(page.locator("#offline-verdict")).to_contain_text("NOT VALID")
    _scan(page, unpaid_badge.secret)
    expect(page.locator("#offline-verdict")).to_contain_text("MAY NOT ENTER")
    with server_quiet:
        assert not RefusedScan.objects.exists()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#desk-state")).to_contain_text("Last sync", timeout=20_000)
    page.wait_for_function(
        """name => new Promise(resolve => {
          const open = indexedDB.open(name);
          open.onsuccess = () => {
            const all = open.result.transaction("queue").objectStore("queue").count();
            all.onsuccess = () => resolve(all.result === 0);
          };
        })""",
        arg=f"convene-desk-{congress.slug}",
        timeout=20_000,
    )
    expect(page.locator("#desk-state")).not_to_contain_text("Syncing", timeout=20_000)
    refused = _refused_once_written(server_quiet, 2)
    assert [r.reason for r in refused] == [ScanRefusal.MALFORMED, ScanRefusal.NOT_ALLOWED]
    assert {r.channel for r in refused} == {CheckInChannel.OFFLINE}
    assert refused[0].scanned == "<b>junk</b>"
    assert refused[1].badge_id == unpaid_badge.pk and refused[1].problem == "unpaid"
    assert unpaid_badge.secret not in refused[1].scanned
    assert not CheckIn.objects.exists()


def test_signing_out_with_unsynced_check_ins_asks_first(page, live_server, congress, bob):
    ana, ana_badge = _person(congress, "Ana", "Silva")
    ben, ben_badge = _person(congress, "Ben", "Okafor")
    page = _open_desk(page, live_server, congress, bob)
    page.context.set_offline(True)
    expect(page.locator("#desk-state")).to_contain_text("Offline")
    _scan(page, ana_badge.secret)
    _check_in_shown(page)
    _scan(page, ben_badge.secret)
    _check_in_shown(page)
    page.locator("#desk-sign-out button").click()
    warning = page.locator("#sign-out-warning")
    expect(warning).to_contain_text("not synced yet on this device: 2")
    expect(page.locator("#sign-out-anyway")).to_be_visible()
    screenshot(page, "checkin-offline-sign-out-warning.png")
    assert page.url.endswith("/manage/checkin/")  # still on the desk, still signed in

    # Back online, "Sync now" sends the queue; then signing out goes straight through.
    page.context.set_offline(False)
    page.locator("#sign-out-sync").click()
    expect(warning).to_contain_text("Everything is synced", timeout=20_000)
    assert OfflineCheckIn.objects.count() == 2
    assert CheckIn.objects.filter(badge__delegate__in=[ana, ben]).count() == 2
    page.locator("#desk-sign-out button").click()
    page.wait_for_url(lambda url: "/manage/checkin/" not in url)
    expect(page.locator("body")).not_to_contain_text("Check-in")


def test_sign_out_anyway_signs_out_and_wipes_the_phone(page, live_server, congress, bob):
    _ana, ana_badge = _person(congress, "Ana", "Silva")
    page = _open_desk(page, live_server, congress, bob)
    page.context.set_offline(True)
    expect(page.locator("#desk-state")).to_contain_text("Offline")
    _scan(page, ana_badge.secret)
    _check_in_shown(page)
    page.locator("#desk-sign-out button").click()
    expect(page.locator("#sign-out-warning")).to_contain_text(": 1")
    page.context.set_offline(False)  # the sign-out itself needs the server
    page.locator("#sign-out-anyway").click()
    page.wait_for_url(lambda url: "/manage/checkin/" not in url)
    stored = "indexedDB.databases().then(dbs => dbs.map(db => db.name))"
    # The wipe runs as the signed-out page loads: wait for it rather than race it.
    page.wait_for_function("async () => (await indexedDB.databases()).length === 0")
    assert page.evaluate(stored) == []


def test_signing_out_with_nothing_queued_does_not_ask(page, live_server, congress, bob):
    _person(congress, "Ana", "Silva")
    page = _open_desk(page, live_server, congress, bob)
    page.locator("#desk-sign-out button").click()
    page.wait_for_url(lambda url: "/manage/checkin/" not in url)
    expect(page.locator("body")).not_to_contain_text("not synced yet")


def test_without_javascript_the_desk_signs_out_at_once(browser, live_server, congress, bob):
    client = Client()
    client.force_login(bob)
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    page.locator("#desk-sign-out button").click()
    page.wait_for_url(lambda url: "/manage/checkin/" not in url)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-sign-out")).to_have_count(0)  # signed out: the sign-in page
    context.close()


def test_a_scan_submitted_by_the_script_runs_the_offline_listener(page, live_server, congress, bob):
    """checkin.js submits scans (camera, scanner's Enter) with requestSubmit(), so the offline
    desk answers them in the page: no navigation to the service worker's copy."""
    _ana, ana_badge = _person(congress, "Ana", "Silva")
    page = _open_desk(page, live_server, congress, bob)
    page.context.set_offline(True)
    expect(page.locator("#desk-state")).to_contain_text("Offline")
    page.evaluate("window.__sameDocument = true")
    page.fill("#scan", ana_badge.secret)
    page.evaluate("document.getElementById('scan-form').requestSubmit()")
    expect(page.locator("#offline-verdict")).to_contain_text("MAY ENTER")
    _scan(page, ana_badge.secret)  # Enter: the script's own keydown handler
    expect(page.locator("#offline-verdict")).to_contain_text("MAY ENTER")
    assert page.evaluate("window.__sameDocument") is True
    assert "code=" not in page.url
