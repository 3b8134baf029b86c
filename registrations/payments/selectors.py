"""Read side of payments: what the order page's payment part shows, and the finance
overview's orders with their money, queried once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from events_site.congresses.models import Congress

from .. import lifecycle
from ..lifecycle import OrderStatus
from ..models import Invoice, Order, Payment, Refund
from . import stripe as stripe_edge
from .enums import FinanceView, InvoiceKind, PaymentState, RefundState
from .services.balances import amount_outstanding, payment_refusal

MONEY = DecimalField(max_digits=12, decimal_places=2)


def order_kwargs(order: Order) -> dict:
    """The URL arguments of the order's secret-link pages."""
    return {"congress_slug": order.congress.slug, "code": order.code, "secret": order.secret}


def payment_context(order: Order) -> dict:
    """What ``order_payment.html`` needs, from the order alone: the payment page and the
    registration order page (through the ``order_payment_context`` tag) both read it."""
    refusal = payment_refusal(order)
    invoices = list(order.invoices.order_by("issued_at", "id"))
    return {
        "order": order,
        "congress": order.congress,
        "payment_refusal": refusal,
        "card_available": stripe_edge.card_payments_available(),
        "can_pay": refusal is None,
        "invoices": invoices,
        "amount_outstanding": amount_outstanding(order),
        "order_kwargs": order_kwargs(order),
        "statuses": OrderStatus,
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


def finance_orders(*, congress: Congress, today: dt.date) -> QuerySet[Order]:
    """Every order of the congress that involves money, with received/refunded sums and its
    latest invoice number and due date (no N+1: all subqueries)."""
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
        )
        .order_by("-created_at")
    )


def filter_view(queryset: QuerySet[Order], view: str, today: dt.date) -> QuerySet[Order]:
    overdue = Q(status=OrderStatus.PENDING_PAYMENT, invoice_due__lt=today)
    if view == FinanceView.PENDING:
        return queryset.filter(status=OrderStatus.PENDING_PAYMENT).filter(
            Q(invoice_due__isnull=True) | Q(invoice_due__gte=today)
        )
    if view == FinanceView.OVERDUE:
        return queryset.filter(overdue)
    if view == FinanceView.PAID:
        return queryset.filter(status=OrderStatus.PAID)
    if view == FinanceView.REFUNDED:
        return queryset.filter(Q(status__in=lifecycle.REFUNDED_STATUSES) | Q(has_refund=True))
    if view == FinanceView.REVIEW:
        return queryset.filter(needs_review=True)
    return queryset


def finance_counts(*, congress: Congress, today: dt.date) -> dict[str, int]:
    base = finance_orders(congress=congress, today=today)
    return {view.value: filter_view(base, view.value, today).count() for view in FinanceView}
