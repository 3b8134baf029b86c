"""Dunning: payment reminders for overdue invoices, sent by finance in bulk.

A reminder is an ``InvoiceReminder`` row written under the order's row lock; a second one for
the same order within ``REMINDER_INTERVAL`` is skipped, so two clicks (or two people) never
send the same order two reminders in a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from events_site.congresses import audit
from events_site.congresses.mail import send_templated_email
from events_site.congresses.models import Congress

from ...lifecycle import OrderStatus
from ...models import BillingSettings, InvoiceReminder, Order
from ..selectors import finance_orders, overdue_q
from .balances import amount_outstanding
from .invoicing import current_invoice

REMINDER_INTERVAL = dt.timedelta(hours=24)
REMINDED = "convene.invoice.reminded"


@dataclass(frozen=True)
class RemindersSent:
    sent: int
    skipped: int


def _remind_one(*, order_id: int, congress: Congress, by, now: dt.datetime) -> bool:
    today = timezone.localdate(now, timezone=congress.tz)
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .filter(pk=order_id, congress=congress)
            .first()
        )
        if order is None or order.status != OrderStatus.PENDING_PAYMENT:
            return False
        invoice = current_invoice(order)
        if invoice is None or invoice.due_date is None or invoice.due_date >= today:
            return False
        if order.invoice_reminders.filter(sent_at__gt=now - REMINDER_INTERVAL).exists():
            return False
        reminder = InvoiceReminder.objects.create(
            congress=congress,
            order=order,
            invoice=invoice,
            sent_at=now,
            sent_by=by if getattr(by, "is_authenticated", False) else None,
            language=order.language,
        )
        audit.record(
            action=REMINDED,
            congress=congress,
            actor=by,
            target=order,
            data={"code": order.code, "invoice": invoice.full_number, "reminder": reminder.pk},
        )
        send_templated_email(
            to=[invoice.buyer.get("email") or order.email],
            template="registrations/payments/emails/invoice_reminder",
            context={
                "order": order,
                "invoice": invoice,
                "congress": congress,
                "outstanding": amount_outstanding(order),
                "order_url": settings.SITE_URL + order.get_absolute_url(),
            },
            language=order.language,
            reply_to=[congress.contact_email] if congress.contact_email else None,
            log={
                "congress_id": congress.pk,
                "order_id": order.pk,
                "kind": "invoice_reminder",
                "sent_by_id": by.pk if getattr(by, "is_authenticated", False) else None,
            },
        )
    return True


def send_invoice_reminders(
    *, congress: Congress, order_ids: Iterable[int], by, now: dt.datetime | None = None
) -> RemindersSent:
    """Remind each order whose invoice is past due and unpaid, once per 24 hours; the others
    (paid meanwhile, not overdue, reminded recently, another congress's) are skipped. Each
    order in its own transaction, so one failure does not undo the reminders already sent."""
    now = now or timezone.now()
    sent = skipped = 0
    for order_id in sorted(set(order_ids)):
        if _remind_one(order_id=order_id, congress=congress, by=by, now=now):
            sent += 1
        else:
            skipped += 1
    return RemindersSent(sent=sent, skipped=skipped)


SCHEDULED = "convene.invoice.reminders_scheduled"


def send_scheduled_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The scheduler's dunning run: for each congress whose payment settings switch reminders
    on, remind every overdue order not reminded within the congress's interval (the 24-hour
    rule of :func:`send_invoice_reminders` still holds). Returns reminders sent per congress."""
    now = now or timezone.now()
    sent: dict[str, int] = {}
    enabled = BillingSettings.objects.filter(reminders_on_schedule=True).select_related("congress")
    for billing in enabled.order_by("congress_id"):
        congress = billing.congress
        today = timezone.localdate(now, timezone=congress.tz)
        interval = dt.timedelta(days=max(billing.reminder_interval_days, 1))
        recently = InvoiceReminder.objects.filter(
            order_id=OuterRef("pk"), sent_at__gt=now - interval
        )
        ids = list(
            finance_orders(congress=congress, today=today)
            .filter(overdue_q(today))
            .exclude(Exists(recently))
            .order_by()
            .values_list("pk", flat=True)
        )
        if not ids:
            continue
        outcome = send_invoice_reminders(congress=congress, order_ids=ids, by=None, now=now)
        audit.record(
            action=SCHEDULED,
            congress=congress,
            actor_label="scheduler",
            data={"sent": outcome.sent, "skipped": outcome.skipped},
        )
        sent[congress.slug] = outcome.sent
    return sent
