"""Invoice and credit-note PDFs (WeasyPrint), rendered from the document's frozen snapshot.

The URL fetcher serves only our own static files (found through the staticfiles finders);
any other address, scheme or path is refused, so a buyer's text can never make the renderer
fetch anything from the network or the file system.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from events_site.congresses.text import printable

from .models import Invoice


def static_file_for(url: str) -> str:
    """The path of our static file that ``url`` names, or ValueError for anything else."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
        raise ValueError(f"Refused to fetch {url!r}: only our static files are allowed")
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL) or ".." in path.split("/"):
        raise ValueError(f"Refused to fetch {url!r}: not a static file")
    found = finders.find(path[len(settings.STATIC_URL) :])
    if not found:
        raise ValueError(f"No static file at {url!r}")
    return found


def static_only_fetcher():
    """A WeasyPrint URLFetcher serving ``<SITE_URL>/static/...`` from our files, refusing the rest
    (built lazily: importing WeasyPrint is slow and chatty)."""
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_file_for(url)
            with open(found, "rb") as handle:
                body = handle.read()
            mimetype = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mimetype})

    return StaticOnlyURLFetcher(allowed_protocols=("http", "https"))


def invoice_html(invoice: Invoice) -> str:
    order = invoice.order
    with translation.override(order.language or settings.LANGUAGE_CODE):
        html = render_to_string(
            "registrations/payments/invoice_pdf.html",
            {
                "invoice": invoice,
                "order": order,
                "congress": invoice.congress,
                "issued_local": invoice.issued_at.astimezone(invoice.congress.tz),
                "language": order.language or settings.LANGUAGE_CODE,
            },
        )
    return printable(html)  # text stored before the text rule carries no control character


def render_invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML

    html = HTML(
        string=invoice_html(invoice),
        base_url=settings.SITE_URL + "/",
        url_fetcher=static_only_fetcher(),
    )
    return html.write_pdf()


def invoice_attachment(invoice_id: str) -> tuple[str, bytes, str]:
    """E-mail attachment builder (see events_site.congresses.mail)."""
    invoice = Invoice.objects.select_related("order", "congress").get(pk=int(invoice_id))
    return invoice.filename, render_invoice_pdf(invoice), "application/pdf"
