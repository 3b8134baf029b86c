"""Quote PDFs (WeasyPrint through the project's one PDF fetcher), from the quote's frozen
snapshot, in the order's language."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from events_site.congresses.text import printable

from ..models import Quote
from ..models.invoices import shown_tax_label


def quote_html(quote: Quote) -> str:
    order = quote.order
    congress = quote.congress
    language = order.language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            "registrations/payments/quote_pdf.html",
            {
                "quote": quote,
                "order": order,
                "congress": congress,
                "issued_on": quote.issued_at.astimezone(congress.tz).date(),
                "held_until": quote.seats_held_until.astimezone(congress.tz),
                "language": language,
                "tax_label": shown_tax_label(quote.tax_label),
            },
        )
    return printable(html)


def render_quote_pdf(quote: Quote) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    return html_to_pdf(quote_html(quote), congress=quote.congress)


def quote_attachment(quote_id: int | str) -> tuple[str, bytes, str]:
    quote = Quote.objects.select_related("order", "congress").get(pk=int(quote_id))
    return quote.filename, render_quote_pdf(quote), "application/pdf"
