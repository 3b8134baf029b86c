"""The back office's dashboard: panels of figures and charts, each from the app that owns them.

The core imports no app, so it asks them: ``settings.BACKOFFICE_PANELS`` names functions
``panels(*, congress, perms, now) -> list[Panel]``; each returns the panels of its app that the
person's permissions allow (and computes nothing for the others), with a fixed number of
aggregate queries whatever the number of delegates. The core keeps only the panels whose
``perms`` the person holds (any one of them) and lays the charts out as server-side SVG
(``congresses/_chart.html``): no script, no inline style, right-to-left mirrored.

On the congress day every organiser's browser asks for the page every few seconds, and the
panels of a big congress (hundreds of capacity-limited sessions, each a bar in three charts)
cost most of a second to count and draw: :func:`dashboard_for` keeps the counted and drawn
panels in the cache for :data:`PANELS_SECONDS`, per congress, set of permissions and
language, so a change shows within that time and the page says when its figures were counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Expression, F, IntegerField, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from . import soft_cache
from .models import Congress

BAR_ROW = 22  # height of one row of a horizontal bar chart
BAR_WIDTH = 640  # the drawing's width, in user units (the SVG scales to its box)
LABEL_WIDTH = 220
VALUE_WIDTH = 90
COLUMN_HEIGHT = 160
AXIS = 22


@dataclass(frozen=True)
class Figure:
    """One number with its label; ``display`` is how it is written (money, a percentage)."""

    label: str
    value: object
    display: str = ""

    @property
    def shown(self) -> str:
        return self.display or str(self.value)


@dataclass(frozen=True)
class Point:
    """One bar: its label, its value and how the value is written."""

    label: str
    value: float
    display: str = ""

    @property
    def shown(self) -> str:
        return self.display or str(self.value)


@dataclass(frozen=True)
class Chart:
    """``bars``: horizontal bars, one per label (sorted by whoever built the points);
    ``columns``: a series over time, one column per point, with an optional running total
    drawn as a line (``cumulative``, same length as ``points``)."""

    title: str
    points: Sequence[Point]
    kind: str = "bars"
    cumulative: Sequence[float] = ()
    value_heading: str = ""
    cumulative_heading: str = ""
    # A second running total to hold the first against (the last congress at the same distance
    # from its start), drawn as a dashed line; same length as ``points``.
    compare: Sequence[float] = ()
    compare_heading: str = ""

    @property
    def slug(self) -> str:
        return str(abs(hash((self.title, self.kind))))

    @property
    def table_rows(self) -> list[tuple[Point, float | None, float | None]]:
        """Each point with its running total and the compared one (None without them), for the
        table under the chart."""
        totals = list(self.cumulative) or [None] * len(self.points)
        compared = list(self.compare) or [None] * len(self.points)
        return list(zip(self.points, totals, compared, strict=False))

    @property
    def empty(self) -> bool:
        """Nothing to draw: no value, and no compared total (a new congress with no
        registration yet is still shown against the last one)."""
        return not any(point.value for point in self.points) and not any(self.compare)


@dataclass(frozen=True)
class Panel:
    """A box of the dashboard: shown to a person holding any one of ``perms``."""

    key: str
    title: str
    perms: tuple[str, ...]
    figures: Sequence[Figure] = ()
    charts: Sequence[Chart] = ()
    note: str = ""


@cache
def _providers() -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in getattr(settings, "BACKOFFICE_PANELS", ()))


def panels_for(congress: Congress, perms: Iterable[str], *, now: dt.datetime | None = None):
    """The panels of every app that ``perms`` allow, in the order of the setting."""
    held = frozenset(str(perm) for perm in perms)
    now = now or timezone.now()
    shown: list[Panel] = []
    for provider in _providers():
        for panel in provider(congress=congress, perms=held, now=now):
            if held & {str(perm) for perm in panel.perms}:
                shown.append(panel)
    return shown


#: How long the counted and drawn panels are kept (seconds): a change (a registration, a
#: payment, a check-in) shows on the dashboard within this long.
PANELS_SECONDS = 30


@dataclass(frozen=True)
class Dashboard:
    """The panels a person sees, drawn (``html``, the panels' part of the page), and the
    instant their figures were counted."""

    panels: Sequence[Panel]
    html: SafeString
    counted_at: dt.datetime


def _dashboard_key(congress: Congress, held: frozenset[str]) -> str:
    perms = hashlib.sha256(",".join(sorted(held)).encode()).hexdigest()[:16]
    return f"congresses:dashboard:{congress.pk}:{translation.get_language()}:{perms}"


def dashboard_for(congress: Congress, perms: Iterable[str]) -> Dashboard:
    """The person's panels, counted and drawn at most :data:`PANELS_SECONDS` ago (the same
    for everyone with the same permissions and language); with the cache down, counted now."""
    held = frozenset(str(perm) for perm in perms)
    key = _dashboard_key(congress, held)
    kept = soft_cache.get(key)
    if kept is not None:
        counted_at, panels, html = kept
        return Dashboard(panels=panels, html=mark_safe(html), counted_at=counted_at)  # noqa: S308 - drawn by our own template
    counted_at = timezone.now()
    panels = panels_for(congress, held, now=counted_at)
    html = render_to_string("congresses/_panels.html", {"panels": panels})
    soft_cache.set(key, (counted_at, panels, str(html)), PANELS_SECONDS)
    return Dashboard(panels=panels, html=mark_safe(html), counted_at=counted_at)  # noqa: S308 - drawn by our own template


def congress_day_window(congress: Congress, now: dt.datetime, days: int):
    """The last ``days`` calendar days in the congress's zone (today included): the first day
    and the UTC instant it starts, and the zone."""
    zone = ZoneInfo(str(congress.time_zone))
    today = now.astimezone(zone).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return first, start, zone


def counterpart_window(congress: Congress, source: Congress, first: dt.date, days: int):
    """The days of ``source`` at the same distance from its first day as ``congress``'s window
    from ``first`` (the last congress's registrations at the same point of its run-up): the
    source's first day, the UTC instant it starts and the source's zone."""
    zone = ZoneInfo(str(source.time_zone))
    source_first = source.start_date - (congress.start_date - first)
    start = dt.datetime.combine(source_first, dt.time.min, tzinfo=zone)
    return source_first, start, zone


def running_totals(before: float, series: Sequence[tuple[dt.date, float]]) -> list[float]:
    """The running total over ``series`` starting from ``before``."""
    running, totals = before, []
    for _day, count in series:
        running += count
        totals.append(running)
    return totals


def day_series(first: dt.date, days: int, counts: dict) -> list[tuple[dt.date, float]]:
    """Every day from ``first`` for ``days`` days with its count (0 for a day with none)."""
    return [
        (first + dt.timedelta(days=offset), counts.get(first + dt.timedelta(days=offset), 0))
        for offset in range(days)
    ]


def day_edges(first: dt.date, days: int, zone: ZoneInfo) -> list[dt.datetime]:
    """The UTC instant each of the ``days`` calendar days from ``first`` starts in ``zone``,
    and the instant the last one ends (``days + 1`` instants; a day across a change of summer
    time lasts 23 or 25 hours)."""
    return [
        dt.datetime.combine(first + dt.timedelta(days=offset), dt.time.min, tzinfo=zone).astimezone(
            dt.UTC
        )
        for offset in range(days + 1)
    ]


def hour_edges(day: dt.date, zone: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """The stretches of ``day`` in ``zone`` that share a local hour on the clock, in order:
    (first instant, instant after, hour). 24 of them on most days, 23 on the day the clocks go
    forward; on the day they go back the repeated hour is one stretch of two hours. Zones are
    offset from UTC by whole quarters of an hour, so the day is walked by quarters."""
    start, end = day_edges(day, 1, zone)
    quarter = dt.timedelta(minutes=15)
    stretches: list[tuple[dt.datetime, dt.datetime, int]] = []
    instant = start
    while instant < end:
        hour = instant.astimezone(zone).hour
        if stretches and stretches[-1][1] == instant and stretches[-1][2] == hour:
            stretches[-1] = (stretches[-1][0], instant + quarter, hour)
        else:
            stretches.append((instant, instant + quarter, hour))
        instant += quarter
    return stretches


class Bucket(Expression):
    """For a row whose ``field`` is at or after the first stretch's start and before the last
    one's end, the key of the stretch it falls in: ``stretches`` are (instant after, key) in
    order. Plain comparisons the database makes itself, halving the stretches at each step
    (6 comparisons a row for 60 days), where ``TruncDate`` and ``ExtractHour`` with a zone make
    SQLite call back into Python for every row. One node, written as nested ``CASE`` (60
    ``When`` would cost the ORM more to build and hash than the query costs to run)."""

    output_field = IntegerField()

    def __init__(self, field: str, stretches: Sequence[tuple[dt.datetime, int]]):
        super().__init__()
        self.source = F(field)
        self.stretches = tuple((until, int(key)) for until, key in stretches)

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, exprs):
        (self.source,) = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.source)
        prepared = self.source.output_field

        def case(stretches) -> tuple[str, list]:
            if len(stretches) == 1:
                return "%s", [stretches[0][1]]
            middle = len(stretches) // 2
            lower, lower_params = case(stretches[:middle])
            upper, upper_params = case(stretches[middle:])
            until = prepared.get_db_prep_value(stretches[middle - 1][0], connection)
            return (
                f"CASE WHEN {column} < %s THEN {lower} ELSE {upper} END",
                [*column_params, until, *lower_params, *upper_params],
            )

        return case(self.stretches)


def bucket(field: str, stretches: Sequence[tuple[dt.datetime, int]]) -> Bucket:
    return Bucket(field, stretches)


def per_day(
    rows: QuerySet, field: str, first: dt.date, days: int, zone: ZoneInfo, value
) -> dict[dt.date, object]:
    """``value`` (an aggregate) of ``rows`` per calendar day of the congress's zone, for the
    ``days`` days from ``first``: one grouped query, days without a row left out."""
    edges = day_edges(first, days, zone)
    grouped = (
        rows.filter(**{f"{field}__gte": edges[0], f"{field}__lt": edges[-1]})
        .annotate(day_index=bucket(field, [(until, n) for n, until in enumerate(edges[1:])]))
        .values_list("day_index")
        .annotate(value=value)
        .order_by()
    )
    return {first + dt.timedelta(days=index): total for index, total in grouped}


def per_hour(rows: QuerySet, field: str, day: dt.date, zone: ZoneInfo, value) -> dict[int, object]:
    """``value`` of ``rows`` per hour on the clock of ``day`` in the congress's zone (0-23; the
    hour the clocks go back counts both of its passes): one grouped query."""
    stretches = hour_edges(day, zone)
    grouped = (
        rows.filter(**{f"{field}__gte": stretches[0][0], f"{field}__lt": stretches[-1][1]})
        .annotate(
            hour_index=bucket(field, [(until, n) for n, (_s, until, _h) in enumerate(stretches)])
        )
        .values_list("hour_index")
        .annotate(value=value)
        .order_by()
    )
    totals: dict[int, object] = {}
    for index, total in grouped:
        hour = stretches[index][2]
        totals[hour] = totals[hour] + total if hour in totals else total
    return totals


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarRow:
    point: Point
    y: float
    text_y: float
    bar_x: float
    bar_width: float
    label_x: float
    value_x: float


def bar_layout(chart: Chart, *, rtl: bool) -> dict:
    """Where each bar, label and value goes; mirrored for a right-to-left language."""
    largest = max((point.value for point in chart.points), default=0) or 1
    room = BAR_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for index, point in enumerate(chart.points):
        width = max(0.0, room * float(point.value) / float(largest))
        if point.value and width < 1:
            width = 1.0
        y = index * BAR_ROW
        if rtl:
            bar_x = BAR_WIDTH - LABEL_WIDTH - width
            label_x, value_x = BAR_WIDTH - 4, bar_x - 6
        else:
            bar_x = LABEL_WIDTH
            label_x, value_x = 4, LABEL_WIDTH + width + 6
        rows.append(
            BarRow(
                point, y + 3, y + BAR_ROW - 7, round(bar_x, 2), round(width, 2), label_x, value_x
            )
        )
    return {"rows": rows, "width": BAR_WIDTH, "height": max(1, len(rows)) * BAR_ROW}


@dataclass(frozen=True)
class Column:
    point: Point
    x: float
    y: float
    width: float
    height: float


def column_layout(chart: Chart, *, rtl: bool) -> dict:
    """Columns over time (the earliest at the start side) and the running total's line."""
    count = max(1, len(chart.points))
    step = BAR_WIDTH / count
    largest = max((float(point.value) for point in chart.points), default=0) or 1
    columns = []
    for index, point in enumerate(chart.points):
        height = COLUMN_HEIGHT * float(point.value) / largest
        x = index * step if not rtl else BAR_WIDTH - (index + 1) * step
        columns.append(
            Column(
                point,
                round(x + step * 0.1, 2),
                round(COLUMN_HEIGHT - height, 2),
                round(step * 0.8, 2),
                round(height, 2),
            )
        )
    top = max([*chart.cumulative, *chart.compare], default=0) or 1

    def polyline(totals: Sequence[float]) -> str:
        coordinates = []
        for index, total in enumerate(totals):
            centre = index * step + step / 2
            x = centre if not rtl else BAR_WIDTH - centre
            coordinates.append(
                f"{x:.1f},{COLUMN_HEIGHT - COLUMN_HEIGHT * float(total) / float(top):.1f}"
            )
        return " ".join(coordinates)

    line = polyline(chart.cumulative) if chart.cumulative else ""
    compare_line = polyline(chart.compare) if chart.compare else ""
    first = chart.points[0].label if chart.points else ""
    last = chart.points[-1].label if chart.points else ""
    return {
        "columns": columns,
        "line": line,
        "compare_line": compare_line,
        "width": BAR_WIDTH,
        "height": COLUMN_HEIGHT + AXIS,
        "baseline": COLUMN_HEIGHT,
        "axis_y": COLUMN_HEIGHT + AXIS - 6,
        "start_label": first,
        "end_label": last,
        "start_x": 2 if not rtl else BAR_WIDTH - 2,
        "end_x": BAR_WIDTH - 2 if not rtl else 2,
        "largest": chart.points and max(chart.points, key=lambda point: point.value).shown,
        "top": max([*chart.cumulative, *chart.compare]) if chart.cumulative else None,
    }
