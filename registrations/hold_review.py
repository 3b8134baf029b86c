"""Read side of the organisers' review of suspicious holds: open unpaid holds grouped by the
client address or the e-mail address that placed them, largest first, and one group's orders.
Orders waiting for a bank transfer (billing details given: paying by invoice) hold their seats
for days, so they are counted and shown apart: they are the holds worth a look near the end."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from events_site.congresses.models import Congress

from .models import BillingDetails, Order
from .services.orders.hoarding import open_hold_q

# What a group is keyed by: the URL's ``by`` value -> the order's column.
GROUP_COLUMNS = {"address": "hold_address", "email": "hold_email"}


def open_holds(congress: Congress) -> QuerySet[Order]:
    """Unpaid orders of the congress that keep seats now."""
    return Order.objects.filter(open_hold_q(), congress=congress)


def hold_groups(
    *, congress: Congress, by: str, search: str = "", min_orders: int = 1
) -> QuerySet[dict]:
    """One row per client address (``by="address"``) or e-mail address (``"email"``): open
    unpaid orders, the seats they hold, how many of the orders pay by invoice, the earliest and
    latest expiry, the latest order. Largest first (orders, then seats). One statement,
    whatever the number of holds."""
    column = GROUP_COLUMNS[by]
    rows = open_holds(congress).exclude(**{column: ""})
    if search:
        rows = rows.filter(**{f"{column}__icontains": search})
    return (
        rows.values(column)
        .annotate(
            orders=Count("pk", distinct=True),
            seats=Count("delegates", filter=Q(delegates__is_cancelled=False)),
            by_invoice=Count("pk", distinct=True, filter=Q(billing_details__isnull=False)),
            first_expiry=Min("hold_expires_at"),
            last_expiry=Max("hold_expires_at"),
            last_placed=Max("created_at"),
        )
        .filter(orders__gte=max(1, min_orders))
        .order_by("-orders", "-seats", column)
    )


def group_holds(*, congress: Congress, by: str, key: str) -> QuerySet[Order]:
    """The open unpaid orders of one group, with their live seat counts, newest first."""
    column = GROUP_COLUMNS[by]
    return (
        open_holds(congress)
        .filter(**{column: key})
        .annotate(
            seats=Count("delegates", filter=Q(delegates__is_cancelled=False)),
            by_invoice=Exists(BillingDetails.objects.filter(order_id=OuterRef("pk"))),
        )
        .order_by("-created_at", "-pk")
    )


def hold_totals(congress: Congress) -> dict:
    """Open unpaid orders of the congress and the seats they hold, for the page's heading."""
    return open_holds(congress).aggregate(
        orders=Count("pk", distinct=True),
        seats=Count("delegates", filter=Q(delegates__is_cancelled=False)),
        by_invoice=Count("pk", distinct=True, filter=Q(billing_details__isnull=False)),
    )
