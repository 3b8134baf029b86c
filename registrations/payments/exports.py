"""Finance exports (organisers only): one row per order with its money, as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from events_site.congresses.exporters import CSVExporter, SpreadsheetExporter, XLSXExporter

from ..models import Order

COLUMNS = [
    ("code", _("Reference")),
    ("contact_name", _("Contact")),
    ("email", _("E-mail")),
    ("status", _("Status")),
    ("total", _("Total")),
    ("currency", _("Currency")),
    ("received", _("Received")),
    ("refunded", _("Refunded")),
    ("outstanding", _("Outstanding")),
    ("invoice_number", _("Invoice")),
    ("invoice_due", _("Due")),
    ("needs_review", _("For review")),
    ("review_reason", _("Review reason")),
    ("created_at", _("Created")),
]


def _row(order: Order) -> list:
    values = []
    for name, _label in COLUMNS:
        value = getattr(order, name, "")
        if name == "status":
            value = order.get_status_display()
        elif name == "created_at":
            value = value.astimezone(order.congress.tz).strftime("%Y-%m-%d %H:%M")
        elif value is None:
            value = ""
        values.append(value)
    return values


class FinanceExport(SpreadsheetExporter):
    """The rows of the finance export; the CSV and XLSX classes below add the file format
    (the core's exporter base)."""

    name = _("Payments")

    def rows(self, orders: Iterable[Order]) -> Iterator[list]:
        yield [str(label) for _name, label in COLUMNS]
        for order in orders:
            yield _row(order)

    def render(self, orders: Iterable[Order]) -> bytes:
        return self.write(self.rows(orders))


class FinanceCSVExporter(FinanceExport, CSVExporter):
    pass


class FinanceXLSXExporter(FinanceExport, XLSXExporter):
    def sheet_title(self) -> str:
        return "payments"


EXPORTERS = {cls.identifier: cls for cls in (FinanceCSVExporter, FinanceXLSXExporter)}
