"""Reading bank statements: CAMT.053 (ISO 20022 XML, read with lxml against its namespace),
MT940 (the ``mt-940`` library) and CSV (with the congress's column mapping), each turned into
the same :class:`StatementLine` rows.

Guaranteed: a file over :func:`max_statement_bytes` is refused before it is read; XML is parsed
without a DTD, entities or network access (a DOCTYPE is refused outright, so no XXE and no
billion laughs); NUL and binary bytes are refused; text is stored without control characters.
A file that cannot be read raises :class:`StatementUnreadable` naming what is wrong."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from lxml import etree

from events_site.congresses.text import printable

from .enums import StatementFormat
from .errors import PaymentError

CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d\d)$")
MAX_LINES = 20_000
CENT = Decimal("0.01")


class StatementUnreadable(PaymentError):
    code = "statement_unreadable"


@dataclass(frozen=True)
class StatementLine:
    """One booking as the bank wrote it; ``amount`` is negative for a debit."""

    booked_on: dt.date
    amount: Decimal
    currency: str
    remittance: str = ""
    payer_name: str = ""
    payer_iban: str = ""
    bank_reference: str = ""


@dataclass(frozen=True)
class ParsedStatement:
    format: str
    lines: list[StatementLine]
    account_iban: str = ""
    statement_id: str = ""


@dataclass(frozen=True)
class CsvMapping:
    """Which column holds what, and how the bank writes numbers and dates."""

    date_column: str
    amount_column: str
    currency_column: str = ""
    reference_column: str = ""
    payer_column: str = ""
    iban_column: str = ""
    delimiter: str = ";"
    decimal_comma: bool = True
    date_format: str = "%d.%m.%Y"
    encoding: str = "utf-8"


def max_statement_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_STATEMENT_BYTES", 5 * 1024 * 1024)


def read_upload(upload) -> bytes:
    """The upload's bytes, refused when larger than the limit (declared size first, then the
    bytes actually read, so a size that lied is still refused)."""
    limit = max_statement_bytes()
    too_large = StatementUnreadable(
        _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
        code="statement_too_large",
    )
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise too_large
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data.strip():
        raise StatementUnreadable(_("The file is empty."), code="statement_empty")
    return data


def _text(value, limit: int) -> str:
    return " ".join(printable(value or "").split())[:limit]


def _compact_iban(value: str) -> str:
    return "".join((value or "").split()).upper()[:40]


def _too_many() -> StatementUnreadable:
    return StatementUnreadable(
        _("The file has more than %(limit)s lines; split it and upload the parts.")
        % {"limit": MAX_LINES},
        code="statement_too_many_lines",
    )


def parse_statement(data: bytes, fmt: str, *, mapping: CsvMapping | None = None) -> ParsedStatement:
    if b"\x00" in data and fmt != StatementFormat.CAMT053:
        raise StatementUnreadable(
            _("The file holds NUL bytes: it is not a text statement."), code="statement_binary"
        )
    if fmt == StatementFormat.CAMT053:
        return parse_camt053(data)
    if fmt == StatementFormat.MT940:
        return parse_mt940(data)
    if fmt == StatementFormat.CSV and mapping is not None:
        return parse_csv(data, mapping)
    raise StatementUnreadable(_("Choose the file's format."), code="statement_format")


# --- CAMT.053 -----------------------------------------------------------------------------------


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _not_camt() -> StatementUnreadable:
    return StatementUnreadable(
        _("This is not a CAMT.053 bank statement (ISO 20022 camt.053.001.xx XML)."),
        code="statement_not_camt",
    )


def parse_camt053(data: bytes) -> ParsedStatement:
    """Every booked credit and debit of every statement in the document; an entry that
    batches several transfers gives one line per transfer."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise StatementUnreadable(
            _("The XML file declares a DOCTYPE or entities, which bank statements never do."),
            code="statement_doctype",
        )
    try:
        root = etree.fromstring(data, parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise StatementUnreadable(
            _("The XML file is not well-formed (%(error)s).") % {"error": _text(str(exc), 200)},
            code="statement_malformed",
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise StatementUnreadable(
            _("The XML file declares a DOCTYPE or entities, which bank statements never do."),
            code="statement_doctype",
        )
    namespace = etree.QName(root).namespace or ""
    if not CAMT053_NAMESPACE.match(namespace) or etree.QName(root).localname != "Document":
        raise _not_camt()
    ns = {"c": namespace}

    def first(node, path: str) -> str:
        found = node.xpath(path, namespaces=ns)
        if not found:
            return ""
        value = found[0]
        return str(value if isinstance(value, str) else value.text or "").strip()

    statements = root.xpath("c:BkToCstmrStmt/c:Stmt", namespaces=ns)
    if not statements:
        raise _not_camt()
    lines: list[StatementLine] = []
    for statement in statements:
        for entry in statement.xpath("c:Ntry", namespaces=ns):
            status = first(entry, "c:Sts/c:Cd") or first(entry, "c:Sts")
            if status and status.upper() not in ("BOOK", "BOOKED"):
                continue
            lines.extend(_camt_entry_lines(entry, first, ns))
            if len(lines) > MAX_LINES:
                raise _too_many()
    return ParsedStatement(
        format=StatementFormat.CAMT053,
        lines=lines,
        account_iban=_compact_iban(first(statements[0], "c:Acct/c:Id/c:IBAN")),
        statement_id=_text(first(statements[0], "c:Id"), 120),
    )


def _camt_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
    except (InvalidOperation, AttributeError) as exc:
        raise StatementUnreadable(
            _("An amount in the statement is not a number: %(value)s.")
            % {"value": _text(text, 40)},
            code="statement_amount",
        ) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise StatementUnreadable(
            _("An amount in the statement is not a number: %(value)s.")
            % {"value": _text(text, 40)},
            code="statement_amount",
        )
    return amount.quantize(CENT)


def _camt_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError as exc:
        raise StatementUnreadable(
            _("A booking date in the statement is not a date: %(value)s.")
            % {"value": _text(text, 40)},
            code="statement_date",
        ) from exc


def _camt_entry_lines(entry, first, ns) -> list[StatementLine]:
    sign = -1 if first(entry, "c:CdtDbtInd").upper() == "DBIT" else 1
    booked = _camt_date(
        first(entry, "c:BookgDt/c:Dt")
        or first(entry, "c:BookgDt/c:DtTm")
        or first(entry, "c:ValDt/c:Dt")
        or first(entry, "c:ValDt/c:DtTm")
    )
    entry_amount = _camt_amount(first(entry, "c:Amt"))
    currency = (first(entry, "c:Amt/@Ccy") or "").upper()[:3]
    entry_ref = first(entry, "c:AcctSvcrRef") or first(entry, "c:NtryRef")
    details = entry.xpath("c:NtryDtls/c:TxDtls", namespaces=ns)
    if not details:
        details = [None]
    lines = []
    for index, tx in enumerate(details):
        amount, tx_currency = entry_amount, currency
        if tx is not None and len(details) > 1:
            text = first(tx, "c:Amt") or first(tx, "c:AmtDtls/c:TxAmt/c:Amt")
            if text:
                amount = _camt_amount(text)
                tx_currency = (
                    first(tx, "c:Amt/@Ccy") or first(tx, "c:AmtDtls/c:TxAmt/c:Amt/@Ccy") or currency
                ).upper()[:3]
        remittance = payer = iban = reference = ""
        if tx is not None:
            parts = [node.text or "" for node in tx.xpath("c:RmtInf/c:Ustrd", namespaces=ns)]
            parts += [
                node.text or ""
                for node in tx.xpath("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", namespaces=ns)
            ]
            end_to_end = first(tx, "c:Refs/c:EndToEndId")
            if end_to_end and end_to_end.upper() != "NOTPROVIDED":
                parts.append(end_to_end)
            remittance = " ".join(parts)
            # camt.053.001.02 names the debtor directly; .08 wraps it in Pty.
            payer = first(tx, "c:RltdPties/c:Dbtr/c:Nm") or first(
                tx, "c:RltdPties/c:Dbtr/c:Pty/c:Nm"
            )
            iban = first(tx, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN")
            if sign < 0:
                payer = (
                    payer
                    or first(tx, "c:RltdPties/c:Cdtr/c:Nm")
                    or first(tx, "c:RltdPties/c:Cdtr/c:Pty/c:Nm")
                )
            reference = first(tx, "c:Refs/c:AcctSvcrRef") or first(tx, "c:Refs/c:TxId")
        if not reference and entry_ref:
            reference = entry_ref if len(details) == 1 else f"{entry_ref}/{index + 1}"
        if not remittance:
            remittance = first(entry, "c:AddtlNtryInf")
        lines.append(
            StatementLine(
                booked_on=booked,
                amount=sign * amount,
                currency=tx_currency,
                remittance=_text(remittance, 500),
                payer_name=_text(payer, 200),
                payer_iban=_compact_iban(iban),
                bank_reference=_text(reference, 120),
            )
        )
    return lines


# --- MT940 --------------------------------------------------------------------------------------


def _decode_text(data: bytes, encoding: str = "utf-8") -> str:
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise StatementUnreadable(
            _("The file is not in the %(encoding)s encoding; choose the one your bank uses.")
            % {"encoding": encoding.upper()},
            code="statement_encoding",
        ) from exc


def parse_mt940(data: bytes) -> ParsedStatement:
    import mt940

    text = _decode_text(data, "utf-8") if _is_utf8(data) else _decode_text(data, "cp1252")
    if ":61:" not in text or ":20:" not in text:
        raise StatementUnreadable(
            _("This is not an MT940 statement (no :20: and :61: fields)."),
            code="statement_not_mt940",
        )
    transactions = mt940.models.Transactions(options=mt940.Options.all())
    try:
        transactions.parse(text)
    except Exception as exc:  # the library raises bare exceptions of many kinds on bad input
        raise StatementUnreadable(
            _("The MT940 file could not be read (%(error)s).") % {"error": _text(str(exc), 200)},
            code="statement_malformed",
        ) from exc
    lines = []
    for transaction in transactions:
        values = transaction.data
        amount = values.get("amount")
        day = values.get("date") or values.get("entry_date")
        if amount is None or day is None:
            continue
        remittance = " ".join(
            str(values.get(key))
            for key in (
                "purpose",
                "additional_purpose",
                "end_to_end_reference",
                "customer_reference",
            )
            if values.get(key) and str(values.get(key)).upper() not in ("NONREF", "NOTPROVIDED")
        ) or str(values.get("transaction_details") or "")
        lines.append(
            StatementLine(
                booked_on=dt.date(day.year, day.month, day.day),
                amount=Decimal(amount.amount).quantize(CENT),
                currency=str(amount.currency or values.get("currency") or "").upper()[:3],
                remittance=_text(remittance, 500),
                payer_name=_text(values.get("applicant_name"), 200),
                payer_iban=_compact_iban(str(values.get("applicant_iban") or "")),
                bank_reference=_text(values.get("bank_reference"), 120),
            )
        )
        if len(lines) > MAX_LINES:
            raise _too_many()
    account = str(transactions.data.get("account_identification") or "")
    return ParsedStatement(
        format=StatementFormat.MT940,
        lines=lines,
        account_iban=_compact_iban(account),
        statement_id=_text(transactions.data.get("statement_number"), 120),
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- CSV ----------------------------------------------------------------------------------------


def parse_amount(text: str, *, decimal_comma: bool) -> Decimal:
    """ "1.234,56" (decimal comma) or "1,234.56"; a sign before or after; currency signs and
    spaces dropped. Raises ValueError when nothing numeric is left."""
    value = re.sub(r"[\s'\u00a0\u202f€$£¥]|\b[A-Z]{3}\b", "", (text or "").upper())
    if not re.fullmatch(r"[+-]?[\d.,]+-?", value):
        raise ValueError(text)
    negative = value.startswith("-") or value.endswith("-")
    value = value.strip("+-")
    thousands, decimal = (".", ",") if decimal_comma else (",", ".")
    value = value.replace(thousands, "").replace(decimal, ".")
    if not re.fullmatch(r"\d{1,10}(\.\d{1,2})?", value):
        raise ValueError(text)
    amount = Decimal(value).quantize(CENT)
    return -amount if negative else amount


def parse_csv(data: bytes, mapping: CsvMapping) -> ParsedStatement:
    text = _decode_text(data, mapping.encoding)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    columns = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = columns
    wanted = {
        mapping.date_column: _("date"),
        mapping.amount_column: _("amount"),
        mapping.currency_column: _("currency"),
        mapping.reference_column: _("reference"),
        mapping.payer_column: _("payer name"),
        mapping.iban_column: _("IBAN"),
    }
    missing = [name for name in wanted if name and name not in columns]
    if missing:
        raise StatementUnreadable(
            _("The file has no column named %(columns)s (its columns: %(found)s).")
            % {
                "columns": ", ".join(f"“{_text(name, 100)}”" for name in missing),
                "found": _text(", ".join(columns), 300) or "–",
            },
            code="statement_columns",
        )
    lines = []
    try:
        for number, row in enumerate(reader, start=2):
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue

            def cell(column: str, row=row) -> str:
                value = row.get(column) if column else ""
                return value.strip() if isinstance(value, str) else ""

            try:
                amount = parse_amount(
                    cell(mapping.amount_column), decimal_comma=mapping.decimal_comma
                )
            except ValueError as exc:
                raise StatementUnreadable(
                    _("Line %(line)s: the amount “%(value)s” is not a number.")
                    % {"line": number, "value": _text(cell(mapping.amount_column), 40)},
                    code="statement_amount",
                ) from exc
            try:
                booked = dt.datetime.strptime(cell(mapping.date_column), mapping.date_format).date()
            except ValueError as exc:
                raise StatementUnreadable(
                    _("Line %(line)s: the date “%(value)s” does not have the chosen format.")
                    % {"line": number, "value": _text(cell(mapping.date_column), 40)},
                    code="statement_date",
                ) from exc
            lines.append(
                StatementLine(
                    booked_on=booked,
                    amount=amount,
                    currency=cell(mapping.currency_column).upper()[:3],
                    remittance=_text(cell(mapping.reference_column), 500),
                    payer_name=_text(cell(mapping.payer_column), 200),
                    payer_iban=_compact_iban(cell(mapping.iban_column)),
                )
            )
            if len(lines) > MAX_LINES:
                raise _too_many()
    except csv.Error as exc:
        raise StatementUnreadable(
            _("The CSV file could not be read (%(error)s).") % {"error": _text(str(exc), 200)},
            code="statement_malformed",
        ) from exc
    return ParsedStatement(format=StatementFormat.CSV, lines=lines)
