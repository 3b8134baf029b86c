"""Changes to an order's delegation that move money: a delegate's registration type changed,
a delegate added to an order already placed. Both take the seat through the capacity lock,
price at today's tier, and settle the difference without touching an issued invoice.

Settling, once for both (:func:`_settle`): an order that has an invoice (or is paid) gets a new
invoice for what it costs more, or credit notes for what it costs less, so invoices minus credit
notes always equal the order's total. An order not invoiced yet (awaiting approval, or to be
paid by card) only changes its total: the delegate's payment page asks for the new amount. A
paid order that now costs less keeps its status and is flagged with what finance may refund
(through the refund service, from the payments page); one that costs more stays paid (its
delegates still enter) with a balance due, invoiced and payable by transfer.

Lock order as everywhere: the order's row, then the capacity lock, then waiting-list rows.
Open card attempts for the old total are closed before the transaction (Stripe is never called
inside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress
from events_site.congresses.money import format_money

from ... import lifecycle
from ...capacity import ensure_one_seat, lock_capacity
from ...errors import OrderStateError, RegistrationError
from ...models import Answer, Delegate, Invoice, Order, RegistrationType
from ...selectors import registration_settings
from ...services.delegates import active_delegate_count
from ...services.orders import DELEGATE_FIELDS, reread_for_update
from ...services.pricing import congress_today, list_price, voucher_covers
from ...services.waiting_list import offer_freed_seats
from . import invoicing as invoice_services
from .balances import amount_kept, balance_due, flag_for_review
from .cards import CARD_PAYMENT_IN_PROGRESS, cancel_open_card_payments, open_card_payments
from .settlement import settle_order_paid

# What the change-type form shows of a delegate: a change by someone else in between refuses.
TYPE_FINGERPRINT_FIELDS = ("registration_type", "price", "is_cancelled")
# What the add-delegate form shows of the order.
ORDER_FINGERPRINT_FIELDS = ("status", "total")
# Orders whose delegation may change: the ones holding seats.
CHANGEABLE_STATUSES = lifecycle.SEAT_HOLDING_STATUSES


@dataclass
class Settlement:
    """What a change did to the order's money."""

    difference: Decimal
    invoice: Invoice | None = None
    credit_notes: list[Invoice] = field(default_factory=list)
    refundable: Decimal = Decimal("0.00")
    balance_due: Decimal = Decimal("0.00")


@dataclass
class TypeChange:
    delegate: Delegate
    previous_type: RegistrationType
    settlement: Settlement


@dataclass
class Addition:
    delegate: Delegate
    settlement: Settlement


def _refuse_unchangeable(order: Order) -> None:
    if order.status not in CHANGEABLE_STATUSES:
        raise OrderStateError(
            gettext_lazy("Order %(code)s is %(status)s: its delegation cannot be changed.")
            % {"code": order.code, "status": order.get_status_display()}
        )


def _refuse_type(rtype: RegistrationType, congress: Congress) -> None:
    if rtype.congress_id != congress.pk or not rtype.is_active:
        raise RegistrationError(gettext_lazy("This registration type is not on sale."))


def _close_card_attempts(order: Order) -> None:
    """An unpaid order's total is about to change: no card attempt for the old one stays open."""
    if order.status in lifecycle.UNPAID_STATUSES:
        cancel_open_card_payments(order=order)


def change_delegate_type(
    *,
    delegate: Delegate,
    registration_type: RegistrationType,
    by=None,
    reason: str = "",
    shown: str | None = None,
) -> TypeChange:
    """Move ``delegate`` to ``registration_type`` at today's price of that type (their voucher
    kept if it covers the new type), if a seat of it is free, and settle the difference.
    ``shown``: the fingerprint the form showed (``TYPE_FINGERPRINT_FIELDS``)."""
    order = delegate.order
    if delegate.is_cancelled:
        raise OrderStateError(gettext_lazy("A cancelled delegate’s type cannot be changed."))
    _refuse_unchangeable(order)
    _refuse_type(registration_type, order.congress)
    if registration_type.pk == delegate.registration_type_id:
        raise RegistrationError(gettext_lazy("The delegate already has this registration type."))
    _close_card_attempts(order)
    now = timezone.now()
    with transaction.atomic():
        locked = reread_for_update(order)
        fresh = (
            Delegate.objects.select_for_update(of=("self",))
            .select_related("registration_type", "voucher")
            .get(pk=delegate.pk, order=locked)
        )
        refuse_if_changed(fresh, TYPE_FINGERPRINT_FIELDS, shown)
        if fresh.is_cancelled:
            raise OrderStateError(gettext_lazy("A cancelled delegate’s type cannot be changed."))
        _refuse_unchangeable(locked)
        if locked.status in lifecycle.UNPAID_STATUSES and open_card_payments(locked).exists():
            raise OrderStateError(CARD_PAYMENT_IN_PROGRESS)
        lock_capacity(congress_id=locked.congress_id, type_ids=[registration_type.pk])
        ensure_one_seat(congress=locked.congress, rtype=registration_type, new_seat=False)
        registration_type.congress = locked.congress
        price, tier = list_price(registration_type, congress_today(locked.congress, now))
        voucher = fresh.voucher if voucher_covers(fresh.voucher, registration_type) else None
        if voucher is not None:
            price = voucher.apply(price)
        previous_type, previous_price = fresh.registration_type, fresh.price
        difference = price - previous_price
        fresh.registration_type, fresh.price, fresh.price_tier = registration_type, price, tier
        fresh.voucher = voucher
        fresh.save(
            update_fields=["registration_type", "price", "price_tier", "voucher", "updated_at"]
        )
        locked.total = max(locked.total + difference, Decimal("0.00"))
        locked.save(update_fields=["total"])
        what = _("%(name)s: %(old)s → %(new)s") % {
            "name": fresh.printed_name,
            "old": previous_type.name,
            "new": registration_type.name,
        }
        settlement = _settle(locked, difference, what=what, by=by)
        audit.record(
            action="convene.delegate.type_changed",
            congress=locked.congress,
            actor=by,
            target=fresh,
            data={
                "code": locked.code,
                "delegate": fresh.pk,
                "name": fresh.printed_name,
                "from": previous_type.code,
                "to": registration_type.code,
                "previous_price": str(previous_price),
                "price": str(price),
                "difference": str(difference),
                "total": str(locked.total),
                "reason": reason,
                **_settlement_data(settlement),
            },
        )
        offer_freed_seats(congress=locked.congress, now=now)  # the old type has a seat free
    fresh.order = locked
    return TypeChange(delegate=fresh, previous_type=previous_type, settlement=settlement)


def add_delegate(
    *,
    order: Order,
    registration_type: RegistrationType,
    details: dict,
    answers: dict[int, str] | None = None,
    by=None,
    shown: str | None = None,
) -> Addition:
    """Add one delegate to a placed order: a seat of ``registration_type`` through the capacity
    lock, the type's price today (no voucher), and the addition invoiced as :func:`_settle`
    says. ``shown``: the order's fingerprint as the form showed it."""
    unknown = set(details) - set(DELEGATE_FIELDS)
    if unknown:
        raise RegistrationError(
            gettext_lazy("These fields cannot be set: %(f)s") % {"f": sorted(unknown)}
        )
    _refuse_unchangeable(order)
    _refuse_type(registration_type, order.congress)
    _close_card_attempts(order)
    now = timezone.now()
    with transaction.atomic():
        locked = reread_for_update(order)
        refuse_if_changed(locked, ORDER_FINGERPRINT_FIELDS, shown)
        _refuse_unchangeable(locked)
        if locked.status in lifecycle.UNPAID_STATUSES and open_card_payments(locked).exists():
            raise OrderStateError(CARD_PAYMENT_IN_PROGRESS)
        most = registration_settings(locked.congress).max_delegates_per_order
        if active_delegate_count(locked) + 1 > most:
            raise RegistrationError(
                gettext_lazy("One order can hold at most %(n)s delegates.") % {"n": most}
            )
        lock_capacity(congress_id=locked.congress_id, type_ids=[registration_type.pk])
        ensure_one_seat(congress=locked.congress, rtype=registration_type, new_seat=True)
        registration_type.congress = locked.congress
        price, tier = list_price(registration_type, congress_today(locked.congress, now))
        values = {"role": registration_type.default_role, **details}
        delegate = Delegate(
            order=locked,
            registration_type=registration_type,
            price=price,
            price_tier=tier,
            **values,
        )
        delegate.full_clean(exclude=["order", "registration_type", "voucher", "secret"])
        delegate.save()
        for question_id, value in (answers or {}).items():
            if value not in ("", None):
                Answer.objects.create(delegate=delegate, question_id=question_id, value=value)
        locked.total += price
        locked.save(update_fields=["total"])
        what = _("%(type)s – %(name)s (added)") % {
            "type": registration_type.name,
            "name": delegate.printed_name,
        }
        settlement = _settle(locked, price, what=what, by=by)
        audit.record(
            action="convene.delegate.added",
            congress=locked.congress,
            actor=by,
            target=delegate,
            data={
                "code": locked.code,
                "delegate": delegate.pk,
                "name": delegate.printed_name,
                "type": registration_type.code,
                "price": str(price),
                "total": str(locked.total),
                **_settlement_data(settlement),
            },
        )
    return Addition(delegate=delegate, settlement=settlement)


def _settlement_data(settlement: Settlement) -> dict:
    return {
        "invoice": settlement.invoice.full_number if settlement.invoice else "",
        "credit_notes": [note.full_number for note in settlement.credit_notes],
        "refundable": str(settlement.refundable),
        "balance_due": str(settlement.balance_due),
    }


def _settle(order: Order, difference: Decimal, *, what: str, by) -> Settlement:
    """The money side of a change of ``difference`` to the (locked, saved) order's total."""
    settlement = Settlement(difference=difference)
    invoiced = invoice_services.net_invoiced(order) > 0
    paid = order.status in lifecycle.PAID_STATUSES
    if difference > 0 and (invoiced or paid):
        settlement.invoice = invoice_services.invoice_difference(
            order=order, amount=difference, description=what, by=by
        )
    elif difference < 0 and invoiced:
        settlement.credit_notes = invoice_services.credit_difference(
            order=order, amount=-difference, reason=what, by=by
        )
    kept = amount_kept(order)
    if difference < 0 and order.status == lifecycle.HELD_STATUS and 0 < order.total <= kept:
        settle_order_paid(order=order, by=by, send_invoice=False)
        order.refresh_from_db()
        paid = True
    if paid and kept > order.total:
        settlement.refundable = kept - order.total
        flag_for_review(
            order,
            _("Overpaid by %(extra)s after a change: refund it from the payments page.")
            % {"extra": format_money(settlement.refundable, order.currency)},
        )
    settlement.balance_due = balance_due(order)
    return settlement
