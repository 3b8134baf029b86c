"""Factur-X: the invoice's own PDF, rendered as PDF/A-3b by WeasyPrint, with the CII XML embedded
as ``factur-x.xml`` and the Factur-X XMP metadata, by the ``factur-x`` library (which checks the
XML against the profile's XSD before it embeds it)."""

from __future__ import annotations

from django.conf import settings
from facturx import generate_from_binary

from events_site.congresses.pdf_fetcher import html_to_pdf

from ..enums import EInvoiceFormat
from ..invoices import invoice_html
from .xml import xml_for

PDF_VARIANT = "pdf/a-3b"


def render_facturx_pdf(invoice) -> bytes:
    pdf = html_to_pdf(invoice_html(invoice), congress=invoice.congress, pdf_variant=PDF_VARIANT)
    xml = xml_for(invoice, EInvoiceFormat.FACTURX)
    return generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        lang=(invoice.order.language or settings.LANGUAGE_CODE)[:2],
        pdf_metadata={
            "author": invoice.seller.get("name", ""),
            "keywords": "Factur-X",
            "title": invoice.full_number,
            "subject": invoice.full_number,
        },
    )
