# ruff: noqa: F811 - the shared ``world`` fixture is a parameter of most tests
"""The dashboard's second part: registrations and money over time against the congress whose
set-up was copied, delegates by world region, seats of capacity-limited sessions (the agenda's
panel), badge prints per congress day; each figure against a hand count, queries fixed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges import dashboard as badges_dashboard
from badges.enums import PrintJobStatus
from badges.models import PrintJob
from events_site.congresses.dashboard import Chart, Point, column_layout
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.setup_copy import copy_setup
from registrations import dashboard
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Payment
from registrations.payments import dashboard as payments_dashboard
from registrations.payments.enums import PaymentProvider, PaymentState
from sessions import dashboard as sessions_dashboard
from sessions.enums import SessionStatus, SignupStatus
from sessions.models import Session, SessionSignup
from tests.core.test_dashboard import NOW, SEOUL, _chart, _figures, _order
from tests.core.test_dashboard import world as world  # noqa: F401 - the shared fixture
from tests.core.test_setup_copy import make_draft
from tests.factories import CongressFactory, DelegateFactory, RegistrationTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year(congress):
    """Last year's congress (one year earlier, same zone): delegates and money at known
    distances from its start, and this congress copied from it."""
    source = CongressFactory(
        slug="wcg-2026",
        name="WCG 2026",
        start_date=congress.start_date - dt.timedelta(days=365),
        end_date=congress.end_date - dt.timedelta(days=365),
    )
    rtype = RegistrationTypeFactory(congress=source, name="Member 2026")
    order = _order(source, OrderStatus.PAID, total="300.00")
    # The same distance before its start as NOW is before this congress's start, minus 0, 2, 70
    # days (70: before the window, counted in the running total only).
    same_point = NOW - dt.timedelta(days=365)
    for days_before in (0, 2, 2, 70):
        delegate = DelegateFactory(order=order, registration_type=rtype, country="KR")
        Delegate.objects.filter(pk=delegate.pk).update(
            created_at=same_point - dt.timedelta(days=days_before)
        )
    cancelled = DelegateFactory(order=order, registration_type=rtype, is_cancelled=True)
    Delegate.objects.filter(pk=cancelled.pk).update(created_at=same_point)
    for days_before, amount in ((1, "100.00"), (80, "40.00")):
        Payment.objects.create(
            order=order,
            provider=PaymentProvider.BANK_TRANSFER,
            amount=Decimal(amount),
            currency="EUR",
            state=PaymentState.SUCCEEDED,
            succeeded_at=same_point - dt.timedelta(days=days_before),
        )
    Congress.objects.filter(pk=congress.pk).update(copied_from=source)
    congress.copied_from_id = source.pk
    return source


def test_copying_a_set_up_remembers_the_first_source(congress, alice):
    draft = make_draft(congress, alice)
    copy_setup(source=congress, target=draft, by=alice, parts=["venues"])
    draft.refresh_from_db()
    assert draft.copied_from == congress
    other = CongressFactory(slug="third")
    from tests.factories import TeamMembershipFactory

    TeamMembershipFactory(congress=other, user=alice, role="owner")
    copy_setup(source=other, target=draft, by=alice, parts=["registration_types"])
    draft.refresh_from_db()
    assert draft.copied_from == congress


def test_registrations_over_time_hold_last_congress_at_the_same_point(congress, world, last_year):
    panel = dashboard.registrations_panel(congress, NOW)
    per_day = next(chart for chart in panel.charts if chart.kind == "columns")
    assert len(per_day.compare) == 60
    # last year: one delegate before the window, two 2 days before "now", one on the day
    assert per_day.compare[0] == 1
    assert per_day.compare[-3:] == [3, 3, 4]
    assert per_day.compare_heading == "WCG 2026 at the same point"
    assert per_day.cumulative[-1] == 6  # this congress, unchanged


def test_money_over_time_holds_last_congress_at_the_same_point(congress, world, last_year):
    panel = payments_dashboard.payments_panel(congress, NOW)
    per_day = next(chart for chart in panel.charts if chart.kind == "columns")
    assert per_day.compare[0] == 40.0 and per_day.compare[-1] == 140.0
    assert per_day.compare[-2] == 140.0 and per_day.compare[-3] == 40.0
    # this congress: 450 five days ago, 900 today
    assert per_day.cumulative[-1] == 1350.0 and per_day.cumulative[-6] == 450.0
    assert per_day.cumulative[-7] == 0.0


def test_without_a_copied_congress_there_is_no_compared_line(congress, world):
    panel = dashboard.registrations_panel(congress, NOW)
    per_day = next(chart for chart in panel.charts if chart.kind == "columns")
    assert per_day.compare == [] and per_day.compare_heading == ""


def test_the_compared_line_is_drawn_dashed_on_the_same_scale():
    chart = Chart(
        "Per day",
        [Point("1", 1), Point("2", 2)],
        kind="columns",
        cumulative=[1, 3],
        compare=[2, 6],
    )
    layout = column_layout(chart, rtl=False)
    assert layout["compare_line"].split()[-1].endswith(",0.0")  # 6 is the top
    assert layout["line"].split()[-1] == "480.0,80.0"  # 3 of 6: half way


def test_the_page_shows_the_compared_line_and_its_table_column(
    client, congress, alice, world, last_year
):
    a_year_ago = timezone.now() - dt.timedelta(days=365)  # the page draws the real today
    Delegate.objects.filter(order__congress=last_year).update(created_at=a_year_ago)
    Payment.objects.filter(order__congress=last_year).update(succeeded_at=a_year_ago)
    client.force_login(alice)
    page = client.get(reverse("congresses:backoffice", args=[congress.slug])).content.decode()
    assert page.count('class="compare-line"') == 2  # registrations and money
    assert "WCG 2026 at the same point" in page
    assert " style=" not in page


def test_delegates_by_world_region_equal_the_hand_count(congress, world):
    # world: 3 in PT (Europe), 2 in FR (Europe), 1 without a country
    panel = dashboard.registrations_panel(congress, NOW)
    assert _chart(panel, "By world region") == {"Europe": 5, "Not given": 1}
    Delegate.objects.filter(country="FR").update(country="KR")
    panel = dashboard.registrations_panel(congress, NOW)
    assert _chart(panel, "By world region") == {"Europe": 3, "Asia": 2, "Not given": 1}


def test_the_registrations_panel_queries_stay_fixed_with_a_copied_congress(
    congress,
    world,
    last_year,
):
    with CaptureQueriesContext(connection) as queries:
        dashboard.registrations_panel(congress, NOW)
    assert len(queries) == 5 + 3  # the last congress, its running total's two queries


# --- sessions --------------------------------------------------------------------------------


def _session(congress, code, capacity, status=SessionStatus.CONFIRMED):
    start = dt.datetime(2027, 5, 11, 9, tzinfo=SEOUL)
    return Session.objects.create(
        congress=congress,
        code=code,
        title=f"Workshop {code}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=capacity,
        status=status,
    )


@pytest.fixture
def workshops(congress, world):
    """W1 (4 seats): 2 paid seats, 1 pending, 1 on the waiting list; W2 (2 seats): full with
    one paid and one awaiting approval; a cancelled workshop and a session without a cap."""
    w1, w2 = _session(congress, "W1", 4), _session(congress, "W2", 2)
    _session(congress, "W3", 9, status=SessionStatus.CANCELLED)
    _session(congress, "P1", None)
    paid = list(Delegate.objects.filter(order__status=OrderStatus.PAID, is_cancelled=False))
    pending = list(Delegate.objects.filter(order__status=OrderStatus.PENDING_PAYMENT))
    awaiting = Delegate.objects.get(order__status=OrderStatus.AWAITING_APPROVAL)
    for delegate, session, status in [
        (paid[0], w1, SignupStatus.SEAT),
        (paid[1], w1, SignupStatus.SEAT),
        (pending[0], w1, SignupStatus.SEAT),
        (pending[1], w1, SignupStatus.WAITING),
        (paid[2], w2, SignupStatus.SEAT),
        (awaiting, w2, SignupStatus.SEAT),
    ]:
        SessionSignup.objects.create(delegate=delegate, session=session, status=status)
    return w1, w2


def test_session_seats_are_sold_held_and_left_per_session(congress, workshops):
    with CaptureQueriesContext(connection) as queries:
        [panel] = sessions_dashboard.panels(
            congress=congress, perms=frozenset({Perm.MANAGE_PROGRAMME}), now=NOW
        )
    assert len(queries) == 1
    assert _figures(panel) == {
        "Capacity-limited sessions": 2,
        "Seats sold": 3,
        "Seats held, not paid": 2,
        "Seats left": 1,
        "Full sessions": 1,
        "On waiting lists": 1,
    }
    assert _chart(panel, "Seats sold") == {"W1 Workshop W1": 2, "W2 Workshop W2": 1}
    assert _chart(panel, "Seats held") == {"W1 Workshop W1": 1, "W2 Workshop W2": 1}
    assert _chart(panel, "Seats left") == {"W1 Workshop W1": 1, "W2 Workshop W2": 0}


def test_no_session_panel_without_the_right_or_without_a_capacity_limited_session(
    congress,
    world,
):
    with CaptureQueriesContext(connection) as queries:
        assert (
            sessions_dashboard.panels(congress=congress, perms=frozenset({Perm.CHECK_IN}), now=NOW)
            == []
        )
    assert len(queries) == 0
    perms = frozenset({Perm.VIEW_REGISTRATIONS})
    assert sessions_dashboard.panels(congress=congress, perms=perms, now=NOW) == []


# --- badge prints on congress days -----------------------------------------------------------


def test_badges_printed_per_congress_day(congress, world):
    day_two = dt.datetime(2027, 5, 11, 8, tzinfo=SEOUL)
    for finished, count, status in [
        (day_two, 40, PrintJobStatus.DONE),
        (day_two + dt.timedelta(hours=3), 2, PrintJobStatus.DONE),
        (day_two, 99, PrintJobStatus.FAILED),
        (day_two - dt.timedelta(days=30), 500, PrintJobStatus.DONE),  # before the congress
    ]:
        PrintJob.objects.create(
            congress=congress, status=status, finished_at=finished, rendered_count=count
        )
    [panel] = badges_dashboard.panels(congress=congress, perms=frozenset({Perm.CHECK_IN}), now=NOW)
    per_day = next(c for c in panel.charts if c.title.startswith("Badges printed per"))
    assert [point.value for point in per_day.points] == [0, 42, 0, 0]  # 10–13 May
