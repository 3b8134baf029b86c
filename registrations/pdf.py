"""The order confirmation as PDF (WeasyPrint), read through the project's one PDF fetcher: each
delegate with their badge's QR code and chosen sessions (through ``CONFIRMATION_BADGE_CODES``
and ``CONFIRMATION_SESSIONS``: the badges and agenda apps sit above this one), and the venue."""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from events_site.congresses.text import printable


def _extension(name: str, delegate_ids: list[int]) -> dict:
    path = getattr(settings, name, "")
    return import_string(path)(delegate_ids) if path else {}


def _qr(code: str) -> str:
    # a bitmap, one pixel per module: crisp and one image object (as on the badges)
    return segno.make_qr(code, error="m").png_data_uri(scale=1, border=2) if code else ""


def confirmation_pdf(*, order, delegates) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    active = [d for d in delegates if not d.is_cancelled]
    ids = [d.pk for d in active]
    codes = _extension("CONFIRMATION_BADGE_CODES", ids)
    sessions = _extension("CONFIRMATION_SESSIONS", ids)
    rows = [
        {"delegate": d, "qr": _qr(codes.get(d.pk, "")), "sessions": sessions.get(d.pk, [])}
        for d in active
    ]
    with translation.override(order.language):
        html = printable(
            render_to_string(
                "registrations/pdf/confirmation.html",
                {
                    "order": order,
                    "delegates": delegates,
                    "rows": rows,
                    "congress": order.congress,
                    "venue": order.congress.venues.order_by("pk").first(),
                },
            )
        )
    return html_to_pdf(html, congress=order.congress)
