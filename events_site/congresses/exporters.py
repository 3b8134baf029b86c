"""The one exporter base (pretalx's exporters): a small class that knows its identifier, its
name, its content type and file extension, and whether it is public. Spreadsheets add how rows
are written to CSV or XLSX, every cell through the one formula guard
(:func:`~events_site.congresses.text.spreadsheet_text`).

An app's export is a subclass that says what its rows are (or, for a feed, what its bytes are);
the file formats and the guard live here only."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from .text import spreadsheet_text


class Exporter:
    """What every export is: ``identifier`` (stable, in URLs and cache keys), ``name`` (for
    people), ``content_type``, ``extension`` and ``public`` (reachable without signing in)."""

    identifier: str = ""
    name: str = ""
    content_type: str = "application/octet-stream"
    extension: str = ""
    public: bool = False

    def filename_for(self, stem: str) -> str:
        """``stem`` with this export's extension."""
        return f"{stem}.{self.extension}"

    def attachment(self, content: bytes, *, filename: str) -> HttpResponse:
        """``content`` as a download named ``filename``."""
        response = HttpResponse(content, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SpreadsheetExporter(Exporter):
    """An export of rows (the header first); ``write`` turns them into the file's bytes."""

    def write(self, rows: Iterable[Sequence[Any]]) -> bytes:
        raise NotImplementedError


class CSVExporter(SpreadsheetExporter):
    """UTF-8 with a byte-order mark (so spreadsheet programs read the encoding right); every
    cell is text through the formula guard."""

    identifier = "csv"
    name = _("CSV")
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def write(self, rows: Iterable[Sequence[Any]]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([spreadsheet_text(value) for value in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class XLSXExporter(SpreadsheetExporter):
    """One sheet named ``sheet_title()``, written as it streams (openpyxl's write-only mode);
    numbers and yes/no stay numbers and booleans, everything else is text through the guard."""

    identifier = "xlsx"
    name = _("Excel (XLSX)")
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"

    def sheet_title(self) -> str:
        return "Sheet"

    @staticmethod
    def cell(value: Any) -> Any:
        if isinstance(value, bool | int | float | Decimal):
            return value
        return spreadsheet_text(value)

    def write(self, rows: Iterable[Sequence[Any]]) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(self.sheet_title())[:31])
        for row in rows:
            sheet.append([self.cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
