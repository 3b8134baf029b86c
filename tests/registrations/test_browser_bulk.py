"""Bulk actions in Chromium, as a registration manager (not a superuser): filter the list to the
orders awaiting approval, tick five, approve them in bulk, watch the job's page finish and find
the five approved; a running job's bar follows the job through its JSON.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.enums import BulkJobStatus, BulkKind
from registrations.lifecycle import OrderStatus
from registrations.models import BulkJob, Order
from registrations.services.orders import NewDelegate, place_order
from tests.browser import screenshot, signed_in
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory
from tests.registrations.conftest import order_kwargs, person

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

NAMES = ["Lena Berg", "Omar Haddad", "Mei Tanaka", "Ines Duarte", "Kofi Mensah", "Sara Novak"]


def _delegate(rtype, n: int, name: str) -> NewDelegate:
    given, family = name.split()
    details = person(n, given_name=given, family_name=family, email=f"d{n}@press.example")
    return NewDelegate(registration_type=rtype, details=details)


def _manager(congress):
    manager = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    assert not manager.is_superuser
    return manager


def test_a_registration_manager_bulk_approves_five_awaiting_orders(page, live_server, congress):
    manager = _manager(congress)
    press = RegistrationTypeFactory(
        congress=congress,
        code="press",
        name="Press",
        regular_price=Decimal("80.00"),
        requires_approval=True,
    )
    member = RegistrationTypeFactory(congress=congress, code="member", name="Member")
    orders = [
        place_order(
            **order_kwargs(
                congress,
                press,
                contact_name=name,
                email=f"contact{n}@press.example",
                client_address=f"10.0.0.{n}",
                delegates=[_delegate(press, n, name)],
            )
        )
        for n, name in enumerate(NAMES)
    ]
    place_order(**order_kwargs(congress, member, email="paying@city.example"))
    page = signed_in(page, live_server, manager, width=1280, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/")
    page.get_by_label("Status").select_option("awaiting_approval")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator(".delegate-count")).to_contain_text("6 delegates")
    boxes = page.locator('input[name="selected"]')
    assert boxes.count() == 6
    for n in range(5):
        boxes.nth(n).check()
    page.locator("#bulk-action").select_option("approve")
    screenshot(page, "manage-bulk-list.png")
    page.locator("#bulk-continue").click()

    expect(page.locator("body")).to_contain_text("5 orders will be handled")
    expect(page.locator(".consequences")).to_contain_text("5 e-mails will be sent")
    page.get_by_label("Message to the registrants (optional)").fill("Welcome to the press room.")
    screenshot(page, "manage-bulk-confirm.png")
    page.locator("#bulk-confirm").click()

    expect(page.locator("#job-finished")).to_be_visible()
    expect(page.locator(".job-done")).to_have_text("5")
    expect(page.locator(".job-failed")).to_have_text("0")
    screenshot(page, "manage-bulk-job.png")
    statuses = dict(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("pk", "status"))
    assert sorted(statuses.values()).count(OrderStatus.PENDING_PAYMENT) == 5
    assert statuses[orders[2].pk] == OrderStatus.AWAITING_APPROVAL  # Tanaka, last A-Z: not ticked

    page.get_by_role("link", name="Recent bulk jobs").click()
    expect(page.locator("table.bulk-jobs tbody tr")).to_have_count(1)
    page.goto(
        f"{live_server.url}/{congress.slug}/manage/registrations/?status=pending_payment&type=press"
    )
    expect(page.locator(".delegate-count")).to_contain_text("5 delegates")


def test_the_progress_bar_follows_a_running_job_and_the_page_shows_the_end(
    page, live_server, congress, server_quiet
):
    manager = _manager(congress)
    job = BulkJob.objects.create(
        congress=congress,
        kind=BulkKind.CANCEL_ORDERS,
        token="running",
        requested_by=manager,
        status=BulkJobStatus.RUNNING,
        total=40,
        done=12,
        skipped=2,
    )
    page = signed_in(page, live_server, manager, width=1280, height=800)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/bulk/jobs/{job.pk}/")
    expect(page.locator(".job-handled")).to_have_text("14")
    screenshot(page, "manage-bulk-progress.png")
    # the page asks for the job every second: write between its requests, never beside one
    # (on SQLite in memory they share the test's connection)
    with server_quiet:
        BulkJob.objects.filter(pk=job.pk).update(done=30)
    expect(page.locator(".job-handled")).to_have_text("32")  # updated by the script
    assert page.locator("#job-progress").get_attribute("value") == "80"
    with server_quiet:
        BulkJob.objects.filter(pk=job.pk).update(done=37, failed=1, status=BulkJobStatus.DONE)
    expect(page.locator("#job-finished")).to_be_visible()  # reloaded once finished
    expect(page.locator(".job-failed")).to_have_text("1")
