"""The owners' audit log in Chromium: filter by a group of actions, read a change's before and
after, page to older entries. Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the
picture in the docs."""

import datetime as dt
import os
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client
from playwright.sync_api import expect

from events_site.congresses import audit

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _record(when, **fields):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit.record(**fields)


def test_an_owner_filters_the_audit_log_and_reads_before_and_after(
    page, live_server, congress, alice, bob
):
    start = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
    for n in range(60):
        _record(
            start + dt.timedelta(minutes=n),
            action="convene.order.paid",
            congress=congress,
            actor_label="stripe:webhook",
            data={"code": f"ORD{n:03}", "total": "450.00"},
        )
    _record(start + dt.timedelta(hours=2), action="convene.account.signed_in", actor=bob)
    _record(
        start + dt.timedelta(hours=3),
        action="convene.checkin.scan_refused",
        congress=congress,
        actor=bob,
        data={"reason": "badge_unknown", "desk": "Hall A", "scanned": "<b>=cmd|calc</b>"},
    )
    _record(
        start + dt.timedelta(hours=4),
        action="convene.congress.updated",
        congress=congress,
        actor=alice,
        data={
            "changed": {
                "name": ["World Congress", "World Congress 2027"],
                "time_zone": ["UTC", "Europe/Lisbon"],
            }
        },
    )
    _record(
        start + dt.timedelta(hours=5),
        action="convene.export.downloaded",
        congress=congress,
        actor=alice,
        data={
            "export": "registrations.delegates",
            "format": "xlsx",
            "rows": 812,
            "filters": {"status": "paid"},
        },
    )
    client = Client()
    client.force_login(alice)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("tr.audit-entry")).to_have_count(50)
    first = page.locator("tr.audit-entry").first
    assert "Personal data exported" in first.inner_text()
    changes = page.locator("table.audit-changes").first.inner_text()
    assert "World Congress 2027" in changes and "Europe/Lisbon" in changes
    folder = os.environ.get("CONVENE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "audit-log.png"), full_page=False)

    page.get_by_role("link", name="Older").click()
    expect(page.locator("tr.audit-entry")).to_have_count(14 + 1)  # and alice's sign-in just now

    page.goto(f"{live_server.url}/{congress.slug}/manage/audit/")
    page.select_option("#id_action", "convene.checkin.")
    page.get_by_role("button", name="Filter", exact=True).click()
    rows = page.locator("tr.audit-entry")
    assert rows.count() == 1 and "Scan refused at the desk" in rows.first.inner_text()
    assert "<b>=cmd|calc</b>" in rows.first.inner_text()  # shown as text, not markup
    page.select_option("#id_action", "")
    page.select_option("#id_actor", str(bob.pk))
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("tr.audit-entry")).to_have_count(2)  # the refused scan and bob's sign-in
