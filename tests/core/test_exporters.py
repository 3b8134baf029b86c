"""One exporter base and one spreadsheet-formula guard for every export (CSV, XLSX and the
agenda's feeds): the file formats are written in the core only."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from events_site.congresses.exporters import CSVExporter, Exporter, XLSXExporter
from registrations.exports import EXPORTS
from registrations.payments.exports import EXPORTERS
from sessions import exports as agenda_exports

ROOT = Path(__file__).resolve().parents[2]
APPS = ("events_site", "registrations", "sessions", "badges")

AGENDA = [
    agenda_exports.ScheduleICalExporter,
    agenda_exports.SessionICalExporter,
    agenda_exports.PersonalICalExporter,
    agenda_exports.FrabExporter,
    agenda_exports.JSONExporter,
]


def _all_exports():
    yield from ((cls.__name__, cls) for cls in (type(e) for e in EXPORTS.values()))
    yield from ((cls.__name__, cls) for cls in EXPORTERS.values())
    yield from ((cls.__name__, cls) for cls in AGENDA)


@pytest.mark.parametrize("cls", [cls for _n, cls in _all_exports()], ids=lambda c: c.__name__)
def test_every_export_is_one_of_the_core_exporters_and_knows_who_it_is(cls):
    assert issubclass(cls, Exporter)
    assert cls.identifier and cls.extension and cls.content_type
    assert str(cls.name)
    assert isinstance(cls.public, bool)


def test_organiser_exports_are_private_and_the_public_feeds_public():
    assert not any(e.public for e in EXPORTS.values())
    assert not any(cls.public for cls in EXPORTERS.values())
    assert not agenda_exports.PersonalICalExporter.public
    public = set(AGENDA) - {agenda_exports.PersonalICalExporter}
    assert all(cls.public for cls in public)


def test_identifiers_are_unique_within_each_family():
    agenda = [cls.identifier for cls in AGENDA]
    assert len(agenda) == len(set(agenda))
    assert set(EXPORTS) == set(EXPORTERS) == {"csv", "xlsx"}


HOSTILE = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "a\x00b\x1bc", "<b>markup</b>", "x" * 10_000]


def test_csv_cells_go_through_the_one_guard_header_included():
    rows = [["=title", "plain"], *([value, "ok"] for value in HOSTILE)]
    text = CSVExporter().write(rows).decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0] == ["'=title", "plain"]
    firsts = [row[0] for row in parsed[1:]]
    assert firsts[:5] == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\tx"]
    assert firsts[5] == "abc"
    assert firsts[6] == "<b>markup</b>" and len(firsts[7]) == 10_000


def test_xlsx_keeps_numbers_and_yes_no_and_guards_text():
    class Sheet(XLSXExporter):
        def sheet_title(self):
            return "A sheet whose title is much longer than Excel allows"

    rows = [["head", "=x"], [Decimal("12.30"), 3], [True, "=HYPERLINK(1)"], ["a\x01b", None]]
    book = load_workbook(io.BytesIO(Sheet().write(rows)))
    sheet = book.active
    assert sheet.title == "A sheet whose title is much long"[:31]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("head", "'=x")
    assert values[1] == (12.3, 3)
    assert values[2] == (True, "'=HYPERLINK(1)")
    assert values[3][0] == "ab"


def test_no_app_writes_csv_or_xlsx_or_guards_formulas_on_its_own():
    """The file formats and the guard live in the core's exporter base and ``text`` only."""
    writers = re.compile(r"csv\.writer\(|Workbook\(|_FORMULA|startswith\(\(\s*\"=\"")
    allowed = {
        ROOT / "events_site/congresses/exporters.py",
        ROOT / "events_site/congresses/text.py",
    }
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path not in allowed and writers.search(path.read_text())
    ]
    assert offenders == []
