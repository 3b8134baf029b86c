"""The offline desk in Chromium on a phone (390 x 844) as check-in staff (bob, not a superuser):
opened online, the network goes, two delegates are checked in by code and one by name search
on the phone alone, the network returns and the database holds each check-in exactly once;
conflicts with another desk resolve to the earliest check-in.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import os

import pytest
from playwright.sync_api import expect

from badges import services
from badges.enums import CheckInChannel
from badges.models import Badge, CheckIn, OfflineCheckIn
from events_site.congresses.models import AuditEntry
from tests.badges.conftest import make_delegate
from tests.browser import screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "service_workers": "allow"}


def _person(congress, given, family, **fields):
    delegate = make_delegate(congress, given_name=given, family_name=family, **fields)
    return delegate, services.badge_for(delegate=delegate)


def _check_in_shown(page, desk="D2"):
    expect(page.locator("#offline-verdict")).to_contain_text("MAY ENTER")
    page.fill("#offline-desk", desk)
    page.locator("#offline-checkin").click()
    expect(page.locator("#offline-verdict")).to_contain_text("CHECKED IN")


def _scan(page, code):
    page.fill("#scan", code)
    page.locator("#scan").press("Enter")


def test_the_desk_checks_people_in_offline_and_syncs_each_once(
    page, live_server, congress, alice, bob, server_quiet
):
    ana, ana_badge = _person(congress, "Ana", "Silva", organisation_name="Lisboa")
    ben, ben_badge = _person(congress, "Ben", "Okafor", organisation_name="Lagos")
    eloise, _b = _person(congress, "Éloïse", "Lefèvre", organisation_name="Ville de Lyon")
    dora, dora_badge = _person(congress, "Dora", "Meyer", organisation_name="Bern")
    eve, eve_badge = _person(congress, "Eve", "Tan", organisation_name="Penang")
    page = signed_in(page, live_server, bob, width=390, height=844)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    expect(page.locator("#desk-state")).to_contain_text("Delegates ready offline: 5")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")

    # Another desk checks Dora in before this one loses the network.
    services.check_in(badge=dora_badge, by=alice, desk="D1")
    dora_at = Badge.objects.get(pk=dora_badge.pk).checked_in_at

    page.context.set_offline(True)
    # The phone reloads the desk with no network: the service worker's copy opens.
    page.reload()
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    assert page.evaluate("!!navigator.serviceWorker.controller")
    expect(page.locator("#desk-state")).to_contain_text("Offline")

    _scan(page, ana_badge.secret)
    _check_in_shown(page)
    _scan(page, ben_badge.secret)
    _check_in_shown(page)
    page.fill("#search", "lefevre")  # no accent, lower case: found locally
    page.locator("#search").press("Enter")
    page.locator(".offline-results button", has_text="Lefèvre").click()
    _check_in_shown(page)
    screenshot(page, "checkin-offline-checked-in.png")
    _scan(page, dora_badge.secret)  # this phone does not know about D1 yet
    _check_in_shown(page)
    _scan(page, eve_badge.secret)
    _check_in_shown(page)
    expect(page.locator("#desk-state")).to_contain_text("Waiting to sync: 5")
    page.fill("#search", "ana")
    page.locator("#search").press("Enter")
    expect(page.locator(".offline-results")).to_contain_text("Ana Silva")
    screenshot(page, "checkin-offline-queued.png")
    assert not CheckIn.objects.filter(badge__delegate__in=[ana, ben, eloise]).exists()

    # Eve is checked in at another desk while this one is offline, later than this desk did.
    services.check_in(badge=eve_badge, by=alice, desk="D1")

    page.context.set_offline(False)
    expect(page.locator("#desk-offline")).to_have_attribute("data-queued", "0", timeout=20_000)
    expect(page.locator("#desk-state")).to_contain_text("Online")
    expect(page.locator("#desk-state")).to_contain_text("Last sync")
    expect(page.locator("#desk-notices")).to_contain_text("Dora Meyer was already checked in")
    screenshot(page, "checkin-offline-synced.png")
    # The queue is sent, the list is still being fetched: read once the sync is over, and
    # between the live server's requests (on SQLite in memory they share this connection).
    expect(page.locator("#desk-state")).not_to_contain_text("Syncing", timeout=20_000)

    with server_quiet:
        for delegate in (ana, ben, eloise):
            [check_in] = CheckIn.objects.filter(badge__delegate=delegate)
            assert (check_in.channel, check_in.desk, check_in.by) == (
                CheckInChannel.OFFLINE,
                "D2",
                bob,
            )
        assert OfflineCheckIn.objects.count() == 5
        # Earliest wins: Dora's check-in at D1 came first and stands ...
        dora_now = Badge.objects.get(pk=dora_badge.pk)
        assert (dora_now.checked_in_at, dora_now.checked_in_desk) == (dora_at, "D1")
        # ... and this desk's offline check-in of Eve came before D1's, so it is the one on record.
        eve_now = Badge.objects.get(pk=eve_badge.pk)
        assert eve_now.checked_in_desk == "D2"
        assert CheckIn.objects.get(badge=eve_badge).desk == "D2"
        queued_eve = OfflineCheckIn.objects.get(delegate_id=eve.pk)
        assert queued_eve.outcome == "earlier"
        assert eve_now.checked_in_at == queued_eve.at
        assert AuditEntry.objects.filter(action="convene.checkin.moved_earlier").count() == 1
        assert OfflineCheckIn.objects.get(delegate_id=dora.pk).outcome == "already"
        assert CheckIn.objects.count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_badge_revoked_while_offline_is_refused_after_sync(
    page, live_server, congress, alice, bob, server_quiet
):
    ana, ana_badge = _person(congress, "Ana", "Silva")
    page = signed_in(page, live_server, bob, width=390, height=844)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    page.context.set_offline(True)
    expect(page.locator("#desk-state")).to_contain_text("Offline")
    old = ana_badge.secret
    services.reissue_secret(badge=ana_badge, by=alice, reason="lost")
    _scan(page, old)
    _check_in_shown(page)
    _scan(page, "<b>not-a-badge</b>\u0000" + "x" * 10_000)
    expect(page.locator("#offline-verdict")).to_contain_text("NOT VALID")
    assert page.locator("#offline-verdict b").count() == 0
    page.context.set_offline(False)
    expect(page.locator("#desk-notices")).to_contain_text("revoked", timeout=20_000)
    screenshot(page, "checkin-offline-revoked.png")
    expect(page.locator("#desk-state")).not_to_contain_text("Syncing", timeout=20_000)
    with server_quiet:  # between the live server's requests: they share this connection
        assert Badge.objects.get(pk=ana_badge.pk).checked_in_at is None
        assert not CheckIn.objects.exists()


def test_signing_out_wipes_the_desk_list_from_the_phone(page, live_server, congress, bob):
    _person(congress, "Ana", "Silva")
    page = signed_in(page, live_server, bob, width=390, height=844)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    stored = "indexedDB.databases().then(dbs => dbs.map(db => db.name))"
    assert page.evaluate(stored) == [f"convene-desk-{congress.slug}"]
    assert page.evaluate("caches.keys().then(keys => keys.length)") == 1
    # What the browser keeps is ciphertext: no name, no hash in clear.
    rows = page.evaluate(
        """name => new Promise(resolve => {
          const open = indexedDB.open(name);
          open.onsuccess = () => {
            const all = open.result.transaction("rows").objectStore("rows").getAll();
            all.onsuccess = () => resolve(all.result.map(r => ({
              iv: r.box.iv.length,
              plain: new TextDecoder("latin1").decode(r.box.data).includes("Silva")
                || JSON.stringify(r).includes("Silva")})));
          };
        })""",
        f"convene-desk-{congress.slug}",
    )
    assert rows == [{"iv": 12, "plain": False}]
    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/**")
    expect(page.locator("body")).not_to_contain_text("Sign out")
    # The wipe runs as the signed-out page loads: wait for it rather than race it.
    page.wait_for_function("async () => (await indexedDB.databases()).length === 0")
    assert page.evaluate(stored) == []
    assert page.evaluate("caches.keys().then(keys => keys.length)") == 0
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0


def test_a_session_ended_on_the_server_wipes_the_list_at_the_next_sync(
    page, live_server, congress, bob
):
    from django.contrib.sessions.models import Session

    _person(congress, "Ana", "Silva")
    page = signed_in(page, live_server, bob, width=390, height=844)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    expect(page.locator("#desk-offline")).to_have_attribute("data-ready", "1", timeout=20_000)
    key = f"convene-desk-key:{congress.slug}"
    assert page.evaluate("name => sessionStorage.getItem(name)", key)
    Session.objects.all().delete()  # ended elsewhere, expired: no sign-out answer reaches it
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the next sync
    expect(page.locator("#desk-state")).to_contain_text("Signed out", timeout=20_000)
    assert page.evaluate("name => sessionStorage.getItem(name)", key) is None
    assert page.evaluate("caches.keys().then(keys => keys.length)") == 0
    count = page.evaluate(
        """name => new Promise(resolve => {
          const open = indexedDB.open(name);
          open.onsuccess = () => {
            const req = open.result.transaction("rows").objectStore("rows").count();
            req.onsuccess = () => resolve(req.result);
          };
        })""",
        f"convene-desk-{congress.slug}",
    )
    assert count == 0
