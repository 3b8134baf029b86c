"""The waiting list in Chromium: a registration manager (not a superuser) finds the list from
the navigation, offers a seat by hand to someone out of turn, extends an offer, withdraws one
(its seat passing to the next person) and removes someone after confirming.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.enums import WaitingListStatus
from registrations.models import RegistrationSettings, WaitingListEntry
from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


def _entry(rtype, name, email, minutes_ago, **fields):
    entry = WaitingListEntry.objects.create(
        congress=rtype.congress, registration_type=rtype, name=name, email=email, **fields
    )
    WaitingListEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return entry


def test_a_manager_works_the_waiting_list(page, live_server, congress, manager):
    assert not manager.is_superuser
    RegistrationSettings.objects.create(congress=congress, waiting_list_offer_hours=48)
    workshop = RegistrationTypeFactory(
        congress=congress, code="workshop", name="Mayors’ workshop", capacity=2, position=1
    )
    gala = RegistrationTypeFactory(congress=congress, code="gala", name="Gala dinner", position=2)
    now = timezone.now()
    olga = _entry(
        workshop,
        "Olga Petrova",
        "olga@city.example",
        300,
        status=WaitingListStatus.OFFERED,
        offered_at=now - dt.timedelta(hours=2),
        offer_expires_at=now + dt.timedelta(hours=46),
    )
    _entry(workshop, "Ana Silva", "ana@lisboa.example", 200)
    kim = _entry(workshop, "김민준", "minjun@seoul.example", 100)
    _entry(gala, "محمد علي", "m.ali@cairo.example", 50)
    page = signed_in(page, live_server, manager)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Waiting list").first.click()
    page.locator("table.waiting-list").wait_for()
    screenshot(page, "manage-waiting-list.png")

    # out of turn: the second person waiting gets the one free seat
    page.get_by_role("button", name="Offer a seat to 김민준").click()
    page.locator(".messages").wait_for()
    kim.refresh_from_db()
    assert kim.status == WaitingListStatus.OFFERED

    # the type is now full: the first person waiting is refused, clearly
    page.get_by_role("button", name="Offer a seat to Ana Silva").click()
    expect(page.locator(".messages")).to_contain_text("is free: nothing was offered")

    row = page.locator("tr.waiting-row", has_text="Olga Petrova")
    row.get_by_role("link", name="Extend").click()
    page.fill("#id_hours", "0")
    page.get_by_role("button", name="Extend the offer").click()
    assert page.locator(".errorlist").count() > 0
    page.fill("#id_hours", "24")
    page.get_by_role("button", name="Extend the offer").click()
    page.locator(".messages").wait_for()
    olga.refresh_from_db()
    assert olga.offer_expires_at > now + dt.timedelta(hours=69)

    page.get_by_role("button", name="Withdraw the offer to Olga Petrova").click()
    page.locator(".messages").wait_for()
    assert WaitingListEntry.objects.get(name="Ana Silva").status == WaitingListStatus.OFFERED

    page.locator("tr.waiting-row", has_text="محمد علي").get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove").click()
    page.locator(".messages").wait_for()
    assert WaitingListEntry.objects.get(name="محمد علي").status == WaitingListStatus.REMOVED
