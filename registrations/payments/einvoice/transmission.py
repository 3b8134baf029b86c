"""How an issued e-invoice reaches the buyer: a small channel interface, e-mail first.

A channel takes the frozen invoice and its electronic document and returns a receipt (what the
audit log keeps). A Peppol access point or Italy's SdI becomes one more class with ``send``,
named in ``settings.EINVOICE_CHANNELS``; nothing else changes. The invoice e-mail already
carries the e-invoice the buyer asked for (``invoice_attachments``); ``transmit`` re-sends it on
the finance staff's request.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.mail import send_email

from ..document_mail import prepare_document_email
from ..enums import EInvoiceFormat
from ..errors import InvoiceError
from .rendering import EDocument, render_einvoice

EMAIL = "email"
DEFAULT_CHANNELS = {EMAIL: "registrations.payments.einvoice.transmission.EmailChannel"}


class Channel(Protocol):
    name: str

    def send(self, *, invoice, fmt: str, by=None) -> str:
        """Hand the e-invoice over (after the surrounding transaction commits); the receipt."""


def invoice_attachments(invoice) -> list[tuple[str, bytes, str]]:
    """The invoice e-mail's attachments: the PDF, and the e-invoice the buyer asked for (a
    Factur-X PDF replaces the plain PDF: it is the same document with the XML inside)."""
    from ..invoices import render_invoice_pdf

    fmt = invoice.buyer.get("einvoice_format") or EInvoiceFormat.NONE
    if fmt == EInvoiceFormat.FACTURX:
        return [render_einvoice(invoice, fmt).as_attachment()]
    attachments = [(invoice.filename, render_invoice_pdf(invoice), "application/pdf")]
    if fmt in EInvoiceFormat.values and fmt != EInvoiceFormat.NONE:
        attachments.append(render_einvoice(invoice, fmt).as_attachment())
    return attachments


class EmailChannel:
    """The e-invoice by e-mail to the buyer's finance office (the invoice e-mail's address)."""

    name = EMAIL

    def send(self, *, invoice, fmt: str, by=None) -> str:
        payload = {
            "invoice_id": invoice.pk,
            "fmt": fmt,
            **prepare_document_email(
                document=invoice,
                template="registrations/payments/emails/invoice",
                kind=f"einvoice_{invoice.kind}",
                context={"invoice": invoice},
            ),
        }
        transaction.on_commit(lambda: send_einvoice_email_task.enqueue(**payload))
        return payload["to"][0]


def channel(name: str) -> Channel:
    paths = {**DEFAULT_CHANNELS, **getattr(settings, "EINVOICE_CHANNELS", {})}
    if name not in paths:
        raise InvoiceError(_("This way of sending e-invoices is not set up."))
    return import_string(paths[name])()


def transmit(*, invoice, fmt: str, channel_name: str = EMAIL, by=None) -> str:
    """Send ``invoice`` as ``fmt`` through a channel, audited; the channel's receipt."""
    if fmt not in EInvoiceFormat.values or fmt == EInvoiceFormat.NONE:
        raise InvoiceError(_("This electronic invoice format is not offered."))
    with transaction.atomic():
        receipt = channel(channel_name).send(invoice=invoice, fmt=fmt, by=by)
        audit.record(
            action="convene.invoice.einvoice_sent",
            congress=invoice.congress,
            actor=by,
            target=invoice,
            data={
                "number": invoice.full_number,
                "format": fmt,
                "channel": channel_name,
                "receipt": receipt,
            },
        )
    return receipt


@task(queue_name="emails")
def send_einvoice_email_task(
    *,
    invoice_id: int,
    fmt: str,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    log_id: int | None = None,
) -> int:
    from ...models import Invoice

    invoice = Invoice.objects.select_related("order", "congress", "corrects").get(pk=invoice_id)
    document: EDocument = render_einvoice(invoice, fmt)
    return send_email(
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=[document.as_attachment()],
        log_id=log_id,
    )


def invoice_email_attachments(invoice_id: int | str) -> list[tuple[str, bytes, str]]:
    """The invoice e-mail's attachments: the PDF and the e-invoice its buyer asked for."""
    from ...models import Invoice

    invoice = Invoice.objects.select_related("order", "congress", "corrects").get(
        pk=int(invoice_id)
    )
    return invoice_attachments(invoice)
