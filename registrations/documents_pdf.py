"""Visa letters and certificates as PDF: WeasyPrint through the project's one fetcher, the
congress's letterhead and signature image inlined as ``data:`` URLs (the fetcher reads no
other upload), a QR code of the verification address (segno), and an optional PAdES
signature (pyHanko) when the congress gave a PKCS#12 certificate."""

from __future__ import annotations

import base64
import mimetypes

import segno
from django.template.loader import render_to_string
from django.utils import translation

from events_site.congresses.text import printable

from .models import Certificate, DocumentSettings, VisaLetterRequest
from .pdf_signing import sign_pdf
from .services.visa_letters import document_settings, verification_url


def _image_data_uri(upload) -> str:
    if not upload:
        return ""
    try:
        with upload.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        return ""
    kind = mimetypes.guess_type(upload.name)[0] or "image/png"
    if not kind.startswith("image/"):
        return ""
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


def qr_data_uri(url: str) -> str:
    return segno.make_qr(url, error="m").png_data_uri(scale=4, border=2)


def _context(congress, settings_row: DocumentSettings, token: str) -> dict:
    url = verification_url(token)
    return {
        "congress": congress,
        "venue": congress.venues.order_by("pk").first(),
        "rules": settings_row,
        "letterhead": _image_data_uri(settings_row.letterhead),
        "signature": _image_data_uri(settings_row.signature),
        "verify_url": url,
        "qr": qr_data_uri(url),
    }


def _render(template_names: list[str], context: dict, language: str, congress) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    with translation.override(language):
        html = printable(render_to_string(template_names, context))
    pdf = html_to_pdf(html, congress=congress)
    return sign_pdf(pdf, document_settings(congress))


def visa_letter_pdf(letter: VisaLetterRequest) -> bytes:
    """The letter in the delegate's language, from the host country's template if there is
    one (``registrations/pdf/visa_letter_<country>_<language>.html``, then
    ``visa_letter_<country>.html``, then ``visa_letter.html``)."""
    congress = letter.congress
    rules = document_settings(congress)
    language = letter.delegate.language
    country = (str(rules.host_country) or "xx").lower()
    names = [
        f"registrations/pdf/visa_letter_{country}_{language}.html",
        f"registrations/pdf/visa_letter_{country}.html",
        "registrations/pdf/visa_letter.html",
    ]
    context = {**_context(congress, rules, letter.token), "letter": letter}
    context["delegate"] = letter.delegate
    return _render(names, context, language, congress)


def certificate_pdf(certificate: Certificate) -> bytes:
    congress = certificate.congress
    rules = document_settings(congress)
    context = {**_context(congress, rules, certificate.token), "certificate": certificate}
    return _render(
        [f"registrations/pdf/certificate_{certificate.kind}.html"],
        context,
        certificate.language,
        congress,
    )
