"""The order confirmation as PDF (WeasyPrint), fetching nothing but our own static files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from events_site.congresses.text import printable


class StaticOnlyFetcher(URLFetcher):
    """Serves ``/static/...`` from the static finders (or STATIC_ROOT); refuses anything else,
    so that text a delegate typed can never make the renderer reach the network or the disk."""

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        site = urlparse(settings.SITE_URL)
        ours = parsed.scheme in ("http", "https") and parsed.netloc == site.netloc
        if not ours or not parsed.path.startswith(settings.STATIC_URL):
            raise URLFetchingError(f"Refused to fetch {url!r}")
        relative = unquote(parsed.path[len(settings.STATIC_URL) :])
        if ".." in Path(relative).parts:
            raise URLFetchingError(f"Refused to fetch {url!r}")
        found = finders.find(relative) or (Path(settings.STATIC_ROOT) / relative)
        found = Path(found)
        if not found.is_file():
            raise URLFetchingError(f"Not found: {url!r}")
        return super().fetch(found.resolve().as_uri(), headers)


def confirmation_pdf(*, order, delegates) -> bytes:
    with translation.override(order.language):
        html = printable(
            render_to_string(
                "registrations/pdf/confirmation.html",
                {"order": order, "delegates": delegates, "congress": order.congress},
            )
        )
    return HTML(
        string=html, base_url=settings.SITE_URL + "/", url_fetcher=StaticOnlyFetcher()
    ).write_pdf()
