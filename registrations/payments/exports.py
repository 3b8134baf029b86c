"""Finance exports (organisers only): one row per order with its money, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from events_site.congresses.text import spreadsheet_text

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


class FinanceCSVExporter:
    identifier = "csv"
    content_type = "text/csv; charset=utf-8"
    extension = "csv"
    public = False

    def render(self, orders: Iterable[Order]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(label) for _name, label in COLUMNS])
        for order in orders:
            writer.writerow([spreadsheet_text(v) for v in _row(order)])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class FinanceXLSXExporter:
    identifier = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"
    public = False

    def render(self, orders: Iterable[Order]) -> bytes:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("payments")
        sheet.append([str(label) for _name, label in COLUMNS])
        for order in orders:
            row = []
            for value in _row(order):
                if isinstance(value, bool):
                    row.append(value)
                elif hasattr(value, "quantize"):
                    row.append(float(value))
                else:
                    row.append(spreadsheet_text(value))
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


EXPORTERS = {cls.identifier: cls for cls in (FinanceCSVExporter, FinanceXLSXExporter)}
