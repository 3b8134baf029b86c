"""The order confirmation as PDF (WeasyPrint), read through the project's one PDF fetcher."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from events_site.congresses.text import printable


def confirmation_pdf(*, order, delegates) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    with translation.override(order.language):
        html = printable(
            render_to_string(
                "registrations/pdf/confirmation.html",
                {"order": order, "delegates": delegates, "congress": order.congress},
            )
        )
    return html_to_pdf(html, congress=order.congress)
