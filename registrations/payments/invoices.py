"""Invoice and credit-note PDFs (WeasyPrint), rendered from the document's frozen snapshot.

Resources load only through the project's one PDF fetcher
(``events_site.congresses.pdf_fetcher``): our collected static files and the congress's own
uploads, nothing else, so a buyer's text can never make the renderer fetch anything from the
network or the file system.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from events_site.congresses.text import printable

from ..models import Invoice
from ..models.invoices import shown_reverse_charge_note, shown_tax_label


def invoice_html(invoice: Invoice) -> str:
    order = invoice.order
    with translation.override(order.language or settings.LANGUAGE_CODE):
        html = render_to_string(
            "registrations/payments/invoice_pdf.html",
            {
                "invoice": invoice,
                "order": order,
                "congress": invoice.congress,
                # a date, not a datetime: the date filter would move a datetime back to UTC
                "issued_on": invoice.issued_at.astimezone(invoice.congress.tz).date(),
                "language": order.language or settings.LANGUAGE_CODE,
                "tax_label": shown_tax_label(invoice.tax_label),
                "reverse_charge_note": shown_reverse_charge_note(
                    invoice.seller.get("reverse_charge_note", "")
                ),
            },
        )
    return printable(html)  # text stored before the text rule carries no control character


def render_invoice_pdf(invoice: Invoice) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    return html_to_pdf(invoice_html(invoice), congress=invoice.congress)


def invoice_attachment(invoice_id: int | str) -> tuple[str, bytes, str]:
    """The document as an e-mail attachment: (filename, PDF, mimetype)."""
    invoice = Invoice.objects.select_related("order", "congress").get(pk=int(invoice_id))
    return invoice.filename, render_invoice_pdf(invoice), "application/pdf"
