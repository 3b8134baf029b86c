"""The EN 16931 XML of an issued invoice or credit note, in CII or UBL: read once from the frozen
document (``document.build``), written by ``cii`` or ``ubl``. Apart from ``rendering`` so that the
Factur-X PDF can embed the XML without an import circle."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..enums import EInvoiceFormat
from ..errors import InvoiceError
from . import document
from .cii import build_cii
from .ubl import build_ubl


def xml_for(invoice, fmt: str) -> bytes:
    """The EN 16931 XML of ``invoice`` in ``fmt`` (Factur-X: its CII)."""
    doc = document.build(invoice)
    if fmt in (EInvoiceFormat.FACTURX, EInvoiceFormat.XRECHNUNG_CII):
        return build_cii(doc, flavour=fmt)
    if fmt in (EInvoiceFormat.XRECHNUNG_UBL, EInvoiceFormat.PEPPOL):
        return build_ubl(doc, flavour=fmt)
    raise InvoiceError(_("This electronic invoice format is not offered."))
