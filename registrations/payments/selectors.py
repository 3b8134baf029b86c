"""Read side of payments: what the order page's payment part shows, and the finance list's
orders with their money, searched, filtered, sorted and totalled in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Lower

from events_site.congresses.models import Congress

from .. import lifecycle
from ..lifecycle import OrderStatus
from ..models import (
    BillingDetails,
    Delegate,
    Invoice,
    InvoiceReminder,
    Order,
    Payment,
    Quote,
    Refund,
)
from ..selectors import paid_registrations_by_email
from . import stripe as stripe_edge
from .enums import FinanceView, InvoiceKind, PaymentProvider, PaymentState, RefundState
from .search import Unaccent, fold
from .services.balances import (
    amount_outstanding,
    balance_due,
    method_accepted,
    payment_refusal,
)
from .services.refunds import refundable_by_order

MONEY = DecimalField(max_digits=12, decimal_places=2)


def order_kwargs(order: Order) -> dict:
    """The URL arguments of the order's secret-link pages."""
    return {"congress_slug": order.congress.slug, "code": order.code, "secret": order.secret}


def payment_context(order: Order) -> dict:
    """What ``order_payment.html`` needs, from the order alone: the payment page and the
    registration order page (through the ``order_payment_context`` tag) both read it."""
    refusal = payment_refusal(order)
    card_accepted = method_accepted(order.congress, PaymentProvider.STRIPE)
    invoices = list(order.invoices.order_by("issued_at", "id"))
    corrected = {invoice.corrects_id for invoice in invoices if invoice.corrects_id}
    # the invoice still to pay, if one was issued and not cancelled by a credit note: then the
    # page points to it instead of offering "Get an invoice" again
    open_invoice = next(
        (i for i in reversed(invoices) if i.kind == InvoiceKind.INVOICE and i.pk not in corrected),
        None,
    )
    return {
        "order": order,
        "congress": order.congress,
        "payment_refusal": refusal,
        "card_accepted": card_accepted,
        "card_available": card_accepted and stripe_edge.card_payments_available(),
        "invoice_available": method_accepted(order.congress, PaymentProvider.BANK_TRANSFER),
        "can_pay": refusal is None,
        "invoices": invoices,
        "open_invoice": open_invoice,
        "amount_outstanding": amount_outstanding(order),
        # a paid order that costs more after a change (``services.delegate_changes``)
        "balance_due": balance_due(order) if order.status in lifecycle.PAID_STATUSES else 0,
        "order_kwargs": order_kwargs(order),
        "statuses": OrderStatus,
        "quote": Quote.objects.filter(order=order).first(),
        "invoiced_unpaid": lifecycle.is_invoiced_unpaid(order),
    }


def _sum(model, state) -> Subquery:
    rows = (
        model.objects.filter(order=OuterRef("pk"), state=state)
        .order_by()
        .values("order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def _latest_invoice(field: str) -> Subquery:
    rows = Invoice.objects.filter(order=OuterRef("pk"), kind=InvoiceKind.INVOICE).order_by(
        "-number"
    )
    return Subquery(rows.values(field)[:1])


ZERO = Value(Decimal("0.00"), output_field=MONEY)


def finance_orders(*, congress: Congress, today: dt.date) -> QuerySet[Order]:
    """Every order of the congress that involves money, with received/refunded sums, what is
    still owed, its latest invoice number and due date and when it was last reminded (no N+1:
    all subqueries)."""
    kept = F("received") - F("refunded")
    return (
        Order.objects.filter(congress=congress)
        .filter(Q(total__gt=0) | Exists(Payment.objects.filter(order=OuterRef("pk"))))
        .select_related("congress")
        .annotate(
            received=_sum(Payment, PaymentState.SUCCEEDED),
            refunded=_sum(Refund, RefundState.SUCCEEDED),
            invoice_number=_latest_invoice("full_number"),
            invoice_due=_latest_invoice("due_date"),
            has_refund=Exists(Refund.objects.filter(order=OuterRef("pk"))),
            last_reminded=Subquery(
                InvoiceReminder.objects.filter(order=OuterRef("pk"))
                .order_by()
                .values("order")
                .annotate(last=Max("sent_at"))
                .values("last")
            ),
        )
        .annotate(
            outstanding=Case(
                When(
                    status__in=lifecycle.PAYABLE_STATUSES,
                    then=Greatest(F("total") - kept, ZERO, output_field=MONEY),
                ),
                default=ZERO,
                output_field=MONEY,
            )
        )
        .order_by("-created_at", "-pk")
    )


def overdue_q(today: dt.date) -> Q:
    """An invoice past its due date on an order still waiting for the money."""
    return Q(status=OrderStatus.PENDING_PAYMENT, invoice_due__lt=today)


def _view_q(view: str, today: dt.date) -> Q | None:
    if view == FinanceView.PENDING:
        return Q(status=OrderStatus.PENDING_PAYMENT) & (
            Q(invoice_due__isnull=True) | Q(invoice_due__gte=today)
        )
    if view == FinanceView.OVERDUE:
        return overdue_q(today)
    if view == FinanceView.INVOICED_UNPAID:
        return Q(status=lifecycle.INVOICED_UNPAID_STATUS, admitted_on_invoice=True)
    if view == FinanceView.PAID:
        return Q(status=OrderStatus.PAID)
    if view == FinanceView.REFUNDED:
        return Q(status__in=lifecycle.REFUNDED_STATUSES) | Q(has_refund=True)
    if view == FinanceView.REVIEW:
        return Q(needs_review=True)
    return None


def filter_view(queryset: QuerySet[Order], view: str, today: dt.date) -> QuerySet[Order]:
    condition = _view_q(view, today)
    return queryset if condition is None else queryset.filter(condition)


def finance_counts(*, congress: Congress, today: dt.date) -> dict[str, int]:
    """The tabs' figures, in one query, counted exactly as the list filters them."""
    base = finance_orders(congress=congress, today=today)
    counts = base.aggregate(
        **{
            f"count_{view.value}": Count("pk", filter=_view_q(view.value, today))
            for view in FinanceView
        }
    )
    return {view.value: counts[f"count_{view.value}"] for view in FinanceView}


# Sort keys of the query string -> ordering (always ending on the primary key, so pages
# never overlap).
FINANCE_SORTS = {
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "code": ("code", "pk"),
    "contact": ("contact_name", "pk"),
    "-total": ("-total", "-pk"),
    "total": ("total", "pk"),
    "-outstanding": ("-outstanding", "-pk"),
    "due": (F("invoice_due").asc(nulls_last=True), "pk"),
    "-due": (F("invoice_due").desc(nulls_last=True), "-pk"),
}


def _search_q(text: str) -> Q:
    """One word of the search: order code, invoice number, contact name (accents and case
    ignored), e-mail, organisation (a delegate's or the billing name), a transfer's payer
    reference."""
    folded = fold(text)
    return (
        Q(code__icontains=text)
        | Q(email__icontains=text)
        | Q(contact_folded__contains=folded)
        | Exists(Invoice.objects.filter(order=OuterRef("pk"), full_number__icontains=text))
        | Exists(Delegate.objects.filter(order=OuterRef("pk"), organisation_name__icontains=text))
        | Exists(BillingDetails.objects.filter(order=OuterRef("pk"), name__icontains=text))
        | Exists(
            Payment.objects.filter(
                order=OuterRef("pk"),
                provider=PaymentProvider.BANK_TRANSFER,
                reference__icontains=text,
            )
        )
    )


def search_finance_orders(
    queryset: QuerySet[Order], *, filters: dict, congress: Congress, today: dt.date
) -> QuerySet[Order]:
    """``queryset`` narrowed by the finance list's cleaned filters (see
    ``FinanceFilterForm``) and sorted; the list, its totals and its exports all call this."""
    words = (filters.get("q") or "").split()[:8]
    if words:
        queryset = queryset.annotate(contact_folded=Unaccent(Lower("contact_name")))
        for word in words:
            queryset = queryset.filter(_search_q(word))
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    payment_rows = {}
    if filters.get("method"):
        payment_rows["provider"] = filters["method"]
    if filters.get("payment"):
        payment_rows["state"] = filters["payment"]
    if payment_rows:
        queryset = queryset.filter(
            Exists(Payment.objects.filter(order=OuterRef("pk"), **payment_rows))
        )
    if filters.get("invoice") == "yes":
        queryset = queryset.filter(invoice_number__isnull=False)
    elif filters.get("invoice") == "no":
        queryset = queryset.filter(invoice_number__isnull=True)
    if filters.get("overdue"):
        queryset = queryset.filter(overdue_q(today))
    if filters.get("type") is not None:
        queryset = queryset.filter(
            Exists(Delegate.objects.filter(order=OuterRef("pk"), registration_type=filters["type"]))
        )
    tz = congress.tz
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz)
        queryset = queryset.filter(created_at__gte=start)
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        queryset = queryset.filter(created_at__lt=end)
    return queryset.order_by(
        *FINANCE_SORTS.get(filters.get("sort") or "", FINANCE_SORTS["-created"])
    )


def finance_totals(queryset: QuerySet[Order]) -> dict[str, Decimal | int]:
    """Ordered, paid, refunded and outstanding over the filtered orders, in one aggregate
    query (never summed in Python over rows)."""
    # The aggregates' names differ from the annotations they sum (Django would confuse them).
    totals = queryset.order_by().aggregate(
        sum_orders=Count("pk"),
        sum_ordered=Coalesce(Sum("total"), ZERO, output_field=MONEY),
        sum_paid=Coalesce(Sum("received"), ZERO, output_field=MONEY),
        sum_refunded=Coalesce(Sum("refunded"), ZERO, output_field=MONEY),
        sum_outstanding=Coalesce(Sum("outstanding"), ZERO, output_field=MONEY),
    )
    cent = Decimal("0.01")
    return {
        "orders": totals["sum_orders"],
        **{
            key: Decimal(totals[f"sum_{key}"]).quantize(cent)
            for key in ("ordered", "paid", "refunded", "outstanding")
        },
    }


def paid_registrations_with_refunds(*, congress: Congress, emails: list[str]) -> dict:
    """``registrations.selectors.paid_registrations_by_email`` with each registration's
    ``refundable``: what its order may still give back, at most its price. Three queries."""
    found = paid_registrations_by_email(congress=congress, emails=emails)
    left = refundable_by_order(r.order_id for rows in found.values() for r in rows)
    zero = Decimal("0.00")
    for key, rows in found.items():
        found[key] = [
            replace(r, refundable=min(r.price, max(left.get(r.order_id, zero), zero))) for r in rows
        ]
    return found
