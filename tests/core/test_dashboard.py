"""The back office dashboard: each role sees only its panels, every figure equals a hand count
of a known set of delegates, orders, payments and check-ins, the charts are SVG without inline
style that escapes hostile names, and the page's queries stay fixed at 20,000 delegates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from badges.models import Badge, CheckIn, PrintJob
from events_site.congresses.dashboard import Chart, Point, bar_layout, column_layout, panels_for
from events_site.congresses.enums import Perm, Role
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Invoice, Order, Payment, Refund
from registrations.payments.enums import PaymentProvider, PaymentState, RefundState
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
# 14:30 in Seoul, the congress's zone: "today" there runs from 15:00 UTC the day before.
NOW = dt.datetime(2027, 5, 11, 14, 30, tzinfo=SEOUL)
HOSTILE_TYPE = '<script>alert("x")</script> مؤتمر'
ALL_PANELS = {"registrations", "capacity", "payments", "on-site"}


def _member(congress, role: str):
    person = UserFactory(username=f"{role}-person")
    TeamMembershipFactory(congress=congress, user=person, role=role)
    return person


def _order(congress, status, *, total="0.00", **fields):
    return OrderFactory(
        congress=congress,
        status=status,
        total=Decimal(total),
        hold_expires_at=NOW + dt.timedelta(days=30),
        **fields,
    )


@pytest.fixture
def world(congress):
    """Six registered delegates (three paid at a member rate, two pending at another rate, one
    awaiting approval at the member rate with no country), one in a cancelled order, one
    cancelled in the paid order; money, an overdue invoice, check-ins and prints."""
    member = RegistrationTypeFactory(
        congress=congress, name="Member", requires_membership=True, capacity=10, position=1
    )
    other = RegistrationTypeFactory(congress=congress, name=HOSTILE_TYPE, position=2)
    paid = _order(congress, OrderStatus.PAID, total="1350.00", paid_at=NOW)
    pending = _order(congress, OrderStatus.PENDING_PAYMENT, total="1300.00")
    awaiting = _order(congress, OrderStatus.AWAITING_APPROVAL, total="450.00")
    cancelled = _order(congress, OrderStatus.CANCELLED, total="650.00")
    paid_delegates = [
        DelegateFactory(order=paid, registration_type=member, country="PT") for _ in range(3)
    ]
    DelegateFactory(order=paid, registration_type=member, country="PT", is_cancelled=True)
    for _ in range(2):
        DelegateFactory(order=pending, registration_type=other, country="FR")
    DelegateFactory(order=awaiting, registration_type=member, country="")
    DelegateFactory(order=cancelled, registration_type=other, country="FR")
    # Registered on the day, three days ago and 90 days ago (before the 60-day window).
    Delegate.objects.filter(order=paid).update(created_at=NOW)
    Delegate.objects.filter(order=pending).update(created_at=NOW - dt.timedelta(days=3))
    Delegate.objects.filter(order=awaiting).update(created_at=NOW - dt.timedelta(days=90))
    Delegate.objects.filter(order=cancelled).update(created_at=NOW)

    Payment.objects.create(
        order=paid,
        provider=PaymentProvider.STRIPE,
        amount=Decimal("900.00"),
        currency="EUR",
        state=PaymentState.SUCCEEDED,
        succeeded_at=NOW,
    )
    transfer = Payment.objects.create(
        order=paid,
        provider=PaymentProvider.BANK_TRANSFER,
        amount=Decimal("450.00"),
        currency="EUR",
        state=PaymentState.SUCCEEDED,
        succeeded_at=NOW - dt.timedelta(days=5),
    )
    Payment.objects.create(
        order=pending,
        provider=PaymentProvider.STRIPE,
        amount=Decimal("1300.00"),
        currency="EUR",
        state=PaymentState.FAILED,
    )
    Refund.objects.create(
        payment=transfer,
        order=paid,
        amount=Decimal("50.00"),
        currency="EUR",
        state=RefundState.SUCCEEDED,
    )
    Invoice.objects.create(
        congress=congress,
        order=pending,
        number=1,
        full_number="WCG-1",
        issued_at=NOW - dt.timedelta(days=20),
        due_date=NOW.date() - dt.timedelta(days=1),
        currency="EUR",
        net=Decimal("1300.00"),
        tax=Decimal("0.00"),
        gross=Decimal("1300.00"),
        tax_rate=Decimal("0.00"),
        tax_label="VAT",
    )
    badges = [
        Badge.objects.create(delegate=delegate, congress=congress) for delegate in paid_delegates
    ]
    Badge.objects.filter(pk=badges[0].pk).update(printed_at=NOW, print_count=1)
    Badge.objects.filter(pk=badges[1].pk).update(printed_at=NOW, print_count=3)
    at_nine = NOW.replace(hour=9, minute=5)
    for badge, at, desk in [
        (badges[0], at_nine, "Hall A"),
        (badges[1], at_nine.replace(minute=40), "Hall A"),
        (badges[2], NOW.replace(hour=10, minute=1), ""),
    ]:
        CheckIn.objects.create(congress=congress, badge=badge, at=at, desk=desk)
        Badge.objects.filter(pk=badge.pk).update(checked_in_at=at, checked_in_desk=desk)
    # Yesterday's check-in (a re-used badge row would be refused; any badge will do for a count).
    CheckIn.objects.create(
        congress=congress, badge=badges[2], at=NOW - dt.timedelta(days=1), desk="Hall B"
    )
    PrintJob.objects.create(congress=congress, badge_count=2)
    return {"member": member, "other": other}


def _panels(congress, perms=Perm.values):
    return {panel.key: panel for panel in panels_for(congress, perms, now=NOW)}


def _figures(panel) -> dict:
    return {figure.label: figure.value for figure in panel.figures}


def _chart(panel, title_start: str) -> dict:
    chart = next(chart for chart in panel.charts if chart.title.startswith(title_start))
    return {point.label: point.value for point in chart.points}


def test_the_registration_figures_equal_the_hand_counts(congress, world):
    panel = _panels(congress)["registrations"]
    assert _figures(panel) == {
        "Registered delegates": 6,
        "Paid": 3,
        "Awaiting approval": 1,
        "Pending payment": 2,
        "At a member rate": 4,
        "At another rate": 2,
    }
    assert _chart(panel, "By registration type") == {"Member": 4, HOSTILE_TYPE: 2}
    assert _chart(panel, "By order status") == {
        "Paid": 3,
        "Pending payment": 2,
        "Awaiting approval": 1,
        "Cancelled": 1,
        "Delegate cancelled": 1,
    }
    assert _chart(panel, "By country") == {"Portugal": 3, "France": 2, "Not given": 1}
    assert _chart(panel, "Member and") == {"Member rate": 4, "Other rates": 2}


def test_the_registrations_per_day_and_the_running_total_start_from_before_the_window(
    congress, world
):
    panel = _panels(congress)["registrations"]
    per_day = next(chart for chart in panel.charts if chart.kind == "columns")
    assert len(per_day.points) == 60
    assert [point.value for point in per_day.points][-4:] == [2, 0, 0, 3]
    # The delegate awaiting approval registered 90 days ago: counted in the running total only.
    assert per_day.cumulative[0] == 1
    assert per_day.cumulative[-1] == 6
    assert sum(point.value for point in per_day.points) == 5


def test_the_capacity_figures_are_sold_held_and_left_per_type(congress, world):
    panel = _panels(congress)["capacity"]
    assert _chart(panel, "Seats sold") == {"Member": 3, HOSTILE_TYPE: 0}
    assert _chart(panel, "Seats held") == {"Member": 1, HOSTILE_TYPE: 2}
    left = next(chart for chart in panel.charts if chart.title.startswith("Seats left"))
    assert [(point.label, point.shown) for point in left.points] == [
        ("Member", "6"),
        (HOSTILE_TYPE, "unlimited"),
    ]
    assert _figures(panel) == {"Capacity": None, "Sold": 3, "Held, not paid": 3, "Left": None}


def test_the_payment_figures_are_the_money_received_refunded_outstanding_and_overdue(
    congress, world
):
    panel = _panels(congress)["payments"]
    assert _figures(panel) == {
        "Received": Decimal("1350.00"),
        "Refunded": Decimal("50.00"),
        "Net": Decimal("1300.00"),
        "Outstanding": Decimal("1300.00"),
        "Overdue": Decimal("1300.00"),
        "Overdue orders": 1,
    }
    shown = {figure.label: figure.shown for figure in panel.figures}
    assert shown["Received"] == "€1,350.00"
    assert _chart(panel, "Received by method") == {"Card (Stripe)": 900.0, "Bank transfer": 450.0}
    states = _chart(panel, "Payments by state")
    assert states["Succeeded"] == 2 and states["Failed"] == 1 and states["Started"] == 0
    per_day = _chart(panel, "Money received per day")
    assert sum(per_day.values()) == 1350.0
    assert list(per_day.values())[-1] == 900.0 and list(per_day.values())[-6] == 450.0


def test_the_money_is_written_the_way_the_reader_s_language_writes_it(congress, world):
    with translation.override("fr"):
        panel = _panels(congress)["payments"]
    received = next(figure for figure in panel.figures if figure.value == Decimal("1350.00"))
    assert received.shown.replace("\u202f", " ").replace("\xa0", " ") == "1 350,00 €"


def test_the_on_site_figures_count_today_s_check_ins_per_hour_and_desk_and_the_prints(
    congress, world
):
    panel = _panels(congress)["on-site"]
    assert _figures(panel) == {
        "Checked in today": 3,
        "Checked in in all": 3,
        "May enter": 3,
        "Badges printed": 2,
        "Prints, reprints included": 4,
        "Print jobs waiting or failed": 1,
    }
    per_hour = _chart(panel, "Check-ins per hour")
    assert len(per_hour) == 24
    assert per_hour["09:00"] == 2 and per_hour["10:00"] == 1 and sum(per_hour.values()) == 3
    assert _chart(panel, "Check-ins today per desk") == {"Hall A": 2, "No desk named": 1}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OWNER, ALL_PANELS),
        (Role.REGISTRATION, {"registrations", "capacity", "on-site"}),
        (Role.FINANCE, {"registrations", "capacity", "payments"}),
        (Role.CHECKIN, {"on-site"}),
        (Role.PROGRAMME, set()),
    ],
)
def test_each_role_sees_only_the_panels_its_permissions_allow(
    client, congress, world, role, expected
):
    client.force_login(_member(congress, role))
    response = client.get(reverse("congresses:backoffice", args=[congress.slug]))
    assert response.status_code == 200
    shown = set(re.findall(r'dashboard-panel" id="panel-([a-z-]+)"', response.content.decode()))
    assert shown == expected
    assert {panel.key for panel in response.context["panels"]} == expected


def test_programme_sees_no_registration_figure(client, congress, world):
    client.force_login(_member(congress, Role.PROGRAMME))
    page = client.get(reverse("congresses:backoffice", args=[congress.slug])).content.decode()
    for word in ("Registered delegates", "Member", "Portugal", "Received", "<svg"):
        assert word not in page


def test_check_in_staff_see_their_panel_and_not_the_venues(client, congress, world):
    client.force_login(_member(congress, Role.CHECKIN))
    page = client.get(reverse("congresses:backoffice", args=[congress.slug])).content.decode()
    assert "Check-ins per hour today" in page
    assert "Venues and rooms" not in page


def test_a_stranger_is_refused_the_dashboard(client, congress, charlie, world):
    client.force_login(charlie)
    assert client.get(reverse("congresses:backoffice", args=[congress.slug])).status_code == 403


def test_the_charts_are_svg_without_inline_style_and_escape_hostile_names(
    client, congress, alice, world
):
    Delegate.objects.filter(country="FR").update(country="IL")
    client.force_login(alice)
    page = client.get(reverse("congresses:backoffice", args=[congress.slug])).content.decode()
    assert page.count('role="img"') >= 8
    assert " style=" not in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; مؤتمر" in page
    assert 'role="img"' in page and "<title id=" in page
    # Each chart's numbers also in a table under it.
    assert page.count('<details class="chart-table">') == page.count('role="img"')


def test_the_charts_mirror_for_a_right_to_left_language():
    chart = Chart("By type", [Point("a", 10), Point("b", 5)])
    ltr, rtl = bar_layout(chart, rtl=False), bar_layout(chart, rtl=True)
    assert ltr["rows"][0].bar_x == 220 and ltr["rows"][0].label_x == 4
    # In right to left the label sits at the right edge and the bar grows towards the left.
    assert rtl["rows"][0].label_x == 636
    assert rtl["rows"][0].bar_x + rtl["rows"][0].bar_width == 640 - 220
    series = Chart("Per day", [Point("1", 1), Point("2", 2)], kind="columns", cumulative=[1, 3])
    assert column_layout(series, rtl=False)["columns"][0].x < 320
    assert column_layout(series, rtl=True)["columns"][0].x > 320


def test_the_page_in_arabic_draws_the_charts_right_to_left(client, congress, alice, world):
    client.force_login(alice)
    response = client.get(
        reverse("congresses:backoffice", args=[congress.slug]), HTTP_ACCEPT_LANGUAGE="ar"
    )
    page = response.content.decode()
    assert 'dir="rtl"' in page
    assert 'direction="rtl"' in page
    assert " style=" not in page


def _populate(congress, types, delegates: int, *, offset: int = 0) -> None:
    """``delegates`` more delegates in orders of 10, spread over statuses, types and
    countries, with a payment for every third order and a badge and a check-in for every tenth
    delegate, through ``bulk_create``."""
    statuses = [OrderStatus.PAID, OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_APPROVAL]
    countries = ["PT", "FR", "DE", "KR", "JP", "BR", "NG", "IN", "US", "CA", "MX", "EG", "IL"]
    now = timezone.now()
    orders = Order.objects.bulk_create(
        Order(
            congress=congress,
            contact_name="Bulk",
            email=f"bulk{index}@example.org",
            currency="EUR",
            status=statuses[index % 3],
            total=Decimal("100.00"),
            code=f"B{index:07d}",
            secret=f"secret-{index}",
            hold_expires_at=now + dt.timedelta(days=30),
        )
        for index in range(offset // 10, (offset + delegates) // 10)
    )
    rows = Delegate.objects.bulk_create(
        Delegate(
            order=orders[(index - offset) // 10],
            registration_type=types[index % len(types)],
            given_name="Ana",
            family_name=f"Bulk{index}",
            email=f"d{index}@example.org",
            country=countries[index % len(countries)],
            secret=f"delegate-{index}",
        )
        for index in range(offset, offset + delegates)
    )
    Payment.objects.bulk_create(
        Payment(
            order=order,
            provider=PaymentProvider.STRIPE,
            amount=Decimal("100.00"),
            currency="EUR",
            state=PaymentState.SUCCEEDED,
            succeeded_at=now,
            provider_id=f"pi_{order.code}",
        )
        for order in orders[::3]
    )
    badges = Badge.objects.bulk_create(
        Badge(delegate=delegate, congress=congress, secret=f"badge-{delegate.secret}")
        for delegate in rows[::10]
    )
    CheckIn.objects.bulk_create(
        CheckIn(congress=congress, badge=badge, at=now, desk=f"Desk {index % 4}")
        for index, badge in enumerate(badges)
    )


def _count_queries(client, congress) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("congresses:backoffice", args=[congress.slug]))
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_s_queries_stay_fixed_at_twenty_thousand_delegates(
    client, congress, alice, django_assert_max_num_queries
):
    types = [
        RegistrationTypeFactory(congress=congress, name=f"Type {n}", capacity=30_000)
        for n in range(6)
    ]
    _populate(congress, types, 100)
    client.force_login(alice)
    small = _count_queries(client, congress)
    _populate(congress, types, 19_900, offset=100)
    assert Delegate.objects.count() == 20_000
    cache.clear()  # the panels are kept for half a minute (dashboard_for): count them again
    with django_assert_max_num_queries(small):
        response = client.get(reverse("congresses:backoffice", args=[congress.slug]))
    assert small <= 30
    registrations = {panel.key: panel for panel in response.context["panels"]}["registrations"]
    assert _figures(registrations)["Registered delegates"] == 20_000
