"""The dashboard's series over time count each row on the day (and hour) of the congress's
zone, as a person there reads the clock: a registration at 23:30 in Seoul is on that day even
though it is the same UTC day as one at 00:10 the next; a day across the end of summer time in
Berlin lasts 25 hours and its repeated hour counts both passes. The buckets are plain
comparisons in the database, and they give exactly what ``TruncDate``/``ExtractHour`` with the
zone give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import translation

from badges.models import Badge, CheckIn
from events_site.congresses.dashboard import day_edges, hour_edges, panels_for, per_day, per_hour
from events_site.congresses.enums import Perm
from registrations.dashboard import day_label
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Payment
from registrations.payments.enums import PaymentProvider, PaymentState
from tests.factories import DelegateFactory, OrderFactory, RegistrationTypeFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def _in_zone(congress, zone: ZoneInfo):
    congress.time_zone = str(zone)
    congress.save(update_fields=["time_zone"])
    return congress


def _registered_at(congress, *instants: dt.datetime) -> list[Delegate]:
    rtype = RegistrationTypeFactory(congress=congress)
    order = OrderFactory(congress=congress, status=OrderStatus.PAID, total=Decimal("0.00"))
    delegates = [DelegateFactory(order=order, registration_type=rtype) for _ in instants]
    for delegate, at in zip(delegates, instants, strict=True):
        Delegate.objects.filter(pk=delegate.pk).update(created_at=at)
    return delegates


def _panel(congress, key: str, now: dt.datetime):
    with translation.override("en"):
        return {panel.key: panel for panel in panels_for(congress, Perm.values, now=now)}[key]


def _chart(panel, title_start: str) -> dict:
    chart = next(chart for chart in panel.charts if chart.title.startswith(title_start))
    return {point.label: point.value for point in chart.points}


def test_a_registration_at_half_past_eleven_in_seoul_counts_on_that_seoul_day(congress):
    _in_zone(congress, SEOUL)
    late = dt.datetime(2027, 5, 10, 23, 30, tzinfo=SEOUL)
    early = dt.datetime(2027, 5, 11, 0, 10, tzinfo=SEOUL)
    assert late.astimezone(UTC).date() == early.astimezone(UTC).date()  # one UTC day
    _registered_at(congress, late, early, early)
    order = Delegate.objects.first().order
    for at, amount in ((late, "100.00"), (early, "30.00")):
        Payment.objects.create(
            order=order,
            provider=PaymentProvider.STRIPE,
            amount=Decimal(amount),
            currency="EUR",
            state=PaymentState.SUCCEEDED,
            succeeded_at=at,
        )
    now = dt.datetime(2027, 5, 11, 14, 30, tzinfo=SEOUL)

    per_day_chart = _chart(_panel(congress, "registrations", now), "Delegates registered per")
    with translation.override("en"):
        tenth, eleventh = day_label(dt.date(2027, 5, 10)), day_label(dt.date(2027, 5, 11))
    assert per_day_chart[tenth] == 1 and per_day_chart[eleventh] == 2
    assert sum(per_day_chart.values()) == 3 and list(per_day_chart)[-1] == eleventh
    money = _chart(_panel(congress, "payments", now), "Money received per day")
    assert money[tenth] == 100.0 and money[eleventh] == 30.0


def test_the_day_summer_time_ends_in_berlin_holds_its_25_hours(congress):
    _in_zone(congress, BERLIN)
    _registered_at(
        congress,
        dt.datetime(2027, 10, 30, 23, 30, tzinfo=BERLIN),  # summer time, the day before
        dt.datetime(2027, 10, 31, 0, 30, tzinfo=BERLIN),  # summer time, 22:30 UTC on the 30th
        dt.datetime(2027, 10, 31, 23, 30, tzinfo=BERLIN),  # winter time, 22:30 UTC on the 31st
        dt.datetime(2027, 11, 1, 0, 30, tzinfo=BERLIN),  # 23:30 UTC on the 31st
    )
    now = dt.datetime(2027, 11, 1, 12, tzinfo=BERLIN)
    chart = _chart(_panel(congress, "registrations", now), "Delegates registered per")
    with translation.override("en"):
        days = [day_label(dt.date(2027, 10, 30) + dt.timedelta(days=n)) for n in range(3)]
    assert [chart[day] for day in days] == [1, 2, 1]
    edges = day_edges(dt.date(2027, 10, 31), 1, BERLIN)
    assert edges[1] - edges[0] == dt.timedelta(hours=25)


def test_check_ins_per_hour_on_the_days_the_clocks_change(congress):
    _in_zone(congress, BERLIN)
    rtype = RegistrationTypeFactory(congress=congress)
    order = OrderFactory(congress=congress, status=OrderStatus.PAID, total=Decimal("0.00"))
    badge = Badge.objects.create(
        delegate=DelegateFactory(order=order, registration_type=rtype), congress=congress
    )
    back = [
        dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC),  # 02:30 summer time
        dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC),  # 02:30 again, winter time
        dt.datetime(2027, 10, 31, 2, 10, tzinfo=UTC),  # 03:10
        dt.datetime(2027, 10, 31, 22, 59, tzinfo=UTC),  # 23:59, the day's last minute
        dt.datetime(2027, 10, 31, 23, 0, tzinfo=UTC),  # midnight: the next day
    ]
    for at in back:
        CheckIn.objects.create(congress=congress, badge=badge, at=at, desk="A")
    panel = _panel(congress, "on-site", dt.datetime(2027, 10, 31, 15, tzinfo=BERLIN))
    hours = _chart(panel, "Check-ins per hour")
    assert len(hours) == 24
    assert (hours["02:00"], hours["03:00"], hours["23:00"], sum(hours.values())) == (2, 1, 1, 4)
    assert {f.label: f.value for f in panel.figures}["Checked in today"] == 4

    spring = hour_edges(dt.date(2027, 3, 28), BERLIN)
    assert [hour for _start, _end, hour in spring] == [0, 1, *range(3, 24)]
    fall = hour_edges(dt.date(2027, 10, 31), BERLIN)
    assert len(fall) == 24 and fall[2][1] - fall[2][0] == dt.timedelta(hours=2)
    kolkata = hour_edges(dt.date(2027, 5, 11), ZoneInfo("Asia/Kolkata"))  # UTC+05:30
    assert kolkata[0][0] == dt.datetime(2027, 5, 10, 18, 30, tzinfo=UTC) and len(kolkata) == 24


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "Asia/Seoul", "America/Sao_Paulo", "Asia/Kathmandu"]
)
def test_the_buckets_give_what_the_database_s_zone_conversion_gives(congress, zone):
    tz = ZoneInfo(zone)
    start = dt.datetime(2027, 10, 1, tzinfo=UTC)
    # every 97 minutes for 60 days: every hour of the clock, both sides of Berlin's change
    instants = [start + dt.timedelta(minutes=97 * n) for n in range(60 * 24 * 60 // 97)]
    _registered_at(congress, *instants)
    rows = Delegate.objects.all()
    first = dt.date(2027, 10, 2)
    expected = dict(
        rows.filter(created_at__gte=day_edges(first, 1, tz)[0])
        .filter(created_at__lt=day_edges(first, 50, tz)[-1])
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    assert per_day(rows, "created_at", first, 50, tz, Count("pk")) == expected
    for day in (dt.date(2027, 10, 31), dt.date(2027, 11, 7), dt.date(2027, 10, 15)):
        low, high = day_edges(day, 1, tz)
        expected_hours = dict(
            rows.filter(created_at__gte=low, created_at__lt=high)
            .annotate(hour=ExtractHour("created_at", tzinfo=tz))
            .values_list("hour")
            .annotate(n=Count("pk"))
            .order_by()
        )
        assert per_hour(rows, "created_at", day, tz, Count("pk")) == expected_hours
