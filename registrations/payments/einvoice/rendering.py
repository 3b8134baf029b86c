"""One issued invoice or credit note as the electronic document its buyer asked for: the XML
(CII or UBL) or, for Factur-X, the invoice's PDF/A-3 with the CII XML embedded."""

from __future__ import annotations

from dataclasses import dataclass

from ..enums import EInvoiceFormat
from .facturx_pdf import render_facturx_pdf
from .xml import xml_for  # noqa: F401  (re-exported: the XML of any format)

XML = "application/xml"
PDF = "application/pdf"


@dataclass(frozen=True)
class EDocument:
    filename: str
    content: bytes
    mimetype: str

    def as_attachment(self) -> tuple[str, bytes, str]:
        return self.filename, self.content, self.mimetype


# URL suffix -> format; the suffix is what the finance page and the secret link offer.
SUFFIXES = {
    "facturx": EInvoiceFormat.FACTURX,
    "xrechnung-ubl": EInvoiceFormat.XRECHNUNG_UBL,
    "xrechnung-cii": EInvoiceFormat.XRECHNUNG_CII,
    "peppol": EInvoiceFormat.PEPPOL,
}
SUFFIX_OF = {value: key for key, value in SUFFIXES.items()}


def render_einvoice(invoice, fmt: str) -> EDocument:
    """The electronic document, named after the invoice number and the format."""
    base = invoice.full_number.replace("/", "-")
    if fmt == EInvoiceFormat.FACTURX:
        return EDocument(f"{base}-facturx.pdf", render_facturx_pdf(invoice), PDF)
    content = xml_for(invoice, fmt)
    return EDocument(f"{base}-{SUFFIX_OF[fmt]}.xml", content, XML)
