"""Money by bank transfer: finance records what arrived, and a buyer asks to pay by invoice
(billing details, the invoice with payment instructions, the seats held until it is due)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.money import format_money

from ... import lifecycle
from ...errors import OrderStateError, SoldOut
from ...lifecycle import OrderStatus
from ...models import Order, Payment
from ..enums import PaymentProvider, PaymentState
from ..errors import PaymentError
from . import invoicing as invoice_services
from .balances import (
    amount_kept,
    flag_for_review,
    hold_lapsed,
    payment_refusal,
    refuse_if_method_off,
    transfer_refusal,
)
from .settlement import settle_order_paid


def record_bank_transfer(
    *,
    order: Order,
    amount: Decimal,
    received_on: dt.date,
    reference: str = "",
    by=None,
) -> Payment:
    """Finance staff record money received by transfer; the order is paid once covered.

    More than outstanding is recorded and flagged for review (the money did arrive)."""
    if amount is None or amount <= 0:
        raise PaymentError(_("Enter the amount received (more than zero)."))
    refusal = transfer_refusal(order)
    if refusal and order.status != OrderStatus.EXPIRED:
        raise OrderStateError(refusal)
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=order.pk)
        )
        refusal = transfer_refusal(locked)
        if refusal and locked.status != OrderStatus.EXPIRED:
            raise OrderStateError(refusal)
        payment = Payment.objects.create(
            order=locked,
            provider=PaymentProvider.BANK_TRANSFER,
            amount=amount,
            currency=locked.currency,
            state=PaymentState.SUCCEEDED,
            succeeded_at=timezone.now(),
            received_on=received_on,
            reference=reference,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(
            action="convene.payment.transfer_recorded",
            congress=locked.congress,
            actor=by,
            target=payment,
            data={"order": locked.code, "amount": str(amount), "reference": reference},
        )
        kept = amount_kept(locked)
        if kept > locked.total:
            flag_for_review(
                locked,
                _("Overpaid by %(extra)s.")
                % {"extra": format_money(kept - locked.total, locked.currency)},
            )
        if kept >= locked.total:
            try:
                settle_order_paid(order=locked, by=by, send_invoice=False)
            except SoldOut:
                flag_for_review(
                    locked, _("Transfer received after the seats were released and resold.")
                )
    order.refresh_from_db()
    return payment


def request_invoice_payment(
    *, order: Order, billing: dict[str, Any], by=None, now: dt.datetime | None = None
):
    """Pay by invoice: store the billing details, issue the invoice with payment instructions
    and hold the seats until the invoice is due (end of that day, congress time); ``now``
    (default: the present) is when it is issued."""
    now = now or timezone.now()
    refusal = payment_refusal(order)
    if refusal:
        raise OrderStateError(refusal)
    refuse_if_method_off(order, PaymentProvider.BANK_TRANSFER)
    if hold_lapsed(order, now):
        raise OrderStateError(
            _("The time to pay for this order has run out. Please register again.")
        )
    with transaction.atomic():
        details = invoice_services.save_billing_details(
            order=order, by=by, actor_label=order.email, **billing
        )
        settings_ = invoice_services.billing_settings_for(order.congress)
        due = now.astimezone(order.congress.tz).date() + dt.timedelta(
            days=invoice_services.payment_terms_days(settings_, details)
        )
        hold_until = dt.datetime.combine(
            due + dt.timedelta(days=1), dt.time.min, tzinfo=order.congress.tz
        )
        Order.objects.filter(pk=order.pk, status=lifecycle.HELD_STATUS).filter(
            Q(hold_expires_at__isnull=True) | Q(hold_expires_at__lt=hold_until)
        ).update(hold_expires_at=hold_until)
        order.refresh_from_db()
        invoice = invoice_services.issue_invoice(
            order=order, by=by, actor_label=order.email, now=now
        )
        if details.public_body and settings_.public_body_admission:
            admit_on_invoice(order=order, by=by)
    return invoice


def admit_on_invoice(*, order: Order, by=None) -> bool:
    """Invoiced – unpaid: a public body's order keeps its seats until paid or cancelled (no
    hold to run out, since its terms may end after the congress) and its delegates may enter
    (``lifecycle.is_invoiced_unpaid``). Compare-and-set on the pending order; True if it
    changed."""
    with transaction.atomic():
        changed = Order.objects.filter(
            pk=order.pk, status=lifecycle.INVOICED_UNPAID_STATUS, admitted_on_invoice=False
        ).update(admitted_on_invoice=True, hold_expires_at=None)
        if changed:
            order.admitted_on_invoice, order.hold_expires_at = True, None
            audit.record(
                action="convene.order.admitted_on_invoice",
                congress=order.congress,
                actor=by,
                target=order,
                data={"code": order.code},
            )
    return bool(changed)
