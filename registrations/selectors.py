"""Read-side queries shared by views, the API, exports and services (joins set once, here)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from events_site.congresses.models import Congress
from events_site.congresses.secret_links import get_by_secret_or_404

from . import lifecycle
from .capacity import count_taken, remaining
from .enums import WaitingListStatus
from .lifecycle import OrderStatus
from .models import (
    Answer,
    Delegate,
    Order,
    Question,
    RegistrationSettings,
    RegistrationType,
    WaitingListEntry,
)


def registration_settings(congress: Congress) -> RegistrationSettings:
    """The congress's registration settings (an unsaved default if none were made yet)."""
    return RegistrationSettings.for_congress(congress)


def congress_with_settings(slug: str) -> Congress | None:
    """The congress behind a public URL with its registration settings in the same query
    (and remembered for :func:`registration_settings`)."""
    congress = Congress.objects.select_related("registration_settings").filter(slug=slug).first()
    if congress is not None:
        try:
            found = congress.registration_settings
        except RegistrationSettings.DoesNotExist:
            found = RegistrationSettings(congress=congress)
        congress.__dict__["_registration_settings"] = found
    return congress


def types_on_sale(congress: Congress) -> QuerySet[RegistrationType]:
    return RegistrationType.objects.filter(congress=congress, is_active=True).order_by(
        "position", "name"
    )


def seats_left(congress: Congress, types) -> dict[int, int | None]:
    """Seats left per type right now (None: unlimited). Advisory: the lock decides."""
    types = list(types)
    taken = count_taken(congress_id=congress.pk)
    return remaining(congress=congress, types=types, taken=taken)


def questions_for(congress: Congress) -> list[Question]:
    """Active questions of the congress with the types they are limited to, in order."""
    return list(
        Question.objects.filter(congress=congress, is_active=True)
        .prefetch_related("registration_types")
        .order_by("position", "id")
    )


def order_for_link(*, congress_slug: str, code: str, secret: str) -> Order:
    """The order behind a self-service link; any mismatch is a 404 (no hint which part)."""
    return get_by_secret_or_404(
        Order.objects.select_related("congress", "voucher").filter(congress__slug=congress_slug),
        secret=secret,
        matching={"code": code},
    )


def delegate_for_link(*, congress_slug: str, delegate_secret: str) -> Delegate:
    """The delegate behind their own secret link (personal data); any mismatch is a 404."""
    return get_by_secret_or_404(
        Delegate.objects.select_related("order__congress", "registration_type").filter(
            order__congress__slug=congress_slug
        ),
        secret=delegate_secret,
    )


def order_delegate(order: Order, delegate_secret: str) -> Delegate:
    """The order's delegate behind ``delegate_secret`` (with its type and answers); a secret
    of another order's delegate is a 404."""
    return get_by_secret_or_404(_delegates_of(order), secret=delegate_secret)


def _delegates_of(order: Order) -> QuerySet[Delegate]:
    return (
        order.delegates.select_related("registration_type")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("id")
    )


def order_delegates(order: Order) -> list[Delegate]:
    return list(_delegates_of(order))


def organiser_delegates(
    *,
    congress: Congress,
    search: str = "",
    registration_type: str = "",
    status: str = "",
) -> QuerySet[Delegate]:
    """Delegates for organiser lists and exports, with the order and type joined."""
    queryset = Delegate.objects.filter(order__congress=congress).select_related(
        "order", "registration_type"
    )
    if search:
        terms = Q()
        for word in search.split():
            terms &= (
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(badge_name__icontains=word)
                | Q(email__icontains=word)
                | Q(organisation_name__icontains=word)
                | Q(city__icontains=word)
                | Q(order__code__iexact=word)
                | Q(order__email__icontains=word)
            )
        queryset = queryset.filter(terms)
    if registration_type:
        queryset = queryset.filter(registration_type__code=registration_type)
    if status:
        queryset = queryset.filter(order__status=status)
    return queryset.order_by("family_name", "given_name", "id")


def organiser_orders(*, congress: Congress, search: str = "", status: str = "") -> QuerySet[Order]:
    queryset = Order.objects.filter(congress=congress).annotate(delegate_count=Count("delegates"))
    if search:
        queryset = queryset.filter(
            Q(code__iexact=search.strip())
            | Q(email__icontains=search)
            | Q(contact_name__icontains=search)
            | Q(delegates__family_name__icontains=search)
        ).distinct()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("voucher").order_by("-created_at")


def figures(congress: Congress) -> dict:
    """Delegates and revenue per type and order status, plus totals per status."""
    rows = (
        Delegate.objects.filter(order__congress=congress, is_cancelled=False)
        .values("registration_type_id", "order__status")
        .annotate(delegates=Count("id"), amount=Sum("price"))
        .order_by()
    )
    types = list(RegistrationType.objects.filter(congress=congress).order_by("position", "name"))
    per_type: dict[int, dict] = defaultdict(dict)
    by_status: dict[str, int] = defaultdict(int)
    for row in rows:
        per_type[row["registration_type_id"]][row["order__status"]] = row["delegates"]
        by_status[row["order__status"]] += row["delegates"]
    paid = Delegate.objects.filter(
        order__congress=congress,
        is_cancelled=False,
        order__status__in=lifecycle.PAID_STATUSES,
    ).aggregate(amount=Sum("price"))["amount"] or Decimal("0.00")
    left = seats_left(congress, types)
    waiting = dict(
        WaitingListEntry.objects.filter(congress=congress, status=WaitingListStatus.WAITING)
        .values_list("registration_type_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "statuses": [{"value": value, "label": label} for value, label in OrderStatus.choices],
        "types": [
            {
                "code": rtype.code,
                "name": rtype.name,
                "capacity": rtype.capacity,
                "seats_left": left[rtype.pk],
                "waiting": waiting.get(rtype.pk, 0),
                "by_status": {
                    value: per_type[rtype.pk].get(value, 0) for value in OrderStatus.values
                },
                "total": sum(per_type[rtype.pk].values()),
            }
            for rtype in types
        ],
        "by_status": {value: by_status.get(value, 0) for value in OrderStatus.values},
        "paid_amount": paid,
        "currency": congress.currency,
    }
