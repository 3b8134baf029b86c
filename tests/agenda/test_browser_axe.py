"""axe-core (vendored, tests/agenda/axe/) over the public programme pages, the personal agenda
and the check-in desk in English, in Chromium, at the WCAG 2.1 A/AA tags: no violation. The
programme has a cancelled session and a booked seat, the states whose colours failed before."""

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from badges.models import Badge
from events_site.congresses.models import Congress
from registrations.enums import OrderStatus
from sessions import services
from sessions.enums import SessionFormat
from tests.browser import signed_in, wait_ready
from tests.factories import DelegateFactory, OrderFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/Paris"}


@pytest.fixture
def programme(congress, alice, make_session, small_room, ana, delegate):
    make_session(title="Heat plans", speakers=[(ana, "speaker")])
    gone = make_session(title="Cancelled talk", start=(12, 0), speakers=[(ana, "speaker")])
    workshop = make_session(
        title="Bond workshop", format=SessionFormat.WORKSHOP, capacity=5, room=small_room
    )
    services.publish_schedule(congress=congress, by=alice)
    services.cancel_session(session=gone, by=alice)
    services.publish_schedule(congress=congress, by=alice)
    services.sign_up(delegate=delegate, session=workshop)
    return {"workshop": workshop, "cancelled": gone}


def violations(page) -> list[str]:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:5]} {v['nodes'][0]['failureSummary']}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize(
    "path",
    [
        "schedule/?view=grid&day=2027-05-10",
        "schedule/?view=list&day=all",
        "schedule/speakers/",
        "session",
        "speaker",
        "personal",
    ],
)
def test_public_and_delegate_pages_have_no_axe_violation(
    page, live_server, congress, programme, delegate, ana, path
):
    if path == "session":
        path = f"schedule/sessions/{programme['cancelled'].code}/"
    elif path == "speaker":
        path = f"schedule/speakers/{ana.code}/"
    elif path == "personal":
        path = f"my-agenda/{delegate.secret}/"
    page.goto(f"{live_server.url}/{congress.slug}/{path}")
    expect(page.locator("h1").first).to_be_visible()
    assert violations(page) == []


@pytest.mark.parametrize("state", ["empty", "ok", "warn", "bad"])
def test_the_check_in_desk_has_no_axe_violation(page, live_server, congress, alice, state):
    """The desk and its three verdicts: green (may enter), amber (already checked in), red."""
    Congress.objects.filter(pk=congress.pk).update(require_two_factor=False)
    query = ""
    if state != "empty":
        status = OrderStatus.CANCELLED if state == "bad" else OrderStatus.PAID
        person = DelegateFactory(order=OrderFactory(congress=congress, status=status))
        Badge.objects.create(
            delegate=person,
            congress=congress,
            checked_in_at=timezone.now() if state == "warn" else None,
        )
        query = f"?delegate={person.pk}"
    page = signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/{query}")
    expect(page.locator("h1").first).to_be_visible()
    wait_ready(page, "#desk-offline")  # axe reads the desk its script has finished drawing
    if state != "empty":
        expect(page.locator(f"#verdict.verdict-{state}")).to_be_visible()
    assert violations(page) == []
