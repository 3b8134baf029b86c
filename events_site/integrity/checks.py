"""One selector per check. Each reads a congress in a fixed number of queries (whatever the
number of its orders, types, sessions or invoices) and returns findings; none writes.

What counts as a problem follows the services' own rules (``registrations.lifecycle``, the
payments wing's balances), so a congress run only through the services reports nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from badges.models import Badge
from events_site.congresses.models import Congress
from events_site.congresses.money import format_money
from registrations import lifecycle
from registrations.capacity import count_taken
from registrations.lifecycle import OrderStatus
from registrations.models import (
    Invoice,
    InvoiceCounter,
    Order,
    Payment,
    Refund,
    RegistrationSettings,
    RegistrationType,
)
from registrations.payments.enums import InvoiceKind, PaymentState, RefundState
from sessions.enums import SignupStatus
from sessions.models import Session


@dataclass(frozen=True)
class Finding:
    """One problem: which congress, what kind, which object and what is wrong with it."""

    congress: str
    kind: str
    object: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# --- seats ---------------------------------------------------------------------------------


def seats_over_capacity(congress: Congress) -> list[Finding]:
    """Seats held or sold (holding orders and open waiting-list offers, counted exactly as the
    capacity lock counts them) beyond a registration type's capacity or the congress's cap,
    and session seats beyond a session's sign-up capacity."""
    findings = []
    taken = count_taken(congress_id=congress.pk)
    types = RegistrationType.objects.filter(congress=congress, capacity__isnull=False)
    for rtype in types.only("pk", "code", "capacity").order_by("code"):
        held = taken.by_type.get(rtype.pk, 0)
        if held > rtype.capacity:
            findings.append(
                Finding(
                    congress.slug,
                    "seats_over_type_capacity",
                    f"registration type {rtype.code}",
                    _("%(taken)s seats held or sold for a capacity of %(capacity)s.")
                    % {"taken": held, "capacity": rtype.capacity},
                )
            )
    cap = (
        RegistrationSettings.objects.filter(congress=congress)
        .values_list("total_capacity", flat=True)
        .first()
    )
    if cap is not None and taken.total > cap:
        findings.append(
            Finding(
                congress.slug,
                "seats_over_congress_capacity",
                f"congress {congress.slug}",
                _("%(taken)s seats held or sold for a capacity of %(capacity)s.")
                % {"taken": taken.total, "capacity": cap},
            )
        )
    sessions = (
        Session.objects.filter(congress=congress, capacity__isnull=False)
        .annotate(seats=Count("signups", filter=Q(signups__status=SignupStatus.SEAT)))
        .filter(seats__gt=F("capacity"))
        .order_by("code")
        .values_list("code", "seats", "capacity")
    )
    for code, seats, capacity in sessions:
        findings.append(
            Finding(
                congress.slug,
                "seats_over_session_capacity",
                f"session {code}",
                _("%(taken)s seats signed up for a capacity of %(capacity)s.")
                % {"taken": seats, "capacity": capacity},
            )
        )
    return findings


# --- money against order statuses ----------------------------------------------------------

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def _sum_of(model, state) -> Coalesce:
    rows = (
        model.objects.filter(order_id=OuterRef("pk"), state=state)
        .order_by()
        .values("order_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), _ZERO, output_field=_MONEY)


def payments_against_orders(congress: Congress) -> list[Finding]:
    """A paid order that costs something but has no succeeded payment (free orders and
    free approvals cost nothing, so they need none); and money kept (succeeded payments less
    succeeded refunds) that covers an order which is not paid: still unpaid, expired, or
    refunded in full. A cancelled order may keep money until finance refunds it (its fee)."""
    not_paid = (OrderStatus.AWAITING_APPROVAL, OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED)
    orders = (
        Order.objects.filter(congress=congress)
        .annotate(
            received=_sum_of(Payment, PaymentState.SUCCEEDED),
            refunded=_sum_of(Refund, RefundState.SUCCEEDED),
        )
        .annotate(kept=F("received") - F("refunded"))
        .filter(
            Q(status__in=lifecycle.PAID_STATUSES, total__gt=0, received=0)
            | Q(status__in=not_paid, kept__gt=0, kept__gte=F("total"))
            | Q(status=OrderStatus.REFUNDED, kept__gt=0)
        )
        .order_by("code")
        .values_list("code", "status", "total", "currency", "kept")
    )
    findings = []
    for code, status, total, currency, kept in orders:
        if status in lifecycle.PAID_STATUSES:
            kind = "paid_without_payment"
            detail = _("The order is %(status)s for %(total)s, with no payment.")
        elif status == OrderStatus.REFUNDED:
            kind = "refunded_order_keeps_money"
            detail = _("The order is refunded but %(kept)s were kept.")
        else:
            kind = "payment_without_paid_order"
            detail = _("%(kept)s received cover the order, but it is %(status)s.")
        values = {
            "status": OrderStatus(status).label,
            "total": format_money(total, currency),
            "kept": format_money(kept, currency),
        }
        findings.append(Finding(congress.slug, kind, f"order {code}", detail % values))
    return findings


# --- invoice numbers -----------------------------------------------------------------------


def _ranges(numbers: list[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(parts)


def invoice_series_gaps(congress: Congress) -> list[Finding]:
    """Each series (invoices, credit notes) numbered 1, 2, 3 ... without a gap, up to the
    number its counter gave last; a number the counter is about to give again is reported
    too. Numbers are unique per series (a constraint), so count and extremes tell a gap."""
    series = {
        kind: (count, low, high)
        for kind, count, low, high in Invoice.objects.filter(congress=congress)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), low=Min("number"), high=Max("number"))
        .values_list("kind", "n", "low", "high")
    }
    # the invoice and credit note series only: quotes have a counter of their own but are no
    # invoice rows (their numbers are checked with the quotes)
    counters = dict(
        InvoiceCounter.objects.filter(congress=congress, kind__in=InvoiceKind.values).values_list(
            "kind", "next_number"
        )
    )
    findings = []
    gapped = []
    for kind in sorted(set(series) | set(counters)):
        count, low, high = series.get(kind, (0, None, None))
        last_given = counters.get(kind, 1) - 1
        if high is not None and high > last_given:
            findings.append(
                Finding(
                    congress.slug,
                    "invoice_counter_behind",
                    f"{kind} series",
                    _("Number %(number)s is issued but the counter would give it again.")
                    % {"number": last_given + 1},
                )
            )
        top = max(high or 0, last_given)
        if count != top:
            gapped.append((kind, top))
    if gapped:
        issued: dict[str, set[int]] = {kind: set() for kind, _top in gapped}
        rows = Invoice.objects.filter(congress=congress, kind__in=list(issued)).values_list(
            "kind", "number"
        )
        for kind, number in rows:
            issued[kind].add(number)
        for kind, top in gapped:
            missing = [n for n in range(1, top + 1) if n not in issued[kind]]
            findings.append(
                Finding(
                    congress.slug,
                    "invoice_number_gap",
                    f"{kind} series",
                    _("Numbers missing: %(numbers)s.") % {"numbers": _ranges(missing)},
                )
            )
    return findings


# --- badges --------------------------------------------------------------------------------


def badges_without_live_delegate(congress: Congress) -> list[Finding]:
    """A badge in someone's hands (printed or used at the door) whose delegate no longer
    counts (cancelled, or their order cancelled or refunded: never paid again) and whose code
    was never revoked. Rows made for unpaid orders and never printed are no badge yet, and an
    expired order may still be paid. A badge filed under another congress than its delegate's
    order is reported too."""
    dead = (
        Q(delegate__is_cancelled=True)
        | Q(delegate__order__status__in=lifecycle.UNPAYABLE_CANCELLED_STATUSES)
    ) & (Q(printed_at__isnull=False) | Q(checked_in_at__isnull=False))
    rows = (
        Badge.objects.filter(congress=congress)
        .filter(
            (dead & Q(revoked_secrets__isnull=True)) | ~Q(delegate__order__congress_id=congress.pk)
        )
        .distinct()
        .order_by("pk")
        .values_list(
            "pk",
            "delegate_id",
            "delegate__is_cancelled",
            "delegate__order__code",
            "delegate__order__status",
            "delegate__order__congress_id",
        )
    )
    findings = []
    for pk, delegate_id, cancelled, code, status, order_congress_id in rows:
        if order_congress_id != congress.pk:
            kind = "badge_of_other_congress"
            detail = _("The badge's delegate (order %(code)s) belongs to another congress.")
        elif cancelled:
            kind = "badge_without_live_delegate"
            detail = _("Delegate %(delegate)s (order %(code)s) is cancelled.")
        else:
            kind = "badge_without_live_delegate"
            detail = _("Delegate %(delegate)s's order %(code)s is %(status)s.")
        findings.append(
            Finding(
                congress.slug,
                kind,
                f"badge {pk}",
                detail
                % {"delegate": delegate_id, "code": code, "status": OrderStatus(status).label},
            )
        )
    return findings


CHECKS: tuple[Callable[[Congress], list[Finding]], ...] = (
    seats_over_capacity,
    payments_against_orders,
    invoice_series_gaps,
    badges_without_live_delegate,
)


def check_congress(congress: Congress) -> list[Finding]:
    """Every check for one congress, in a fixed order."""
    return [finding for check in CHECKS for finding in check(congress)]
