"""Order changes that reach into payments: cancelling one delegate out of a delegation, by the
contact (secret link) or an organiser. Above the order services and the payment services: it
closes open card attempts, lowers the total, settles the order paid if what was received covers
it, and corrects the invoice.

Lock order as in :mod:`registrations.services.orders`: the order's row, then the capacity lock
(taken by ``offer_freed_seats``). The last delegate still registered is never cancelled alone:
the whole order is, through ``cancel_order`` / ``cancel_own_order``, so fees, refunds and e-mails
of a whole cancellation stay one code path. Stripe is called before the transaction, never in it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.money import format_money

from ... import lifecycle
from ...errors import DeadlinePassed, OrderStateError
from ...models import Delegate, Order
from ...services import notifications
from ...services.delegates import (
    SINGLE_CANCEL_STATUSES,
    UNPAID_STATUSES,
    active_delegate_count,
    refuse_inactive,
)
from ...services.orders import (
    cancel_order,
    cancel_own_order,
    cancellation_deadline,
    reread_for_update,
    seat_cancellation_fee,
)
from ...services.waiting_list import offer_freed_seats
from . import invoicing as invoice_services
from .balances import amount_kept, flag_for_review
from .cards import CARD_PAYMENT_IN_PROGRESS, cancel_open_card_payments, open_card_payments
from .settlement import settle_order_paid


def cancel_own_delegate(*, delegate: Delegate, reason: str = "") -> Delegate:
    """The contact cancels one delegate through the secret link, within the cancellation
    deadline; a paid order records the per-seat fee. Idempotent on a cancelled delegate."""
    if delegate.is_cancelled:
        return delegate
    order = delegate.order
    refuse_inactive(order)
    if order.status not in SINGLE_CANCEL_STATUSES or timezone.now() > cancellation_deadline(order):
        raise DeadlinePassed(
            _("This registration can no longer be cancelled online. Please contact the organisers.")
        )
    reason = reason or "self-service"
    return _cancel_delegate(
        delegate=delegate,
        by=None,
        actor_label=order.email,
        reason=reason,
        charge_fee=True,
        cancel_whole=lambda locked: cancel_own_order(order=locked, reason=reason),
    )


def cancel_delegate(
    *, delegate: Delegate, by=None, actor_label: str = "", reason: str = ""
) -> Delegate:
    """An organiser cancels one delegate, at any time the order allows it. Like ``cancel_order``
    it records no fee: the organiser decides what is refunded. Idempotent."""
    if delegate.is_cancelled:
        return delegate
    refuse_inactive(delegate.order)
    return _cancel_delegate(
        delegate=delegate,
        by=by,
        actor_label=actor_label,
        reason=reason,
        charge_fee=False,
        cancel_whole=lambda locked: cancel_order(
            order=locked, by=by, actor_label=actor_label, reason=reason
        ),
    )


def _cancel_delegate(
    *,
    delegate: Delegate,
    by,
    actor_label: str,
    reason: str,
    charge_fee: bool,
    cancel_whole: Callable[[Order], Order],
) -> Delegate:
    order = delegate.order
    if order.status in UNPAID_STATUSES and active_delegate_count(order) > 1:
        # The total is about to go down: no card attempt for the old total may stay open.
        cancel_open_card_payments(order=order)
    now = timezone.now()
    with transaction.atomic():
        locked = reread_for_update(order)
        fresh = Delegate.objects.select_related("registration_type").get(pk=delegate.pk)
        fresh.order = locked
        if fresh.is_cancelled:
            return fresh
        refuse_inactive(locked)
        if active_delegate_count(locked) <= 1:
            cancel_whole(locked)
            fresh.refresh_from_db()
            return fresh
        if locked.status in UNPAID_STATUSES:
            if open_card_payments(locked).exists():
                raise OrderStateError(CARD_PAYMENT_IN_PROGRESS)
            fee, refundable = Decimal("0.00"), Decimal("0.00")
        else:
            fee = Decimal("0.00")
            if charge_fee:
                fee = seat_cancellation_fee(order=locked, delegate=fresh)
            refundable = fresh.price - fee
        previous_total = locked.total
        Delegate.objects.filter(pk=fresh.pk).update(is_cancelled=True, updated_at=now)
        fresh.is_cancelled = True
        if locked.status in UNPAID_STATUSES:
            _lower_unpaid_total(locked, fresh, by=by, actor_label=actor_label)
        elif fee:
            locked.cancellation_fee += fee
            locked.save(update_fields=["cancellation_fee"])
        audit.record(
            action="convene.delegate.cancelled",
            congress=locked.congress,
            actor=by,
            actor_label=actor_label,
            target=fresh,
            data={
                "code": locked.code,
                "delegate": fresh.pk,
                "name": fresh.printed_name,
                "reason": reason,
                "status": locked.status,
                "fee": str(fee),
                "refundable": str(refundable),
                "previous_total": str(previous_total),
                "total": str(locked.total),
            },
        )
        offer_freed_seats(congress=locked.congress, now=now)
        notifications.queue_delegate_cancelled_email(delegate=fresh, fee=fee)
    return fresh


def _lower_unpaid_total(order: Order, delegate: Delegate, *, by, actor_label: str) -> None:
    """The order no longer asks for the delegate's price. If what was already received covers
    the new total it is settled paid (and invoiced); an issued invoice is corrected to the new
    total."""
    order.total = max(order.total - delegate.price, Decimal("0.00"))
    order.save(update_fields=["total"])
    held = order.hold_expires_at is None or order.hold_expires_at > timezone.now()
    if order.status == lifecycle.HELD_STATUS and held:
        kept = amount_kept(order)
        if kept >= order.total:
            settle_order_paid(order=order, by=by, actor_label=actor_label, send_invoice=False)
            order.refresh_from_db()
            if kept > order.total:
                flag_for_review(
                    order,
                    _("Overpaid by %(extra)s.")
                    % {"extra": format_money(kept - order.total, order.currency)},
                )
    invoice = invoice_services.current_invoice(order)
    why = _("%(name)s cancelled") % {"name": delegate.printed_name}
    if invoice is not None and invoice.gross != order.total:
        if order.total > 0:
            invoice_services.correct_invoice(invoice=invoice, reason=str(why), by=by)
        else:
            invoice_services.issue_credit_note(
                invoice=invoice,
                amount=invoice.gross + (invoice.credit_notes.aggregate(s=Sum("gross"))["s"] or 0),
                reason=str(why),
                by=by,
            )
