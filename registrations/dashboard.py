"""The registrations' panels of the back office dashboard (``settings.BACKOFFICE_PANELS``):
who registered, when, for what, from where, and the seats per type. A fixed number of
aggregate queries whatever the number of delegates.

"Registered" means a delegate not cancelled in an order that still holds seats
(``lifecycle.LIVE_STATUSES``): the delegates the congress is counting on.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import formats
from django.utils.translation import gettext as _
from django_countries import countries

from events_site.congresses.dashboard import (
    Chart,
    Figure,
    Panel,
    Point,
    congress_day_window,
    counterpart_window,
    day_series,
    per_day,
    running_totals,
)
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress

from . import lifecycle, regions
from .lifecycle import OrderStatus
from .models import Delegate, RegistrationType
from .selectors import type_seats

DAYS = 60
TOP_COUNTRIES = 15
CANCELLED = "delegate_cancelled"  # a delegate cancelled in an order that goes on


def panels(*, congress: Congress, perms: frozenset[str], now: dt.datetime) -> list[Panel]:
    if Perm.VIEW_REGISTRATIONS not in perms:
        return []
    return [registrations_panel(congress, now), capacity_panel(congress)]


def last_congress(congress: Congress) -> Congress | None:
    """The congress this one's set-up was copied from (one query, only if there is one)."""
    if congress.copied_from_id is None:
        return None
    return Congress.objects.filter(pk=congress.copied_from_id).first()


def registered_per_day(congress: Congress, first: dt.date, start, zone) -> list[float]:
    """Running total of registered delegates over the ``DAYS`` days from ``first`` (two
    queries: before the window, and per day in it)."""
    live = registered(congress)
    before = live.filter(created_at__lt=start).count()
    counts = per_day(live, "created_at", first, DAYS, zone, Count("pk"))
    return running_totals(before, day_series(first, DAYS, counts))


def day_label(day: dt.date) -> str:
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def registered(congress: Congress):
    return Delegate.objects.filter(
        order__congress=congress,
        order__status__in=lifecycle.LIVE_STATUSES,
        is_cancelled=False,
    )


def registrations_panel(congress: Congress, now: dt.datetime) -> Panel:
    """Five queries: the totals, by day, by status, by type, by country. By status, a delegate
    counts under its order's status, or as cancelled alone when its live order goes on."""
    first, start, zone = congress_day_window(congress, now, DAYS)
    live = registered(congress)
    totals = live.aggregate(
        total=Count("pk"),
        paid=Count("pk", filter=Q(order__status__in=lifecycle.PAID_STATUSES)),
        awaiting=Count("pk", filter=Q(order__status=OrderStatus.AWAITING_APPROVAL)),
        pending=Count("pk", filter=Q(order__status=OrderStatus.PENDING_PAYMENT)),
        before=Count("pk", filter=Q(created_at__lt=start)),
    )
    series = day_series(first, DAYS, per_day(live, "created_at", first, DAYS, zone, Count("pk")))
    cumulative = running_totals(totals["before"], series)
    source = last_congress(congress)
    compare = (
        registered_per_day(source, *counterpart_window(congress, source, first, DAYS))
        if source is not None
        else []
    )

    status_names = {**dict(OrderStatus.choices), CANCELLED: _("Delegate cancelled")}
    by_status = (
        Delegate.objects.filter(order__congress=congress)
        .annotate(
            shown_status=Case(
                When(order__status__in=lifecycle.ENDED_STATUSES, then=F("order__status")),
                When(is_cancelled=True, then=Value(CANCELLED)),
                default=F("order__status"),
                output_field=CharField(),
            )
        )
        .values_list("shown_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    status_counts = dict(by_status)
    status_order = [*OrderStatus.values, CANCELLED]
    status_points = [
        Point(str(status_names[status]), status_counts[status])
        for status in status_order
        if status_counts.get(status)
    ]

    by_type = (
        live.values_list(
            "registration_type__name", "registration_type__requires_membership", "registration_type"
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "registration_type__name")
    )
    type_points, members = [], 0
    for name, member_rate, _pk, count in by_type:
        type_points.append(Point(name, count))
        if member_rate:
            members += count

    by_country = list(live.values_list("country").annotate(n=Count("pk")).order_by("-n", "country"))
    country_points = [
        Point(str(countries.name(code)) if code else _("Not given"), count)
        for code, count in by_country[:TOP_COUNTRIES]
    ]
    region_points = region_counts(by_country)

    total = totals["total"]
    return Panel(
        key="registrations",
        title=_("Registrations"),
        perms=(Perm.VIEW_REGISTRATIONS,),
        figures=[
            Figure(_("Registered delegates"), total),
            Figure(_("Paid"), totals["paid"]),
            Figure(_("Awaiting approval"), totals["awaiting"]),
            Figure(_("Pending payment"), totals["pending"]),
            Figure(_("At a member rate"), members),
            Figure(_("At another rate"), total - members),
        ],
        charts=[
            Chart(
                _("Delegates registered per day, last %(days)s days") % {"days": DAYS},
                [Point(day_label(day), count) for day, count in series],
                kind="columns",
                cumulative=cumulative,
                value_heading=_("That day"),
                cumulative_heading=_("In all"),
                compare=compare,
                compare_heading=(
                    _("%(congress)s at the same point") % {"congress": source.name}
                    if source is not None
                    else ""
                ),
            ),
            Chart(_("By registration type"), type_points),
            Chart(_("By order status"), status_points),
            Chart(
                _("By country (top %(count)s)") % {"count": TOP_COUNTRIES},
                country_points,
            ),
            Chart(_("By world region"), region_points),
            Chart(
                _("Member and non-member rates"),
                [Point(_("Member rate"), members), Point(_("Other rates"), total - members)],
            ),
        ],
    )


def region_counts(by_country) -> list[Point]:
    """Delegates per UN M49 world region (CLDR), largest first, from (country, count) rows."""
    counts: dict[str, int] = {}
    for code, count in by_country:
        region = regions.region_of(code) or ""
        counts[region] = counts.get(region, 0) + count
    return [
        Point(regions.area_name(region) if region else _("Not given"), count)
        for region, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def capacity_panel(congress: Congress) -> Panel:
    """Sold / held / left per type, counted as the registration form counts them."""
    types = list(RegistrationType.objects.filter(congress=congress).order_by("position", "name"))
    per_type, overall = type_seats(congress, types)
    unlimited = _("unlimited")

    def left(seats) -> str:
        return unlimited if seats.left is None else str(seats.left)

    figures = [
        Figure(_("Capacity"), overall.capacity, "" if overall.capacity is not None else unlimited),
        Figure(_("Sold"), overall.sold),
        Figure(_("Held, not paid"), overall.held),
        Figure(_("Left"), overall.left, left(overall)),
    ]
    sold = [Point(rtype.name, per_type[rtype.pk].sold) for rtype in types]
    held = [Point(rtype.name, per_type[rtype.pk].held) for rtype in types]
    remaining = [
        Point(rtype.name, per_type[rtype.pk].left or 0, left(per_type[rtype.pk])) for rtype in types
    ]
    return Panel(
        key="capacity",
        title=_("Capacity"),
        perms=(Perm.VIEW_REGISTRATIONS,),
        figures=figures,
        charts=[
            Chart(_("Seats sold per type"), sold),
            Chart(_("Seats held, not paid, per type"), held),
            Chart(_("Seats left per type"), remaining),
        ],
    )
