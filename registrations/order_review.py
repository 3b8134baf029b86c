"""Read side of the organisers' order page and approval queue: one order with everything an
organiser checks (delegates, answers, payments, invoices, audit trail, notes), and the orders
awaiting approval with what needs checking, in a fixed number of queries per page."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from events_site.congresses.models import AuditEntry, Congress

from .lifecycle import OrderStatus
from .models import Answer, Delegate, MemberOrganisation, Order, OrderNote
from .models.vouchers import normalise_organisation_name

AUDIT_LIMIT = 200


def _delegates_prefetch() -> Prefetch:
    return Prefetch(
        "delegates",
        queryset=Delegate.objects.select_related("registration_type")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__position", "question_id"
                ),
            )
        )
        .order_by("id"),
    )


def organiser_order(congress: Congress, code: str) -> Order:
    """The congress's order by its code (404 for another congress's)."""
    return get_object_or_404(
        Order.objects.select_related("congress", "voucher").prefetch_related(_delegates_prefetch()),
        congress=congress,
        code=code,
    )


def order_audit_trail(order: Order, delegates: list[Delegate]) -> QuerySet[AuditEntry]:
    """Audit entries about the order and its delegates, newest first."""
    return (
        AuditEntry.objects.filter(congress_id=order.congress_id)
        .filter(
            Q(target_type="registrations.order", target_id=str(order.pk))
            | Q(target_type="registrations.delegate", target_id__in=[str(d.pk) for d in delegates])
        )
        .order_by("-created_at", "-id")[:AUDIT_LIMIT]
    )


def order_notes(order: Order) -> QuerySet[OrderNote]:
    return order.notes.select_related("author").order_by("-created_at", "-id")


def awaiting_approval(congress: Congress) -> QuerySet[Order]:
    """Orders awaiting approval, oldest first, with their delegates, types and answers."""
    return (
        Order.objects.filter(congress=congress, status=OrderStatus.AWAITING_APPROVAL)
        .select_related("congress")
        .prefetch_related(_delegates_prefetch())
        .order_by("created_at", "id")
    )


def member_check(congress: Congress, orders) -> dict[int, bool]:
    """For each member-rate delegate of ``orders`` (delegates prefetched): is their organisation
    on the congress's member list? One query for the whole page."""
    wanted = {
        d.pk: normalise_organisation_name(d.organisation_name)
        for order in orders
        for d in order.delegates.all()
        if d.registration_type.requires_membership
    }
    if not wanted:
        return {}
    known = set(
        MemberOrganisation.objects.filter(
            congress=congress, normalised_name__in=[n for n in wanted.values() if n]
        ).values_list("normalised_name", flat=True)
    )
    return {pk: bool(name) and name in known for pk, name in wanted.items()}
