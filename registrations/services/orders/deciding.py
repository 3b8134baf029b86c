"""The organisers' decisions and interventions on one order: rejecting it (with the reason the
registrant reads), extending an unpaid hold, resending an e-mail, keeping internal notes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit

from ... import lifecycle
from ...errors import OrderStateError, RegistrationError
from ...lifecycle import OrderStatus
from ...models import Order, OrderNote
from .. import notifications
from .cancelling import cancel_locked
from .paying import CHANGED_MEANWHILE, _retake_locked, reread_for_update

REASON_MAX = 2000
NOTE_MAX = 5000
MAX_EXTENSION_HOURS = 24 * 30

# The e-mails an organiser may send again, and the statuses each still makes sense in.
RESENDABLE = {
    "order_placed": (OrderStatus.PENDING_PAYMENT,),
    "awaiting_approval": (OrderStatus.AWAITING_APPROVAL,),
    "approved": (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
    "confirmation": lifecycle.PAID_STATUSES,
    "rejected": (OrderStatus.CANCELLED,),
    "cancelled": (OrderStatus.CANCELLED,),
}


def reject_order(*, order: Order, by=None, reason: str) -> Order:
    """Awaiting approval -> cancelled, its seats released as by a cancellation; the reason is
    kept on the order (the registrant's page shows it) and e-mailed in the order's language."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Give the registrant a reason for the rejection."))
    if len(reason) > REASON_MAX:
        raise RegistrationError(
            _("The reason is too long (at most %(n)s characters).") % {"n": REASON_MAX}
        )
    with transaction.atomic():
        fresh = reread_for_update(order)
        if fresh.status != OrderStatus.AWAITING_APPROVAL:
            raise OrderStateError(_("Only orders awaiting approval can be rejected."))
        Order.objects.filter(pk=fresh.pk).update(decision_reason=reason, needs_review=False)
        fresh.decision_reason, fresh.needs_review = reason, False
        cancel_locked(fresh, by=by, actor_label="", reason=reason)
        audit.record(
            action="convene.order.rejected",
            congress=fresh.congress,
            actor=by,
            target=fresh,
            data={"code": fresh.code, "reason": reason},
        )
        notifications.queue_order_email(order=fresh, template="rejected")
    return fresh


def extend_hold(*, order: Order, by=None, hours: int) -> Order:
    """Give an unpaid order ``hours`` more to pay. The seats are counted again under the
    capacity lock (without this order's own), so a hold that had passed is extended only if
    its seats are still free; an expired order is held again."""
    if not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise RegistrationError(
            _("Extend a hold by 1 to %(n)s hours.") % {"n": MAX_EXTENSION_HOURS}
        )
    now = timezone.now()
    with transaction.atomic():
        fresh = reread_for_update(order)
        if fresh.status not in lifecycle.PAYABLE_STATUSES:
            raise OrderStateError(_("Only an unpaid order's hold can be extended."))
        _retake_locked(fresh, now)
        start = max(now, fresh.hold_expires_at or now)
        if fresh.status == OrderStatus.EXPIRED:
            start = now
        until = start + dt.timedelta(hours=hours)
        previous = fresh.hold_expires_at
        if fresh.status == OrderStatus.EXPIRED:
            if not lifecycle.apply(fresh, lifecycle.RETAKE_SEATS, hold_expires_at=until):
                raise OrderStateError(CHANGED_MEANWHILE)  # pragma: no cover - the row lock
        else:
            Order.objects.filter(pk=fresh.pk).update(hold_expires_at=until)
            fresh.hold_expires_at = until
        audit.record(
            action="convene.order.hold_extended",
            congress=fresh.congress,
            actor=by,
            target=fresh,
            data={
                "code": fresh.code,
                "hours": hours,
                "from": previous.isoformat() if previous else "",
                "until": until.isoformat(),
            },
        )
    return fresh


def resendable_emails(order: Order) -> list[str]:
    """The e-mails that may be sent again for the order as it stands."""
    return [
        template
        for template, statuses in RESENDABLE.items()
        if order.status in statuses
        and (template != "approved" or order.approved_at is not None)
        and (template != "rejected" or bool(order.decision_reason))
        and (template != "cancelled" or not order.decision_reason)
    ]


def resend_order_email(*, order: Order, by=None, template: str) -> None:
    """Send one of the order's e-mails again to its contact, in the order's language."""
    if template not in resendable_emails(order):
        raise OrderStateError(_("This e-mail does not fit the order as it stands."))
    with transaction.atomic():
        audit.record(
            action="convene.order.email_resent",
            congress=order.congress,
            actor=by,
            target=order,
            data={"code": order.code, "template": template},
        )
        notifications.queue_order_email(order=order, template=template, by=by)
        if template == "confirmation":
            notifications.queue_delegate_confirmations(order=order)


def add_order_note(*, order: Order, by, text: str) -> OrderNote:
    """An internal note on the order, for the organisers only (audited without its text)."""
    text = (text or "").strip()
    if not text:
        raise RegistrationError(_("Write the note first."))
    if len(text) > NOTE_MAX:
        raise RegistrationError(
            _("The note is too long (at most %(n)s characters).") % {"n": NOTE_MAX}
        )
    with transaction.atomic():
        note = OrderNote.objects.create(order=order, author=by, text=text)
        audit.record(
            action="convene.order.note_added",
            congress=order.congress,
            actor=by,
            target=order,
            data={"code": order.code, "note": note.pk, "length": len(text)},
        )
    return note
