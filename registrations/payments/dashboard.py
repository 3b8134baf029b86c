"""Finance's panel of the back office dashboard (``settings.BACKOFFICE_PANELS``): money
received per day, by method and state, refunded, outstanding and overdue, in the congress's
currency. Four aggregate queries whatever the number of orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

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
from events_site.congresses.money import format_money

from ..dashboard import DAYS, day_label, last_congress
from ..lifecycle import OrderStatus
from ..models import Payment, Refund
from .enums import PaymentProvider, PaymentState, RefundState
from .selectors import finance_orders

ZERO = Decimal("0.00")


def panels(*, congress: Congress, perms: frozenset[str], now: dt.datetime) -> list[Panel]:
    if Perm.MANAGE_FINANCE not in perms:
        return []
    return [payments_panel(congress, now)]


def received_per_day(congress: Congress, first: dt.date, start, zone) -> list[float]:
    """Running total of money received over the ``DAYS`` days from ``first`` (two queries)."""
    succeeded = Payment.objects.filter(order__congress=congress, state=PaymentState.SUCCEEDED)
    before = succeeded.filter(succeeded_at__lt=start).aggregate(s=Sum("amount"))["s"] or ZERO
    totals = per_day(succeeded, "succeeded_at", first, DAYS, zone, Sum("amount"))
    return [float(total) for total in running_totals(before, day_series(first, DAYS, totals))]


def payments_panel(congress: Congress, now: dt.datetime) -> Panel:
    currency = congress.currency
    first, start, zone = congress_day_window(congress, now, DAYS)
    today = now.astimezone(zone).date()

    def money(amount) -> str:
        return format_money(amount or ZERO, currency)

    payments = Payment.objects.filter(order__congress=congress)
    received_per_day_here = per_day(
        payments.filter(state=PaymentState.SUCCEEDED),
        "succeeded_at",
        first,
        DAYS,
        zone,
        Sum("amount"),
    )
    series = day_series(first, DAYS, received_per_day_here)
    before = (
        payments.filter(state=PaymentState.SUCCEEDED, succeeded_at__lt=start).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    cumulative = [float(total) for total in running_totals(before, series)]
    source = last_congress(congress)
    compare = (
        received_per_day(source, *counterpart_window(congress, source, first, DAYS))
        if source is not None
        else []
    )

    grouped = list(
        payments.values_list("provider", "state")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    received_by_method = dict.fromkeys(PaymentProvider.values, ZERO)
    count_by_state = dict.fromkeys(PaymentState.values, 0)
    for provider, state, count, total in grouped:
        count_by_state[state] = count_by_state.get(state, 0) + count
        if state == PaymentState.SUCCEEDED:
            received_by_method[provider] = received_by_method.get(provider, ZERO) + total
    received = sum(received_by_method.values(), ZERO)

    refunded = (
        Refund.objects.filter(order__congress=congress, state=RefundState.SUCCEEDED).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )

    due = F("total") - F("received")
    pending = Q(status=OrderStatus.PENDING_PAYMENT)
    owed = finance_orders(congress=congress, today=today).aggregate(
        outstanding=Sum(due, filter=pending),
        overdue=Sum(due, filter=pending & Q(invoice_due__lt=today)),
        overdue_orders=Count("pk", filter=pending & Q(invoice_due__lt=today)),
    )
    methods = dict(PaymentProvider.choices)
    states = dict(PaymentState.choices)
    return Panel(
        key="payments",
        title=_("Payments"),
        perms=(Perm.MANAGE_FINANCE,),
        figures=[
            Figure(_("Received"), received, money(received)),
            Figure(_("Refunded"), refunded, money(refunded)),
            Figure(_("Net"), received - refunded, money(received - refunded)),
            Figure(_("Outstanding"), owed["outstanding"] or ZERO, money(owed["outstanding"])),
            Figure(_("Overdue"), owed["overdue"] or ZERO, money(owed["overdue"])),
            Figure(_("Overdue orders"), owed["overdue_orders"]),
        ],
        charts=[
            Chart(
                _("Money received per day, last %(days)s days") % {"days": DAYS},
                [Point(day_label(day), float(total), money(total)) for day, total in series],
                kind="columns",
                value_heading=_("Received"),
                cumulative=cumulative,
                cumulative_heading=_("Received in all"),
                compare=compare,
                compare_heading=(
                    _("%(congress)s at the same point") % {"congress": source.name}
                    if source is not None
                    else ""
                ),
            ),
            Chart(
                _("Received by method"),
                [
                    Point(str(methods[provider]), float(total), money(total))
                    for provider, total in received_by_method.items()
                ],
            ),
            Chart(
                _("Payments by state"),
                [Point(str(states[state]), count) for state, count in count_by_state.items()],
            ),
        ],
    )
