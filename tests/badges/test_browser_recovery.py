"""The organiser pages this wave added, in Chromium: a print job whose worker died offers
"Try again" and renders again; refused scans at the desk are listed for check-in staff.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from badges import printing
from badges.enums import PrintJobStatus
from badges.models import PrintJob, RefusedScan
from tests.badges.conftest import make_delegate
from tests.browser import screenshot, signed_in, wait_ready

# Helpers' tests written before tests/browser.py import these two names from here.
_screenshot, _signed_in = screenshot, signed_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_a_dead_print_job_says_why_and_renders_again_after_try_again(
    page, live_server, congress, alice, settings
):
    for name in ("Abe", "Mota", "Zola"):
        make_delegate(congress, family_name=name)
    job = printing.create_print_job(congress=congress, by=alice, enqueue=False)
    now = timezone.now()
    stale = timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER + 5)
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintJobStatus.RUNNING,
        attempts=1,
        started_at=now - stale,
        heartbeat_at=now - stale,
        deadline_at=now + timedelta(hours=1),
        rendered_count=1,
    )
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/badges/jobs/{job.pk}/")
    assert "probably killed" in page.content()
    screenshot(page, "print-job-failed.png")
    page.locator("#retry-button").click()
    page.wait_for_load_state()
    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE
    assert job.attempts == 2
    assert job.rendered_count == 3


def test_refused_scans_are_listed_for_the_desk(phone_sized_desk, live_server, congress, bob):
    page = phone_sized_desk
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    wait_ready(page, "#desk-offline")  # its listeners on the scan form, its first sync done
    page.fill("#scan", "<b>not-a-badge</b> عربي")
    page.keyboard.press("Enter")
    page.locator(".verdict-bad").wait_for()
    # the verdict page's desk syncs first: on SQLite in memory it shares the test's connection
    wait_ready(page, "#desk-offline")
    assert RefusedScan.objects.filter(congress=congress, by=bob).count() == 1
    page.locator("#refused-scans-link").click()
    page.locator("#refused-scans").wait_for()
    table = page.locator("#refused-scans").inner_text()
    assert "<b>not-a-badge</b> عربي" in table  # shown as text, never as markup
    expect(page.locator("#refused-scans b")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "refused-scans-phone.png")


@pytest.fixture
def phone_sized_desk(page, live_server, bob):
    return signed_in(page, live_server, bob, width=390, height=844)
