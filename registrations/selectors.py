"""Read-side queries shared by views, the API, exports and services (joins set once, here)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from events_site.congresses.models import Congress
from events_site.congresses.secret_links import get_by_secret_or_404

from . import lifecycle, regions
from .capacity import count_taken, holding_orders_q, remaining
from .enums import VoucherStatus, WaitingListStatus
from .lifecycle import OrderStatus
from .models import (
    Answer,
    Delegate,
    MemberOrganisation,
    Order,
    Question,
    RegistrationSettings,
    RegistrationType,
    SavedDelegateFilter,
    Voucher,
    WaitingListEntry,
)
from .models.payments import Payment
from .models.vouchers import normalise_organisation_name
from .search_keys import normalise_search_text


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


def registration_types(congress: Congress) -> QuerySet[RegistrationType]:
    """Every type of the congress, on sale or not, in the organisers' order."""
    return RegistrationType.objects.filter(congress=congress).order_by("position", "name")


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


def organiser_questions(
    congress: Congress,
    *,
    search: str = "",
    asked_of: RegistrationType | None = None,
    kind: str = "",
    required: bool | None = None,
    asked: bool | None = None,
) -> QuerySet[Question]:
    """The organisers' list of questions, in form order, with the types each is limited to
    and how many delegates answered it (empty answers are not answers). ``asked_of``: the
    questions a delegate of that type is asked (those of every type included)."""
    questions = Question.objects.filter(congress=congress)
    if search:
        questions = questions.filter(
            Q(label__icontains=search)
            | Q(help_text__icontains=search)
            | Q(choices__icontains=search)
        )
    if asked_of is not None:
        limited = Question.registration_types.through.objects.filter(question_id=OuterRef("pk"))
        questions = questions.filter(
            Exists(limited.filter(registrationtype_id=asked_of.pk)) | ~Exists(limited)
        )
    if kind:
        questions = questions.filter(kind=kind)
    if required is not None:
        questions = questions.filter(required=required)
    if asked is not None:
        questions = questions.filter(is_active=asked)
    answered = Answer.objects.filter(question_id=OuterRef("pk")).exclude(value="")
    return (
        questions.annotate(
            answered=Subquery(
                answered.order_by().values("question_id").annotate(n=Count("pk")).values("n")
            )
        )
        .prefetch_related(
            Prefetch(
                "registration_types", queryset=RegistrationType.objects.order_by("position", "name")
            )
        )
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


@dataclass(frozen=True)
class DelegateFilters:
    """What the organisers' delegate list (and its export) is narrowed to; empty values filter
    nothing. ``member``, ``visa_letter`` and ``accessibility`` are True, False or None."""

    search: str = ""
    registration_type: str = ""
    status: str = ""
    country: str = ""
    member: bool | None = None
    payment_method: str = ""
    visa_letter: bool | None = None
    accessibility: bool | None = None
    region: str = ""
    checked_in: bool | None = None
    sort: str = "name"


# sort key -> order_by fields (ascending; a leading "-" in the key reverses every field)
DELEGATE_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "registered": ("order__created_at", "id"),
    "type": ("registration_type__position", "registration_type__name", "family_name", "id"),
    "status": ("order__status", "family_name", "id"),
}


def _delegate_search_q(search: str) -> Q:
    """Every word must match: the normalised search text (names in any script, accents and
    case ignored; e-mail, organisation, city), the order code or the contact e-mail."""
    terms = Q()
    for word in search.split():
        match = Q(order__code__iexact=word) | Q(order__email__icontains=word)
        key = normalise_search_text(word)
        if key:
            match |= Q(search_text__contains=key)
        terms &= match
    return terms


def organiser_delegates(
    *,
    congress: Congress,
    search: str = "",
    registration_type: str = "",
    status: str = "",
    filters: DelegateFilters | None = None,
) -> QuerySet[Delegate]:
    """Delegates for organiser lists and exports, with the order and type joined, narrowed by
    ``filters`` (or the three older keyword arguments) and sorted by ``filters.sort``."""
    if filters is None:
        filters = DelegateFilters(search=search, registration_type=registration_type, status=status)
    queryset = Delegate.objects.filter(order__congress=congress).select_related(
        "order", "registration_type"
    )
    if filters.search:
        queryset = queryset.filter(_delegate_search_q(filters.search))
    if filters.registration_type:
        queryset = queryset.filter(registration_type__code=filters.registration_type)
    if filters.status:
        queryset = queryset.filter(order__status=filters.status)
    if filters.country:
        queryset = queryset.filter(country=filters.country)
    if filters.member is not None:
        queryset = queryset.filter(registration_type__requires_membership=filters.member)
    if filters.payment_method:
        queryset = queryset.filter(
            Exists(
                Payment.objects.filter(
                    order_id=OuterRef("order_id"), provider=filters.payment_method
                )
            )
        )
    if filters.visa_letter is not None:
        queryset = queryset.filter(needs_visa_letter=filters.visa_letter)
    if filters.accessibility is True:
        queryset = queryset.exclude(accessibility_needs="")
    elif filters.accessibility is False:
        queryset = queryset.filter(accessibility_needs="")
    if filters.region:
        queryset = queryset.filter(country__in=sorted(regions.countries_in(filters.region)))
    if filters.checked_in is not None:
        # The badges app keeps check-ins on the delegate's badge (reverse one-to-one "badge");
        # read by its field name, so this app imports nothing of that one.
        checked = Q(badge__checked_in_at__isnull=False)
        queryset = queryset.filter(checked if filters.checked_in else ~checked)
    descending = filters.sort.startswith("-")
    fields = DELEGATE_SORTS.get(filters.sort.lstrip("-"), DELEGATE_SORTS["name"])
    return queryset.order_by(*(f"-{field}" if descending else field for field in fields))


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
    # A delegate counts under their order's status, except one cancelled on their own in an
    # order that goes on: they count as cancelled. Cancelling an order marks its delegates
    # cancelled too, so leaving cancelled delegates out (as this once did) emptied the
    # "Cancelled" column.
    standing = Case(
        When(
            Q(is_cancelled=True) & ~Q(order__status__in=lifecycle.REFUNDED_STATUSES),
            then=Value(OrderStatus.CANCELLED.value),
        ),
        default=F("order__status"),
        output_field=CharField(),
    )
    rows = (
        Delegate.objects.filter(order__congress=congress)
        .annotate(standing=standing)
        .values("registration_type_id", "standing")
        .annotate(delegates=Count("id"))
        .order_by()
    )
    types = list(RegistrationType.objects.filter(congress=congress).order_by("position", "name"))
    per_type: dict[int, dict] = defaultdict(dict)
    by_status: dict[str, int] = defaultdict(int)
    for row in rows:
        per_type[row["registration_type_id"]][row["standing"]] = row["delegates"]
        by_status[row["standing"]] += row["delegates"]
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
                # cancelled delegates stay out of the total, as they always did
                "total": sum(
                    n for value, n in per_type[rtype.pk].items() if value != OrderStatus.CANCELLED
                ),
            }
            for rtype in types
        ],
        "by_status": {value: by_status.get(value, 0) for value in OrderStatus.values},
        "paid_amount": paid,
        "currency": congress.currency,
    }


@dataclass(frozen=True)
class Seats:
    """Seats of one registration type (or of the whole congress): ``sold`` to paid orders,
    ``held`` by orders awaiting approval or payment (a pending hold only until it expires) and
    by open waiting-list offers, ``left`` for sale (None: unlimited)."""

    capacity: int | None
    sold: int
    held: int
    left: int | None


def type_seats(congress: Congress, types) -> tuple[dict[int, Seats], Seats]:
    """Sold / held / left per type of ``types`` and for the congress as a whole, counted the way
    the registration form counts them (:func:`capacity.count_taken`, bounded by the congress's
    total capacity), in three queries whatever the number of types."""
    types = list(types)
    taken = count_taken(congress_id=congress.pk)
    sold = Counter(
        dict(
            Delegate.objects.filter(
                registration_type__congress=congress,
                is_cancelled=False,
                order__status__in=lifecycle.PAID_STATUSES,
            )
            .values_list("registration_type_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    left = remaining(congress=congress, types=types, taken=taken)
    per_type = {
        rtype.pk: Seats(
            capacity=rtype.capacity,
            sold=sold[rtype.pk],
            held=taken.by_type[rtype.pk] - sold[rtype.pk],
            left=left[rtype.pk],
        )
        for rtype in types
    }
    total_capacity = registration_settings(congress).total_capacity
    sold_total = sum(sold.values())
    overall = Seats(
        capacity=total_capacity,
        sold=sold_total,
        held=taken.total - sold_total,
        left=None if total_capacity is None else max(0, total_capacity - taken.total),
    )
    return per_type, overall


def organiser_types(*, congress: Congress, search: str = "") -> QuerySet[RegistrationType]:
    """The congress's registration types in the form's order, matching ``search`` on code or
    name (every word)."""
    queryset = RegistrationType.objects.filter(congress=congress)
    for word in search.split():
        queryset = queryset.filter(Q(code__icontains=word) | Q(name__icontains=word))
    return queryset.order_by("position", "name", "pk")


def member_organisations(
    congress: Congress, *, search: str = "", country: str = ""
) -> QuerySet[MemberOrganisation]:
    """The congress's member list, by name; ``search`` matches the name (accents and case
    ignored, through the normalised name) or the member number, ``country`` the code."""
    queryset = MemberOrganisation.objects.filter(congress=congress)
    search = search.strip()
    if search:
        matches = Q(reference__icontains=search)
        key = normalise_organisation_name(search)
        if key:
            matches |= Q(normalised_name__contains=key)
        queryset = queryset.filter(matches)
    if country:
        queryset = queryset.filter(country=country.upper())
    return queryset.select_related("visa_focal_point").order_by("normalised_name", "pk")


def delegates_by_member_key(congress: Congress) -> dict[str, int]:
    """Live delegates per normalised organisation name, in one grouped query (the member
    list's "delegates" column)."""
    counts: dict[str, int] = defaultdict(int)
    grouped = (
        Delegate.objects.filter(
            order__congress=congress,
            order__status__in=lifecycle.LIVE_STATUSES,
            is_cancelled=False,
        )
        .exclude(organisation_name="")
        .values("organisation_name")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grouped:
        counts[normalise_organisation_name(row["organisation_name"])] += row["n"]
    return counts


def _uses_subquery(now) -> Subquery:
    """A voucher's uses, counted as ``services.orders.voucher_uses`` counts them."""
    return Coalesce(
        Subquery(
            Delegate.objects.filter(holding_orders_q(now=now), voucher=OuterRef("pk"))
            .filter(is_cancelled=False)
            .order_by()
            .values("voucher")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _voucher_status_q(status: str, now) -> Q:
    """The vouchers in ``status`` (each in exactly one; see ``VoucherStatus``)."""
    expired = Q(valid_until__lt=now)
    used_up = Q(max_uses__isnull=False, uses__gte=F("max_uses"))
    if status == VoucherStatus.INACTIVE:
        return Q(is_active=False)
    if status == VoucherStatus.EXPIRED:
        return Q(is_active=True) & expired
    if status == VoucherStatus.USED_UP:
        return Q(is_active=True) & ~expired & used_up
    return Q(is_active=True) & ~expired & ~used_up


def voucher_status(voucher: Voucher, now=None) -> str:
    """Where ``voucher`` (annotated with ``uses``) stands, in the order of ``VoucherStatus``."""
    now = now or timezone.now()
    if not voucher.is_active:
        return VoucherStatus.INACTIVE
    if voucher.valid_until and voucher.valid_until < now:
        return VoucherStatus.EXPIRED
    if voucher.max_uses is not None and voucher.uses >= voucher.max_uses:
        return VoucherStatus.USED_UP
    return VoucherStatus.ACTIVE


def organiser_vouchers(
    *,
    congress: Congress,
    search: str = "",
    status: str = "",
    registration_type: str = "",
    batch: str = "",
    now=None,
) -> QuerySet[Voucher]:
    """Vouchers for the organisers' list and export, each with ``uses``; ``registration_type``
    (a code) keeps the vouchers valid for it, including those valid for every type."""
    now = now or timezone.now()
    queryset = Voucher.objects.filter(congress=congress).annotate(uses=_uses_subquery(now))
    if search:
        terms = Q()
        for word in search.split():
            terms &= Q(code__icontains=word) | Q(comment__icontains=word)
        queryset = queryset.filter(terms)
    if status in VoucherStatus.values:
        queryset = queryset.filter(_voucher_status_q(status, now))
    if registration_type:
        through = Voucher.registration_types.through.objects
        queryset = queryset.filter(
            Exists(
                through.filter(
                    voucher=OuterRef("pk"),
                    registrationtype__congress=congress,
                    registrationtype__code=registration_type,
                )
            )
            | ~Exists(through.filter(voucher=OuterRef("pk")))
        )
    if batch:
        queryset = queryset.filter(batch=batch)
    return queryset.prefetch_related(
        Prefetch(
            "registration_types", queryset=RegistrationType.objects.order_by("position", "name")
        )
    ).order_by("code")


def voucher_redemptions(voucher: Voucher, now=None) -> QuerySet[Delegate]:
    """Every delegate ever priced with ``voucher`` (cancelled and expired ones too), newest
    first, each with ``counts``: whether it is one of the uses counted today."""
    now = now or timezone.now()
    holding = Delegate.objects.filter(holding_orders_q(now=now), pk=OuterRef("pk")).filter(
        is_cancelled=False
    )
    return (
        Delegate.objects.filter(voucher=voucher, order__congress_id=voucher.congress_id)
        .select_related("order", "registration_type")
        .annotate(counts=Exists(holding))
        .order_by("-order__created_at", "-pk")
    )


def _queue_position() -> Coalesce:
    """1 + the people of the same type who joined earlier and still wait (ties by id)."""
    ahead = (
        WaitingListEntry.objects.filter(
            registration_type=OuterRef("registration_type"), status=WaitingListStatus.WAITING
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("registration_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1


def organiser_waiting_list(
    *, congress: Congress, search: str = "", status: str = "", registration_type: str = ""
) -> QuerySet[WaitingListEntry]:
    """The congress's waiting list for the organisers, type by type in the types' order, then
    in the order people joined; each waiting entry carries ``queue_position`` within its type
    (counted over everyone waiting, whatever the search)."""
    queryset = (
        WaitingListEntry.objects.filter(congress=congress)
        .select_related("registration_type")
        .annotate(queue_position=_queue_position())
        .order_by("registration_type__position", "registration_type__name", "created_at", "pk")
    )
    if search:
        terms = Q()
        for word in search.split():
            terms &= Q(name__icontains=word) | Q(email__icontains=word)
        queryset = queryset.filter(terms)
    if status in WaitingListStatus.values:
        queryset = queryset.filter(status=status)
    if registration_type:
        queryset = queryset.filter(registration_type__code=registration_type)
    return queryset


def waiting_list_summary(congress: Congress) -> list[dict]:
    """Per type with anyone on its list: how many wait, how many offers are open, seats free."""
    counts = (
        WaitingListEntry.objects.filter(
            congress=congress,
            status__in=[WaitingListStatus.WAITING, WaitingListStatus.OFFERED],
        )
        .order_by()
        .values("registration_type_id")
        .annotate(
            waiting=Count("pk", filter=Q(status=WaitingListStatus.WAITING)),
            offered=Count("pk", filter=Q(status=WaitingListStatus.OFFERED)),
        )
    )
    by_type = {row["registration_type_id"]: row for row in counts}
    types = [t for t in registration_types(congress) if t.pk in by_type]
    left = seats_left(congress, types) if types else {}
    return [
        {
            "type": rtype,
            "waiting": by_type[rtype.pk]["waiting"],
            "offered": by_type[rtype.pk]["offered"],
            "free": left[rtype.pk],
        }
        for rtype in types
    ]


def saved_filters(congress: Congress, user) -> list:
    """The delegate list's saved filters ``user`` may apply: their own and the team's shared."""
    return list(
        SavedDelegateFilter.objects.filter(congress=congress)
        .filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class PaidRegistration:
    """A delegate's own paid registration, as another app may show it (read-only)."""

    order_code: str
    registration_type: str
    price: Decimal
    currency: str
    delegate_id: int = 0
    order_id: int = 0
    # What may still be refunded of it (received minus refunded on its order, at most its
    # price): filled by ``payments.selectors.paid_registrations_with_refunds``; None here.
    refundable: Decimal | None = None
    # Whether the registrations app would cancel it (``lifecycle.seat_may_be_cancelled``).
    cancellable: bool = True

    @property
    def still_refundable(self) -> Decimal:
        return self.price if self.refundable is None else self.refundable


def paid_registrations_by_email(
    *, congress: Congress, emails: list[str]
) -> dict[str, list[PaidRegistration]]:
    """For each of ``emails`` (case ignored, keyed lower-case), the delegates of ``congress``
    with that e-mail who paid a price above zero on an order still paid (a free registration,
    e.g. a speaker's voucher, is not one). One query whatever the number of e-mails."""
    from django.db.models.functions import Lower

    keys = sorted({e.strip().lower() for e in emails if e and "\x00" not in e})
    found: dict[str, list[PaidRegistration]] = defaultdict(list)
    if not keys:
        return found
    active = (
        Delegate.objects.filter(order=OuterRef("order"), is_cancelled=False)
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    delegates = (
        Delegate.objects.annotate(
            email_key=Lower("email"),
            order_active=Coalesce(Subquery(active), 0),
        )
        .filter(
            order__congress=congress,
            order__status__in=lifecycle.PAID_STATUSES,
            is_cancelled=False,
            price__gt=0,
            email_key__in=keys,
        )
        .select_related("order", "registration_type")
        .order_by("order__paid_at", "pk")
    )
    for delegate in delegates:
        found[delegate.email_key].append(
            PaidRegistration(
                order_code=delegate.order.code,
                registration_type=str(delegate.registration_type),
                price=delegate.price,
                currency=delegate.order.currency,
                delegate_id=delegate.pk,
                order_id=delegate.order_id,
                cancellable=lifecycle.seat_may_be_cancelled(
                    delegate.order.status, delegate.order_active
                ),
            )
        )
    return found
