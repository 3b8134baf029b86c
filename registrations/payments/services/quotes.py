"""Quotes (pro-forma invoices) and their conversion into the invoice a purchase order pays.

A quote is taken on a pending order: its number comes from the congress's quote series (the
invoice counter, locked in the same transaction, so gap-free), its amounts are frozen as an
invoice's would be, and the order's seat hold is moved to the quote's hold (the organiser's
``quote_hold_days``, never past the quote's validity). Seats therefore stay counted by the one
capacity rule: when the hold passes, the existing expiry job releases them, and a quote whose
order expired can no longer be accepted. Accepting stores the purchase-order number and the
buyer's routing ids (a validated Leitweg-ID, an IPA code, CIG/CUP) and issues the invoice for
the same order, hence at the quoted prices.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.mail import send_email
from events_site.congresses.models import Congress

from ... import lifecycle
from ...errors import OrderStateError
from ...models import Invoice, Order, Quote
from ..document_mail import prepare_document_email
from ..enums import NumberSeries, PaymentProvider, QuoteStatus
from ..errors import InvoiceError
from . import invoicing as invoice_services
from .balances import hold_lapsed, payment_refusal, refuse_if_method_off
from .transfers import request_invoice_payment

# What the buyer may add when accepting (the rest of the billing details stay as quoted).
ACCEPTANCE_FIELDS = ("purchase_order", "buyer_reference", "ipa_office_code", "cig", "cup")


def format_quote_number(*, congress: Congress, number: int, prefix: str) -> str:
    return f"{prefix or f'{congress.slug.upper()}-Q'}{number:05d}"


def _end_of(day: dt.date, congress: Congress) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=congress.tz)


def create_quote(
    *,
    order: Order,
    billing: dict[str, Any],
    by=None,
    requested_by_buyer: bool = False,
    now: dt.datetime | None = None,
) -> Quote:
    """Issue the order's quote once; its seats are held until ``seats_held_until``."""
    now = now or timezone.now()
    refusal = payment_refusal(order)
    if refusal:
        raise OrderStateError(refusal)
    refuse_if_method_off(order, PaymentProvider.BANK_TRANSFER)
    if hold_lapsed(order, now):
        raise OrderStateError(
            _("The seats held for this order were released. Please register again.")
        )
    congress = order.congress
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=order.pk)
        )
        if locked.status != lifecycle.HELD_STATUS or hold_lapsed(locked, now):
            raise OrderStateError(_("This order can no longer be quoted."))
        if Quote.objects.filter(order=locked).exists():
            raise InvoiceError(_("This order already has a quote."))
        if invoice_services.current_invoice(locked) is not None:
            raise InvoiceError(_("This order is invoiced already; a quote is no longer needed."))
        actor_label = "" if by else locked.email
        details = invoice_services.save_billing_details(
            order=locked, by=by, actor_label=actor_label, **billing
        )
        settings_ = invoice_services.billing_settings_for(congress)
        today = now.astimezone(congress.tz).date()
        valid_until = today + dt.timedelta(days=settings_.quote_validity_days)
        held_until = min(
            now + dt.timedelta(days=settings_.quote_hold_days), _end_of(valid_until, congress)
        )
        reverse_charge = invoice_services.is_reverse_charge(settings_, details)
        net, tax = invoice_services.split_tax(
            gross=locked.total,
            rate=settings_.tax_rate,
            reverse_charge=reverse_charge,
            places=congress.currency_decimal_places,
        )
        number = invoice_services.take_number(congress=congress, kind=NumberSeries.QUOTE)
        quote = Quote.objects.create(
            congress=congress,
            order=locked,
            number=number,
            full_number=format_quote_number(
                congress=congress, number=number, prefix=settings_.quote_prefix
            ),
            issued_at=now,
            valid_until=valid_until,
            seats_held_until=held_until,
            currency=locked.currency,
            net=net,
            tax=tax,
            gross=locked.total,
            tax_rate=Decimal("0") if reverse_charge else settings_.tax_rate,
            tax_label=settings_.tax_label,
            reverse_charge=reverse_charge,
            lines=invoice_services.order_lines(locked),
            seller=invoice_services.seller_snapshot(settings_),
            buyer=invoice_services.buyer_snapshot(locked, details),
            requested_by_buyer=requested_by_buyer,
            created_by=by,
        )
        # The hold moves to the quote's: the seats are this order's already, so no recount.
        Order.objects.filter(pk=locked.pk, status=lifecycle.HELD_STATUS).update(
            hold_expires_at=held_until
        )
        order.hold_expires_at = held_until
        audit.record(
            action="convene.quote.issued",
            congress=congress,
            actor=by,
            actor_label=actor_label,
            target=quote,
            data={"number": quote.full_number, "order": locked.code, "gross": str(quote.gross)},
        )
        _send_quote_email(quote)
    return quote


def accept_quote(
    *, quote: Quote, references: dict[str, str], by=None, now: dt.datetime | None = None
) -> Invoice:
    """The buyer's purchase order arrived: the quote becomes the order's invoice, at the quoted
    prices, with the PO number and the buyer's routing ids on it."""
    now = now or timezone.now()
    unknown = set(references) - set(ACCEPTANCE_FIELDS)
    if unknown:
        raise InvoiceError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    congress = quote.congress
    with transaction.atomic():
        locked = (
            Quote.objects.select_for_update().select_related("order", "congress").get(pk=quote.pk)
        )
        if locked.status != QuoteStatus.OPEN:
            raise InvoiceError(
                _("This quote is %(status)s.") % {"status": locked.get_status_display()}
            )
        if locked.valid_until < now.astimezone(congress.tz).date():
            raise InvoiceError(_("This quote is no longer valid; please ask for a new one."))
        order = locked.order
        if order.total != locked.gross:
            raise InvoiceError(
                _("The order changed since the quote was issued; please ask for a new quote.")
            )
        billing = {
            name: getattr(order.billing_details, name)
            for name in invoice_services.BILLING_DETAILS_FIELDS
        }
        billing.update(references)
        invoice = request_invoice_payment(order=order, billing=billing, by=by, now=now)
        Quote.objects.filter(pk=locked.pk).update(
            status=QuoteStatus.ACCEPTED, accepted_at=now, invoice=invoice
        )
        quote.status, quote.accepted_at, quote.invoice = QuoteStatus.ACCEPTED, now, invoice
        audit.record(
            action="convene.quote.accepted",
            congress=congress,
            actor=by,
            actor_label="" if by else order.email,
            target=locked,
            data={
                "number": locked.full_number,
                "invoice": invoice.full_number,
                "purchase_order": references.get("purchase_order", ""),
            },
        )
    return invoice


def withdraw_quote(*, quote: Quote, by, now: dt.datetime | None = None) -> Quote:
    """The organisers withdraw an open quote: its order is cancelled, so the held seats are
    free again (offered to the waiting list first, as any released hold)."""
    from ...services.orders import release_hold

    now = now or timezone.now()
    with transaction.atomic():
        locked = Quote.objects.select_for_update().select_related("order").get(pk=quote.pk)
        if locked.status != QuoteStatus.OPEN:
            raise InvoiceError(
                _("This quote is %(status)s.") % {"status": locked.get_status_display()}
            )
        if locked.order.status in lifecycle.UNPAID_STATUSES:
            release_hold(order=locked.order, by=by)
        Quote.objects.filter(pk=locked.pk).update(status=QuoteStatus.WITHDRAWN, ended_at=now)
        quote.status, quote.ended_at = QuoteStatus.WITHDRAWN, now
        audit.record(
            action="convene.quote.withdrawn",
            congress=quote.congress,
            actor=by,
            target=locked,
            data={"number": locked.full_number, "order": locked.order.code},
        )
    return quote


def expire_quotes(*, now: dt.datetime | None = None) -> int:
    """Open quotes past their validity, or whose order ended (its hold expired and released
    the seats, or it was cancelled), are expired. Run beside the hold expiry job."""
    now = now or timezone.now()
    count = 0
    for quote in Quote.objects.filter(status=QuoteStatus.OPEN).select_related("order", "congress"):
        ended = quote.order.status in lifecycle.ENDED_STATUSES
        past = quote.valid_until < now.astimezone(quote.congress.tz).date()
        if not (ended or past):
            continue
        if Quote.objects.filter(pk=quote.pk, status=QuoteStatus.OPEN).update(
            status=QuoteStatus.EXPIRED, ended_at=now
        ):
            audit.record(
                action="convene.quote.expired",
                congress=quote.congress,
                target=quote,
                data={"number": quote.full_number, "order": quote.order.code},
            )
            count += 1
    return count


def _send_quote_email(quote: Quote) -> None:
    payload = {
        "quote_id": quote.pk,
        **prepare_document_email(
            document=quote,
            template="registrations/payments/emails/quote",
            kind="quote",
            context={"quote": quote},
        ),
    }
    transaction.on_commit(lambda: send_quote_email_task.enqueue(**payload))


@task(queue_name="emails")
def send_quote_email_task(
    *, quote_id: int, to: list[str], subject: str, text: str, html: str = "", log_id=None
) -> int:
    from ..quotes import quote_attachment

    return send_email(
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=[quote_attachment(quote_id)],
        log_id=log_id,
    )
