"""The on-site panel of the back office dashboard (``settings.BACKOFFICE_PANELS``): check-ins
today per hour and per desk, and badge prints. Four aggregate queries whatever the number of
delegates; shown to check-in staff and to whoever runs the badges."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from events_site.congresses.dashboard import (
    Chart,
    Figure,
    Panel,
    Point,
    congress_day_window,
    day_edges,
    per_day,
    per_hour,
)
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from registrations import lifecycle
from registrations.models import Delegate

from .enums import PrintJobStatus
from .models import Badge, CheckIn, PrintJob

PERMS = (Perm.CHECK_IN, Perm.MANAGE_BADGES)


def panels(*, congress: Congress, perms: frozenset[str], now: dt.datetime) -> list[Panel]:
    if not perms & {str(perm) for perm in PERMS}:
        return []
    return [on_site_panel(congress, now)]


def on_site_panel(congress: Congress, now: dt.datetime) -> Panel:
    first, start, zone = congress_day_window(congress, now, 1)
    end = day_edges(first, 1, zone)[-1]
    checkins = CheckIn.objects.filter(congress=congress)
    today = checkins.filter(at__gte=start, at__lt=end)
    hourly = per_hour(checkins, "at", first, zone, Count("pk"))
    per_desk = list(today.values_list("desk").annotate(n=Count("pk")).order_by("-n", "desk")[:15])
    expected = Delegate.objects.filter(lifecycle.may_enter_q(), order__congress=congress).count()
    badges = Badge.objects.filter(congress=congress).aggregate(
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        printed=Count("pk", filter=Q(printed_at__isnull=False)),
        prints=Sum("print_count"),
    )
    jobs = dict(
        PrintJob.objects.filter(congress=congress)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    first_day = congress.start_date
    days = (congress.end_date - first_day).days + 1
    printed_per_day = per_day(
        PrintJob.objects.filter(congress=congress, status=PrintJobStatus.DONE),
        "finished_at",
        first_day,
        days,
        zone,
        Sum("rendered_count"),
    )
    no_desk = _("No desk named")
    return Panel(
        key="on-site",
        title=_("On site"),
        perms=PERMS,
        figures=[
            Figure(_("Checked in today"), sum(hourly.values())),
            Figure(_("Checked in in all"), badges["checked_in"]),
            Figure(_("May enter"), expected),
            Figure(_("Badges printed"), badges["printed"]),
            Figure(_("Prints, reprints included"), badges["prints"] or 0),
            Figure(
                _("Print jobs waiting or failed"),
                jobs.get(PrintJobStatus.QUEUED, 0)
                + jobs.get(PrintJobStatus.RUNNING, 0)
                + jobs.get(PrintJobStatus.FAILED, 0),
            ),
        ],
        charts=[
            Chart(
                _("Check-ins per hour today"),
                [Point(f"{hour:02d}:00", hourly.get(hour, 0)) for hour in range(24)],
                kind="columns",
                value_heading=_("Check-ins"),
            ),
            Chart(
                _("Check-ins today per desk"),
                [Point(desk or no_desk, count) for desk, count in per_desk],
            ),
            Chart(
                _("Badges printed per congress day"),
                [
                    Point(
                        formats.date_format(day, "MONTH_DAY_FORMAT"),
                        printed_per_day.get(day) or 0,
                    )
                    for day in (first_day + dt.timedelta(days=n) for n in range(days))
                ],
                kind="columns",
                value_heading=_("Badges printed"),
            ),
        ],
    )
