"""Invoices and credit notes: gap-free numbering per congress, frozen snapshots, corrections.

Numbers come from one counter row per congress and series, locked with ``select_for_update``
inside the issuing transaction: two concurrent orders wait for each other, so numbers are
sequential without gaps or duplicates (a rolled-back issue rolls back its number too).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from events_site.congresses import audit, locks
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.mail import send_email
from events_site.congresses.models import Congress
from events_site.congresses.money import format_money

from ... import lifecycle
from ...models import BillingDetails, BillingSettings, Invoice, InvoiceCounter, Order, Refund
from ..document_mail import prepare_document_email
from ..einvoice.transmission import invoice_email_attachments
from ..enums import InvoiceKind
from ..errors import InvoiceError

BILLING_SETTINGS_FIELDS = (
    "seller_name",
    "seller_address",
    "seller_country",
    "seller_vat_id",
    "seller_email",
    "seller_phone",
    "bank_name",
    "iban",
    "bic",
    "tax_label",
    "tax_rate",
    "reverse_charge_note",
    "payment_terms_days",
    "invoice_prefix",
    "footer",
    "reminders_on_schedule",
    "reminder_interval_days",
    "public_body_terms_days",
    "public_body_admission",
    "quote_prefix",
    "quote_validity_days",
    "quote_hold_days",
)
BILLING_DETAILS_FIELDS = (
    "name",
    "address",
    "country",
    "vat_number",
    "purchase_order",
    "is_business",
    "email",
    "public_body",
    "buyer_reference",
    "ipa_office_code",
    "cig",
    "cup",
    "einvoice_format",
)


# --- settings and billing details -------------------------------------------------------------


def billing_settings_for(congress: Congress) -> BillingSettings:
    """The congress's billing settings, or unsaved defaults naming its organisation."""
    try:
        return congress.billing_settings
    except BillingSettings.DoesNotExist:
        return BillingSettings(congress=congress, seller_name=congress.organisation.name)


def update_billing_settings(
    *, congress: Congress, by=None, shown_fingerprint: str | None = None, **values
) -> BillingSettings:
    """Change the congress's billing settings (created on first save). With
    ``shown_fingerprint`` (the form's) a save over someone else's change is refused."""
    unknown = set(values) - set(BILLING_SETTINGS_FIELDS)
    if unknown:
        raise InvoiceError(
            gettext_lazy("Unknown billing settings: %s") % ", ".join(sorted(unknown))
        )
    with transaction.atomic():
        current, _created = BillingSettings.objects.select_for_update().get_or_create(
            congress=congress, defaults={"seller_name": congress.organisation.name}
        )
        refuse_if_changed(current, values, shown_fingerprint)
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit.record(
            action="convene.billing.settings_updated",
            congress=congress,
            actor=by,
            target=current,
            data={name: str(value) for name, value in values.items()},
        )
    return current


def save_billing_details(
    *, order: Order, by=None, actor_label: str = "", **values
) -> BillingDetails:
    """Store whom the invoice names. Issued invoices keep their own snapshot (use
    ``correct_invoice`` to reissue one with the new details)."""
    unknown = set(values) - set(BILLING_DETAILS_FIELDS)
    if unknown:
        raise InvoiceError(gettext_lazy("Unknown billing fields: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        details, _created = BillingDetails.objects.select_for_update().get_or_create(
            order=order, defaults={"name": values.get("name", ""), "address": "", "country": ""}
        )
        for name, value in values.items():
            setattr(details, name, value)
        details.full_clean(exclude=["order"])
        details.save()
        audit.record(
            action="convene.billing.details_saved",
            congress=order.congress,
            actor=by,
            actor_label=actor_label,
            target=order,
            data={"code": order.code, "purchase_order": details.purchase_order},
        )
    order.billing_details = details
    return details


# --- numbering --------------------------------------------------------------------------------


def _locked_counter(congress: Congress, kind: str) -> InvoiceCounter:
    """The series' counter row, locked until the surrounding transaction ends (the core's lock
    helper: a lock not obtained in time is ``Busy``)."""
    series = InvoiceCounter.objects.filter(congress=congress, kind=kind)
    busy = _("Invoices are being numbered right now; please try again.")
    rows = locks.lock_rows(series, busy=busy)
    if not rows:
        try:
            with transaction.atomic():
                InvoiceCounter.objects.create(congress=congress, kind=kind)
        except IntegrityError:  # a concurrent first issue created it; it exists now
            pass
        rows = locks.lock_rows(series, busy=busy)
    return rows[0]


def take_number(*, congress: Congress, kind: str) -> int:
    """The next number of the series; only inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside the transaction that issues the document")
    counter = _locked_counter(congress, kind)
    number = counter.next_number
    counter.next_number = number + 1
    counter.save(update_fields=["next_number"])
    return number


def format_number(*, congress: Congress, kind: str, number: int, prefix: str) -> str:
    prefix = prefix or f"{congress.slug.upper()}-"
    letter = "C" if kind == InvoiceKind.CREDIT_NOTE else ""
    return f"{prefix}{letter}{number:05d}"


# --- amounts ----------------------------------------------------------------------------------


def _quantum(currency_places: int) -> Decimal:
    return Decimal(1).scaleb(-min(max(currency_places, 0), 2))


def split_tax(
    *, gross: Decimal, rate: Decimal, reverse_charge: bool, places: int = 2
) -> tuple[Decimal, Decimal]:
    """(net, tax) of a tax-inclusive ``gross``; reverse charge and a zero rate carry no tax."""
    q = _quantum(places)
    if reverse_charge or not rate:
        return gross.quantize(q), Decimal("0").quantize(q)
    net = (gross * Decimal(100) / (Decimal(100) + rate)).quantize(q, rounding=ROUND_HALF_UP)
    return net, (gross - net).quantize(q)


def is_reverse_charge(settings_: BillingSettings, details: BillingDetails | None) -> bool:
    """A business buyer abroad with a VAT number accounts for the tax itself."""
    if details is None or not details.is_business or not details.vat_number:
        return False
    seller_country = str(settings_.seller_country or "")
    return bool(seller_country) and str(details.country) != seller_country


def order_lines(order: Order) -> list[dict]:
    """The order's lines as a document freezes them (one per delegate, and adjustments)."""
    lines = []
    delegates = order.delegates.filter(is_cancelled=False).select_related("registration_type")
    for delegate in delegates.order_by("id"):
        lines.append(
            {
                "description": (
                    f"{delegate.registration_type.translated('name', order.language)}"
                    f" – {delegate.printed_name}"
                ),
                "quantity": 1,
                "amount": str(delegate.price),
            }
        )
    difference = order.total - sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    if difference:
        lines.append(
            {
                "description": _("Adjustments and discounts"),
                "quantity": 1,
                "amount": str(difference),
            }
        )
    return lines


def seller_snapshot(settings_: BillingSettings) -> dict:
    return {
        "name": settings_.seller_name,
        "address": settings_.seller_address,
        "country": str(settings_.seller_country or ""),
        "vat_id": settings_.seller_vat_id,
        "email": settings_.seller_email,
        "phone": settings_.seller_phone,
        "bank_name": settings_.bank_name,
        "iban": settings_.iban,
        "bic": settings_.bic,
        "footer": settings_.footer,
        "reverse_charge_note": settings_.reverse_charge_note,
    }


def buyer_snapshot(order: Order, details: BillingDetails | None) -> dict:
    if details is None:
        return {"name": order.contact_name, "email": order.email, "address": "", "country": ""}
    return {
        "name": details.name,
        "address": details.address,
        "country": str(details.country),
        "vat_number": details.vat_number,
        "purchase_order": details.purchase_order,
        "email": details.email or order.email,
        "public_body": details.public_body,
        "buyer_reference": details.buyer_reference,
        "ipa_office_code": details.ipa_office_code,
        "cig": details.cig,
        "cup": details.cup,
        "einvoice_format": details.einvoice_format,
    }


def payment_terms_days(settings_: BillingSettings, details: BillingDetails | None) -> int:
    """A public body's terms (which may end after the congress) or everyone else's."""
    if details is not None and details.public_body:
        return settings_.public_body_terms_days
    return settings_.payment_terms_days


def _details(order: Order) -> BillingDetails | None:
    try:
        return BillingDetails.objects.get(order=order)
    except BillingDetails.DoesNotExist:
        return None


# --- issuing ----------------------------------------------------------------------------------


def current_invoice(order: Order) -> Invoice | None:
    """The order's newest invoice not cancelled by a full credit note."""
    for invoice in order.invoices.filter(kind=InvoiceKind.INVOICE).order_by("-number"):
        credited = invoice.credit_notes.aggregate(total=Sum("gross"))["total"] or Decimal("0")
        if invoice.gross + credited > 0:
            return invoice
    return None


def net_invoiced(order: Order) -> Decimal:
    """Invoices minus credit notes (credit notes carry negative amounts)."""
    return order.invoices.aggregate(total=Sum("gross"))["total"] or Decimal("0")


def issue_invoice(
    *,
    order: Order,
    by=None,
    actor_label: str = "",
    send: bool = True,
    now: dt.datetime | None = None,
) -> Invoice:
    """Issue the order's invoice once (idempotent: the current one is returned).

    Unpaid orders get payment instructions and a due date (from ``now``'s day, today unless
    given); the number is taken under the counter lock in this transaction, so it is gap-free
    even under concurrent orders."""
    if order.total <= 0:
        raise InvoiceError(gettext_lazy("There is nothing to invoice on this order."))
    if order.status in lifecycle.ENDED_STATUSES:
        raise InvoiceError(gettext_lazy("A cancelled or expired order is not invoiced."))
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=order.pk)
        )
        existing = current_invoice(locked)
        if existing is not None:
            return existing
        invoice = _create_invoice(locked, by=by, actor_label=actor_label, now=now)
        if send:
            _send_invoice_email(invoice)
    return invoice


def _create_invoice(
    order: Order,
    *,
    by=None,
    actor_label: str = "",
    gross: Decimal | None = None,
    lines: list[dict] | None = None,
    now: dt.datetime | None = None,
) -> Invoice:
    """The order's invoice for its total, or (``gross`` and ``lines``) an invoice for a part
    of it, e.g. the difference of a change; a part is always payable."""
    congress = order.congress
    settings_ = billing_settings_for(congress)
    details = _details(order)
    reverse_charge = is_reverse_charge(settings_, details)
    whole = gross is None
    gross = order.total if whole else gross
    net, tax = split_tax(
        gross=gross,
        rate=settings_.tax_rate,
        reverse_charge=reverse_charge,
        places=congress.currency_decimal_places,
    )
    now = now or timezone.now()
    paid = whole and order.status in lifecycle.PAID_STATUSES
    number = take_number(congress=congress, kind=InvoiceKind.INVOICE)
    today = now.astimezone(congress.tz).date()
    invoice = Invoice.objects.create(
        congress=congress,
        order=order,
        kind=InvoiceKind.INVOICE,
        number=number,
        full_number=format_number(
            congress=congress,
            kind=InvoiceKind.INVOICE,
            number=number,
            prefix=settings_.invoice_prefix,
        ),
        issued_at=now,
        due_date=None
        if paid
        else today + dt.timedelta(days=payment_terms_days(settings_, details)),
        currency=order.currency,
        net=net,
        tax=tax,
        gross=gross,
        tax_rate=Decimal("0") if reverse_charge else settings_.tax_rate,
        tax_label=settings_.tax_label,
        reverse_charge=reverse_charge,
        lines=order_lines(order) if whole else lines,
        seller=seller_snapshot(settings_),
        buyer=buyer_snapshot(order, details),
        payment_instructions=not paid,
        paid_at_issue=paid,
    )
    audit.record(
        action="convene.invoice.issued",
        congress=congress,
        actor=by,
        actor_label=actor_label,
        target=invoice,
        data={"number": invoice.full_number, "order": order.code, "gross": str(invoice.gross)},
    )
    return invoice


def issue_credit_note(
    *,
    invoice: Invoice,
    amount: Decimal,
    reason: str,
    by=None,
    actor_label: str = "",
    refund: Refund | None = None,
) -> Invoice:
    """Credit ``amount`` (positive) of ``invoice``: a new numbered document with negative
    totals referring to it. The invoice itself never changes."""
    if invoice.is_credit_note:
        raise InvoiceError(gettext_lazy("A credit note cannot itself be credited."))
    if amount is None or amount <= 0:
        raise InvoiceError(gettext_lazy("A credit note needs a positive amount."))
    amount = Decimal(amount).quantize(Decimal("0.01"))
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=invoice.order_id)
        credited = -(invoice.credit_notes.aggregate(total=Sum("gross"))["total"] or 0)
        if amount > invoice.gross - credited:
            raise InvoiceError(
                gettext_lazy("Only %(left)s of this invoice is left to credit.")
                % {"left": format_money(invoice.gross - credited, invoice.currency)}
            )
        congress = invoice.congress
        settings_ = billing_settings_for(congress)
        net, tax = split_tax(
            gross=amount,
            rate=invoice.tax_rate,
            reverse_charge=invoice.reverse_charge,
            places=congress.currency_decimal_places,
        )
        number = take_number(congress=congress, kind=InvoiceKind.CREDIT_NOTE)
        note = Invoice.objects.create(
            congress=congress,
            order_id=invoice.order_id,
            kind=InvoiceKind.CREDIT_NOTE,
            number=number,
            full_number=format_number(
                congress=congress,
                kind=InvoiceKind.CREDIT_NOTE,
                number=number,
                prefix=settings_.invoice_prefix,
            ),
            issued_at=timezone.now(),
            currency=invoice.currency,
            net=-net,
            tax=-tax,
            gross=-amount,
            tax_rate=invoice.tax_rate,
            tax_label=invoice.tax_label,
            reverse_charge=invoice.reverse_charge,
            lines=[
                {
                    "description": reason or _("Credit for invoice %s") % invoice.full_number,
                    "quantity": 1,
                    "amount": str(-amount),
                }
            ],
            seller=invoice.seller,
            buyer=invoice.buyer,
            payment_instructions=False,
            corrects=invoice,
            refund=refund,
            reason=reason,
        )
        audit.record(
            action="convene.invoice.credited",
            congress=congress,
            actor=by,
            actor_label=actor_label,
            target=note,
            data={
                "number": note.full_number,
                "corrects": invoice.full_number,
                "amount": str(amount),
            },
        )
    return note


def invoice_difference(
    *, order: Order, amount: Decimal, description: str, by=None, actor_label: str = ""
) -> Invoice:
    """A new invoice for ``amount`` more on an order already invoiced (a dearer type, an
    added delegate): the issued invoices stay as they are, frozen; invoices minus credit
    notes equal the order's new total. Call inside the change's transaction (order locked)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_difference must run inside the change's transaction")
    if amount is None or amount <= 0:
        raise InvoiceError(gettext_lazy("There is nothing to invoice on this order."))
    amount = Decimal(amount).quantize(Decimal("0.01"))
    invoice = _create_invoice(
        order,
        by=by,
        actor_label=actor_label,
        gross=amount,
        lines=[{"description": description, "quantity": 1, "amount": str(amount)}],
    )
    _send_invoice_email(invoice)
    return invoice


def credit_difference(
    *, order: Order, amount: Decimal, reason: str, by=None, actor_label: str = ""
) -> list[Invoice]:
    """Credit notes for ``amount`` less on an invoiced order, newest invoice first (an
    invoice is never edited): invoices minus credit notes equal the order's new total."""
    notes = []
    left = Decimal(amount).quantize(Decimal("0.01"))
    for invoice in order.invoices.filter(kind=InvoiceKind.INVOICE).order_by("-number"):
        if left <= 0:
            break
        credited = -(invoice.credit_notes.aggregate(total=Sum("gross"))["total"] or 0)
        part = min(left, invoice.gross - credited)
        if part <= 0:
            continue
        notes.append(
            issue_credit_note(
                invoice=invoice, amount=part, reason=reason, by=by, actor_label=actor_label
            )
        )
        left -= part
    return notes


def correct_invoice(*, invoice: Invoice, reason: str, by=None) -> tuple[Invoice, Invoice]:
    """Correct an issued invoice (e.g. new billing details): a credit note for what is left of
    it and a new invoice with the order's current details, in one transaction."""
    with transaction.atomic():
        credited = -(invoice.credit_notes.aggregate(total=Sum("gross"))["total"] or 0)
        left = invoice.gross - credited
        if left <= 0:
            raise InvoiceError(gettext_lazy("This invoice has already been credited in full."))
        note = issue_credit_note(
            invoice=invoice, amount=left, reason=reason or _("Correction"), by=by
        )
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=invoice.order_id)
        )
        replacement = _create_invoice(order, by=by)
        _send_invoice_email(replacement)
    return note, replacement


def credit_for_refunds(
    *, order: Order, kept: Decimal, refund: Refund | None = None
) -> Invoice | None:
    """After money went back: credit the invoices down to what the organiser keeps, so that
    invoices minus credit notes always equal the money kept. Idempotent."""
    invoice = current_invoice(order)
    if invoice is None:
        return None
    excess = net_invoiced(order) - min(kept, order.total)
    if excess <= 0:
        return None
    credited = -(invoice.credit_notes.aggregate(total=Sum("gross"))["total"] or 0)
    amount = min(excess, invoice.gross - credited)
    if amount <= 0:
        return None
    return issue_credit_note(
        invoice=invoice,
        amount=amount,
        reason=_("Refund for order %s") % order.code,
        actor_label="convene",
        refund=refund if refund is not None and not hasattr(refund, "credit_note") else None,
    )


def _send_invoice_email(invoice: Invoice) -> None:
    """Render the message now (in the buyer's language); after the commit a worker renders the
    PDF and sends both (``send_invoice_email_task``)."""
    payload = {
        "invoice_id": invoice.pk,
        **prepare_document_email(
            document=invoice,
            template="registrations/payments/emails/invoice",
            kind=f"invoice_{invoice.kind}",
            context={"invoice": invoice},
        ),
    }
    transaction.on_commit(lambda: send_invoice_email_task.enqueue(**payload))


@task(queue_name="emails")
def send_invoice_email_task(
    *,
    invoice_id: int,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    log_id: int | None = None,
) -> int:
    """Deliver an invoice e-mail rendered at issue, with the document's PDF attached (and the
    e-invoice the buyer asked for on their billing details)."""
    return send_email(
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=invoice_email_attachments(invoice_id),
        log_id=log_id,
    )
