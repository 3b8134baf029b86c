"""Placing an order: seats, prices, vouchers, approval, all decided under the capacity lock."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress

from ... import lifecycle
from ...capacity import count_taken, ensure_seats, holding_orders_q, lock_capacity
from ...enums import WaitingListStatus
from ...errors import (
    OfferInvalid,
    OrderAlreadyPlaced,
    RegistrationClosed,
    RegistrationError,
    VoucherExhausted,
    VoucherInvalid,
    VoucherRequired,
)
from ...lifecycle import OrderStatus
from ...models import (
    Answer,
    Delegate,
    MemberOrganisation,
    Order,
    RegistrationType,
    Voucher,
    WaitingListEntry,
)
from ...models.vouchers import normalise_organisation_name
from ...selectors import registration_settings
from .. import notifications
from ..pricing import congress_today, list_price, voucher_covers
from . import hoarding
from .editing import DELEGATE_FIELDS


@dataclass
class NewDelegate:
    """One delegate as typed into the form or the API, before prices and seats."""

    registration_type: RegistrationType
    details: dict = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)


def find_voucher(*, congress: Congress, code: str, now: dt.datetime | None = None) -> Voucher:
    """The active voucher behind ``code`` (case-insensitive) or :class:`VoucherInvalid`."""
    now = now or timezone.now()
    voucher = (
        Voucher.objects.filter(congress=congress, code=code.strip().upper(), is_active=True)
        .prefetch_related("registration_types")
        .first()
    )
    if voucher is None or (voucher.valid_until and voucher.valid_until < now):
        raise VoucherInvalid(_("This voucher code is not valid."))
    return voucher


def voucher_uses(*, voucher: Voucher, exclude_order_id: int | None = None) -> int:
    """Uses counted like seats: delegates priced with it in orders that still hold seats."""
    queryset = Delegate.objects.filter(holding_orders_q(), voucher=voucher, is_cancelled=False)
    if exclude_order_id is not None:
        queryset = queryset.exclude(order_id=exclude_order_id)
    return queryset.count()


def _check_sales_window(rtype: RegistrationType, congress: Congress, now: dt.datetime) -> None:
    if rtype.congress_id != congress.pk or not rtype.is_active:
        raise RegistrationClosed(_("This registration type is not on sale."))
    if rtype.sales_start and now < rtype.sales_start:
        raise RegistrationClosed(
            _("Sales for “%(type)s” have not started yet.") % {"type": rtype.name}
        )
    if rtype.sales_end and now > rtype.sales_end:
        raise RegistrationClosed(_("Sales for “%(type)s” have ended.") % {"type": rtype.name})


def _members_missing(congress: Congress, delegates: list[NewDelegate]) -> list[str]:
    """Organisation names of member-rate delegates that are not on the member list."""
    names = {
        normalise_organisation_name(d.details.get("organisation_name", "")): d.details.get(
            "organisation_name", ""
        )
        for d in delegates
        if d.registration_type.requires_membership
    }
    if not names:
        return []
    known = set(
        MemberOrganisation.objects.filter(
            congress=congress, normalised_name__in=[key for key in names if key]
        ).values_list("normalised_name", flat=True)
    )
    return sorted({shown or "—" for key, shown in names.items() if not key or key not in known})


def place_order(
    *,
    congress: Congress,
    contact_name: str,
    email: str,
    language: str,
    delegates: list[NewDelegate],
    voucher_code: str = "",
    idempotency_key: str | None = None,
    offer: WaitingListEntry | None = None,
    client_address: str = "",
    now: dt.datetime | None = None,
) -> Order:
    """Create one order for a delegation, holding its seats, or raise and leave nothing behind.

    Guarantees: seats, voucher uses, the caps on unpaid orders and unpaid seats per e-mail
    address and per ``client_address`` and the last-seats rule (see :mod:`.hoarding`) are
    decided under the capacity lock; prices come from the server; a repeated
    ``idempotency_key`` returns the first order instead of a second (the key is unique, so a
    repeat is found when it fails, not looked up on every order), or raises
    :class:`OrderAlreadyPlaced` when it comes with another body than the first time."""
    now = now or timezone.now()
    digest = (
        submission_digest(
            contact_name=contact_name,
            email=email,
            language=language,
            delegates=delegates,
            voucher_code=voucher_code,
            offer=offer,
        )
        if idempotency_key
        else ""
    )
    try:
        voucher = _check_new_order(
            congress=congress, delegates=delegates, voucher_code=voucher_code, offer=offer, now=now
        )
        return _place_order_locked(
            congress=congress,
            contact_name=contact_name,
            email=email,
            language=language,
            delegates=delegates,
            voucher=voucher,
            idempotency_key=idempotency_key or None,
            digest=digest,
            offer=offer,
            client_address=client_address,
            now=now,
        )
    except (IntegrityError, RegistrationError):
        # A repeat of an order already placed (a double submit, a replayed request): the first
        # one may have taken the last seat or voucher use, so answer with it, if it is the same.
        if idempotency_key:
            existing = Order.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                if existing.submission_digest and existing.submission_digest != digest:
                    raise OrderAlreadyPlaced(existing) from None
                return existing
        raise


def submission_digest(
    *,
    contact_name: str,
    email: str,
    language: str,
    delegates: list[NewDelegate],
    voucher_code: str,
    offer: WaitingListEntry | None,
) -> str:
    """SHA-256 of everything a buyer submits for one order, in a canonical form: equal for a
    double submit of the same form, different as soon as one field changed."""
    body = {
        "contact_name": contact_name,
        "email": email,
        "language": language,
        "voucher": voucher_code or "",
        "offer": offer.pk if offer is not None else None,
        "delegates": [
            {
                "type": item.registration_type.pk,
                "details": {key: str(value) for key, value in item.details.items()},
                "answers": {str(key): str(value) for key, value in item.answers.items()},
            }
            for item in delegates
        ],
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_new_order(
    *,
    congress: Congress,
    delegates: list[NewDelegate],
    voucher_code: str,
    offer: WaitingListEntry | None,
    now: dt.datetime,
) -> Voucher | None:
    """The guards that need no lock; returns the voucher behind ``voucher_code``, if any."""
    if not delegates:
        raise RegistrationError(_("Add at least one delegate."))
    reg_settings = registration_settings(congress)
    if len(delegates) > reg_settings.max_delegates_per_order:
        raise RegistrationError(
            _("One order can hold at most %(n)s delegates.")
            % {"n": reg_settings.max_delegates_per_order}
        )
    if offer is None and not congress.registration_is_open:
        raise RegistrationClosed(_("Registration for this congress is closed."))
    for item in delegates:
        _check_sales_window(item.registration_type, congress, now)
        if item.registration_type.congress_id == congress.pk:
            item.registration_type.congress = congress  # prices need its calendar: no query
    return find_voucher(congress=congress, code=voucher_code, now=now) if voucher_code else None


@dataclass
class _PricedOrder:
    """Everything about a new order that does not depend on seats, decided before the lock."""

    lines: list[tuple[NewDelegate, Decimal, str, Voucher | None]]
    total: Decimal
    status: str
    review: list[str]

    @property
    def voucher_count(self) -> int:
        return sum(1 for *_rest, used in self.lines if used is not None)


def _price_order(
    *, congress: Congress, delegates: list[NewDelegate], voucher: Voucher | None, now: dt.datetime
) -> _PricedOrder:
    """Prices, voucher fit, member list and approval: no seat is involved, so no lock."""
    today = congress_today(congress, now)
    allowed_ids = {t.pk for t in voucher.registration_types.all()} if voucher else set()
    lines: list[tuple[NewDelegate, Decimal, str, Voucher | None]] = []
    for item in delegates:
        rtype = item.registration_type
        price, tier = list_price(rtype, today)
        used = voucher if voucher_covers(voucher, rtype, allowed_ids) else None
        if rtype.complimentary and used is None:
            raise VoucherRequired(
                _("“%(type)s” needs an invitation or voucher code.") % {"type": rtype.name}
            )
        if used is not None:
            price = used.apply(price)
        lines.append((item, price, tier, used))
    if voucher is not None and not any(used for *_rest, used in lines):
        raise VoucherInvalid(_("This voucher is not valid for the chosen registration types."))
    missing_members = _members_missing(congress, delegates)
    review = []
    if missing_members:
        review.append(
            str(_("Not on the member list: %(names)s")) % {"names": ", ".join(missing_members)}
        )
    if any(d.registration_type.requires_approval for d in delegates):
        review.append(str(_("Registration type needs approval.")))
    total = sum((price for _item, price, _tier, _used in lines), Decimal("0.00"))
    if review:
        status = OrderStatus.AWAITING_APPROVAL
    elif total == 0:
        status = OrderStatus.PAID
    else:
        status = OrderStatus.PENDING_PAYMENT
    return _PricedOrder(lines=lines, total=total, status=status, review=review)


def preview_order(
    *,
    congress: Congress,
    delegates: list[NewDelegate],
    voucher_code: str = "",
    offer: WaitingListEntry | None = None,
    now: dt.datetime | None = None,
) -> _PricedOrder:
    """What ``place_order`` would charge and decide (prices, voucher, approval and why), for
    the summary a registrant confirms: no lock, no seat, nothing written. Raises the same
    domain errors as placing for what needs no seat; seats are decided when it is placed."""
    now = now or timezone.now()
    voucher = _check_new_order(
        congress=congress, delegates=delegates, voucher_code=voucher_code, offer=offer, now=now
    )
    return _price_order(congress=congress, delegates=delegates, voucher=voucher, now=now)


def _place_order_locked(
    *,
    congress: Congress,
    contact_name: str,
    email: str,
    language: str,
    delegates: list[NewDelegate],
    voucher: Voucher | None,
    idempotency_key: str | None,
    digest: str,
    offer: WaitingListEntry | None,
    client_address: str,
    now: dt.datetime,
) -> Order:
    """Prices first; then the rows (order, delegates and answers in bulk, audit entry) go in
    before the capacity lock is taken, so that the lock covers only the count, the decision
    and the commit. The count leaves this order out; orders of other buyers not yet committed
    are not seen, and they count this one once they hold the lock. A refusal rolls it all back."""
    priced = _price_order(congress=congress, delegates=delegates, voucher=voucher, now=now)
    status = priced.status
    types_by_id = {d.registration_type.pk: d.registration_type for d in delegates}
    wanted = Counter(d.registration_type.pk for d in delegates)
    hold = registration_settings(congress).hold
    unpaid = status in lifecycle.UNPAID_STATUSES
    placer = {
        "hold_email": hoarding.email_key(email) if unpaid else "",
        "hold_address": hoarding.address_key(client_address) if unpaid else "",
    }
    with transaction.atomic():
        order = Order.objects.create(
            congress=congress,
            status=status,
            contact_name=contact_name,
            email=email,
            language=language,
            total=priced.total,
            currency=congress.currency,
            hold_expires_at=now + hold if status == OrderStatus.PENDING_PAYMENT else None,
            needs_review=bool(priced.review),
            review_reason="\n".join(priced.review),
            paid_at=now if status == OrderStatus.PAID else None,
            idempotency_key=idempotency_key,
            submission_digest=digest,
            voucher=voucher,
            **placer,
        )
        rows = []
        for item, price, tier, used in priced.lines:
            details = {k: v for k, v in item.details.items() if k in DELEGATE_FIELDS}
            details.setdefault("role", item.registration_type.default_role)
            # a delegation's members need no address of their own: the contact's is used
            details["email"] = details.get("email") or email
            rows.append(
                Delegate(
                    order=order,
                    registration_type=item.registration_type,
                    price=price,
                    price_tier=tier,
                    voucher=used,
                    **details,
                )
            )
        for row in rows:
            row.refresh_search_text()  # bulk_create skips save()
        created = Delegate.objects.bulk_create(rows)
        answers = [
            Answer(delegate=delegate, question_id=question_id, value=value)
            for delegate, (item, *_rest) in zip(created, priced.lines, strict=True)
            for question_id, value in item.answers.items()
            if value not in ("", None)
        ]
        if answers:
            Answer.objects.bulk_create(answers)
        audit.record(
            action="convene.order.placed",
            congress=congress,
            actor_label=email,
            target=order,
            data={
                "code": order.code,
                "status": status,
                "delegates": len(rows),
                "total": str(priced.total),
                "voucher": voucher.code if voucher else "",
            },
        )

        lock_capacity(
            congress_id=congress.pk,
            type_ids=wanted.keys(),
            voucher_ids=[voucher.pk] if voucher else [],
        )
        if offer is not None:
            offer = _check_offer(offer=offer, wanted=wanted, now=now)
        seats = len(rows)
        if unpaid:
            placer_holds = hoarding.check_hold_caps(
                congress=congress, seats=seats, exclude_order_id=order.pk, now=now, **placer
            )
        seats_left = ensure_seats(
            congress=congress,
            wanted=wanted,
            types_by_id=types_by_id,
            exclude_order_id=order.pk,
            exclude_offer_id=offer.pk if offer else None,
        )
        if unpaid and offer is None:  # a waiting-list offer is a seat kept for this person
            hoarding.check_last_seats(
                congress=congress, holds=placer_holds, seats=seats, seats_left=seats_left
            )
        if voucher is not None and voucher.max_uses is not None:
            left = voucher.max_uses - voucher_uses(voucher=voucher, exclude_order_id=order.pk)
            if priced.voucher_count > left:
                raise VoucherExhausted(
                    _("This voucher can be used for %(n)s more delegate(s) only.")
                    % {"n": max(0, left)}
                )
        if offer is not None:
            WaitingListEntry.objects.filter(pk=offer.pk).update(
                status=WaitingListStatus.REDEEMED, order=order
            )
        template = {
            OrderStatus.PAID: "confirmation",
            OrderStatus.AWAITING_APPROVAL: "awaiting_approval",
        }.get(status, "order_placed")
        notifications.queue_order_email(order=order, template=template)
        if status == OrderStatus.PAID:
            notifications.queue_delegate_confirmations(order=order)
    return order


def _check_offer(*, offer: WaitingListEntry, wanted: Counter, now: dt.datetime):
    fresh = WaitingListEntry.objects.filter(pk=offer.pk).first()
    if (
        fresh is None
        or fresh.status != WaitingListStatus.OFFERED
        or not fresh.offer_expires_at
        or fresh.offer_expires_at <= now
    ):
        raise OfferInvalid(_("This seat offer has expired or was already used."))
    if dict(wanted) != {fresh.registration_type_id: 1}:
        raise OfferInvalid(_("A seat offer is for one delegate of the offered type."))
    return fresh


def seats_taken_now(congress: Congress) -> int:
    """Convenience for tests and the benchmark: seats held right now in the congress."""
    return count_taken(congress_id=congress.pk).total
