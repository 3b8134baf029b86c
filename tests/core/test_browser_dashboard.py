"""The back office dashboard in Chromium: the owner (not a superuser) sees every panel with its
charts drawn and no Content-Security-Policy complaint; check-in staff see the on-site panel
only. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import datetime as dt
import os
import random
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from badges.models import Badge, CheckIn
from events_site.congresses.enums import Role
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Order, Payment, RegistrationType
from registrations.payments.enums import PaymentProvider, PaymentState
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

COUNTRIES = ["KR", "JP", "PT", "FR", "DE", "BR", "NG", "IN", "US", "MX", "EG", "IL", "KE", "VN"]


def _a_congress_in_full_swing(congress) -> None:
    """About 700 delegates registered over two months, a third paid by card or transfer, and
    this morning's check-ins at two desks."""
    rng = random.Random(15)  # noqa: S311 - demo data
    types = [
        RegistrationType.objects.create(
            congress=congress, code=code, name=name, capacity=capacity, position=index, **extra
        )
        for index, (code, name, capacity, extra) in enumerate(
            [
                ("member", "Member local government", 400, {"requires_membership": True}),
                ("non-member", "Non-member local government", 300, {}),
                ("student", "Student", 80, {}),
                ("press", "Press", None, {"requires_approval": True}),
            ]
        )
    ]
    now = timezone.now()
    statuses = [OrderStatus.PAID] * 6 + [OrderStatus.PENDING_PAYMENT] * 3
    statuses += [OrderStatus.AWAITING_APPROVAL, OrderStatus.CANCELLED]
    orders = Order.objects.bulk_create(
        Order(
            congress=congress,
            contact_name="Delegation",
            email=f"contact{index}@city.example",
            currency=congress.currency,
            status=rng.choice(statuses),
            total=Decimal("450.00"),
            code=f"D{index:07d}",
            secret=f"order-{index}",
            hold_expires_at=now + dt.timedelta(days=20),
        )
        for index in range(350)
    )
    delegates = Delegate.objects.bulk_create(
        Delegate(
            order=orders[index // 2],
            registration_type=rng.choices(types, weights=[5, 3, 1, 1])[0],
            given_name="Delegate",
            family_name=f"No. {index}",
            email=f"delegate{index}@city.example",
            country=rng.choice(COUNTRIES[: rng.randint(3, len(COUNTRIES))]),
            secret=f"delegate-{index}",
        )
        for index in range(700)
    )
    for day in range(60):
        chunk = [d.pk for d in delegates if (d.pk * 7919) % 97 % 60 == day]
        Delegate.objects.filter(pk__in=chunk).update(
            created_at=now - dt.timedelta(days=59 - day, hours=rng.randint(0, 6))
        )
    paid = [order for order in orders if order.status == OrderStatus.PAID]
    Payment.objects.bulk_create(
        Payment(
            order=order,
            provider=rng.choice([PaymentProvider.STRIPE, PaymentProvider.BANK_TRANSFER]),
            amount=Decimal("450.00") * rng.randint(1, 2),
            currency=congress.currency,
            state=PaymentState.SUCCEEDED,
            succeeded_at=now - dt.timedelta(days=rng.randint(0, 50)),
            provider_id=f"pi_{order.code}",
        )
        for order in paid
    )
    badges = Badge.objects.bulk_create(
        Badge(delegate=delegate, congress=congress, secret=f"badge-{delegate.secret}")
        for delegate in delegates[:240]
    )
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=3)
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(
            congress=congress,
            badge=badge,
            at=max(start, now - dt.timedelta(hours=rng.randint(0, 3), minutes=rng.randint(0, 59))),
            desk=rng.choice(["Hall A", "Hall A", "Hall B"]),
        )
        for badge in badges[:90]
    )
    for check_in in check_ins:
        Badge.objects.filter(pk=check_in.badge_id).update(
            checked_in_at=check_in.at, checked_in_desk=check_in.desk
        )
    Badge.objects.filter(pk__in=[badge.pk for badge in badges[:200]]).update(
        printed_at=now - dt.timedelta(days=1), print_count=1
    )


def _csp_complaints(page) -> list[str]:
    complaints: list[str] = []
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return complaints


def test_the_owner_reads_every_panel_of_the_dashboard(page, live_server, congress, alice):
    assert not alice.is_superuser
    congress.time_zone = "UTC"
    congress.save(update_fields=["time_zone"])
    _a_congress_in_full_swing(congress)
    page = signed_in(page, live_server, alice, width=1280, height=900)
    complaints = _csp_complaints(page)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    for title in ("Registrations", "Capacity", "Payments", "On site"):
        assert page.get_by_role("heading", name=title, exact=True).count() == 1
    assert page.locator('svg[role="img"]').count() >= 10
    registered = page.locator("#panel-registrations dd").first.inner_text()
    assert int(registered.replace(",", "")) > 0
    # The figures behind a chart open as a table.
    page.locator("#panel-registrations summary").nth(2).click()
    assert page.locator("#panel-registrations details[open] tbody tr").count() >= 1
    assert complaints == []
    screenshot(page, "manage-dashboard.png")


def test_check_in_staff_see_the_on_site_panel_only(page, live_server, congress):
    congress.time_zone = "UTC"
    congress.save(update_fields=["time_zone"])
    _a_congress_in_full_swing(congress)
    person = UserFactory(username="desk-staff")
    TeamMembershipFactory(congress=congress, user=person, role=Role.CHECKIN)
    page = signed_in(page, live_server, person, width=1280, height=800)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    panels = page.locator("section.dashboard-panel h2").all_inner_texts()
    assert panels == ["On site"]
    assert page.locator("figcaption", has_text="Check-ins per hour today").count() == 1
    expect(page.get_by_text("Registered delegates")).to_have_count(0)
    screenshot(page, "manage-dashboard-checkin.png")


def test_the_owner_reads_this_congress_against_the_last_one(page, live_server, congress, alice):
    """A congress copied from last year's: the registrations and the money per day carry last
    year's running total as a dashed line, and the delegates are grouped by world region."""
    from events_site.congresses.models import Congress
    from tests.factories import CongressFactory

    congress.time_zone = "UTC"
    congress.save(update_fields=["time_zone"])
    _a_congress_in_full_swing(congress)
    year = dt.timedelta(days=365)
    last = CongressFactory(
        slug="wcg-2026",
        name="WCG 2026",
        time_zone="UTC",
        start_date=congress.start_date - year,
        end_date=congress.end_date - year,
    )
    rtype = RegistrationType.objects.create(congress=last, code="m", name="Member")
    order = Order.objects.create(
        congress=last, contact_name="Last", email="last@city.example", currency="EUR",
        status=OrderStatus.PAID, total=Decimal("45000.00"),
    )  # fmt: skip
    now = timezone.now()
    rows = Delegate.objects.bulk_create(
        Delegate(
            order=order, registration_type=rtype, given_name="Last", family_name=f"Year {n}",
            email=f"last{n}@city.example", country="PT", secret=f"last-{n}",
        )
        for n in range(500)
    )  # fmt: skip
    for row in rows:
        Delegate.objects.filter(pk=row.pk).update(
            created_at=now - year - dt.timedelta(days=(row.pk * 31) % 75)
        )
    Congress.objects.filter(pk=congress.pk).update(copied_from=last)
    page = signed_in(page, live_server, alice, width=1280, height=900)
    complaints = _csp_complaints(page)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    assert page.locator("#panel-registrations polyline.compare-line").count() == 1
    assert page.locator("#panel-registrations").get_by_text("WCG 2026 at the same point").count()
    assert page.locator("figcaption", has_text="By world region").count() == 1
    assert complaints == []
    screenshot(page, "manage-dashboard-last-congress.png")
