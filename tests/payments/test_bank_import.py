"""Bank statement import: CAMT.053 (.02 and .08), MT940 and CSV read from real-shaped files;
hostile files refused with nothing stored; credits matched by reference, amount and payer;
each line recorded once through ``record_bank_transfer``; the review page at 2,000 lines in a
fixed number of queries; finance and owners only, of their own congress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import (
    BankCsvMapping,
    BankStatement,
    BankStatementLine,
    Invoice,
    InvoiceCounter,
    Order,
    Payment,
)
from registrations.payments.bank_formats import (
    CsvMapping,
    StatementUnreadable,
    parse_amount,
    parse_statement,
)
from registrations.payments.bank_matching import Matcher, open_candidates
from registrations.payments.enums import BankLineStatus, InvoiceKind, StatementFormat
from registrations.payments.errors import LineAlreadyDecided
from registrations.payments.services import bank_statements as bank_services
from registrations.payments.services import payments as payment_services

from .conftest import make_order

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HEADER = "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n"
SEMICOLON = CsvMapping(
    date_column="Buchungstag",
    amount_column="Betrag",
    currency_column="Währung",
    reference_column="Verwendungszweck",
    payer_column="Auftraggeber",
    iban_column="IBAN",
)


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _upload(data: bytes, name: str = "statement.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _open_order(congress, *, code: str, total: str, invoice: str | None = None, **extra):
    order = make_order(congress, total=total, hold_minutes=60 * 24 * 30, **extra)
    Order.objects.filter(pk=order.pk).update(code=code)
    order.refresh_from_db()
    if invoice:
        number = int("".join(ch for ch in invoice if ch.isdigit())[-5:])
        Invoice.objects.create(
            congress=congress,
            order=order,
            kind=InvoiceKind.INVOICE,
            number=number,
            full_number=invoice,
            issued_at=timezone.now(),
            due_date=dt.date(2027, 3, 31),
            currency=congress.currency,
            net=order.total,
            tax=Decimal("0"),
            gross=order.total,
            tax_rate=Decimal("0"),
            tax_label="VAT",
        )
        # Numbers the service issues later (when a transfer pays an order) come after these.
        InvoiceCounter.objects.update_or_create(
            congress=congress, kind=InvoiceKind.INVOICE, defaults={"next_number": 1000}
        )
    return order


@pytest.fixture
def oslo_and_lyon(congress):
    """Two open orders the v02 and MT940 fixtures pay: one by invoice number, one by code."""
    oslo = _open_order(congress, code="KQ7MZ2PA", total="450.00", invoice="WCG27-00001")
    lyon = _open_order(congress, code="KQ7MZ2PB", total="300.00", contact_name="Ville de Lyon")
    return oslo, lyon


# --- parsers ------------------------------------------------------------------------------------


def test_camt053_v02_reads_booked_credits_debits_and_batched_transfers():
    parsed = parse_statement(_read("camt053_v02.xml"), StatementFormat.CAMT053)
    assert parsed.account_iban == "DE02120300000000202051"
    assert parsed.statement_id == "2027-03-02-EUR-01"
    lines = parsed.lines
    assert len(lines) == 6  # the pending (PDNG) entry is not booked yet
    first = lines[0]
    assert first.booked_on == dt.date(2027, 3, 1)
    assert first.amount == Decimal("450.00") and first.currency == "EUR"
    assert first.payer_name == "Oslo kommune" and first.payer_iban == "NO9386011117947"
    assert "wcg27 00001" in first.remittance
    assert first.bank_reference == "2027030100001"
    assert lines[2].amount == Decimal("-12.50")
    assert lines[3].currency == "USD"
    # One entry of 250.00 batching two transfers: one line each, with its own amount.
    assert [(line.amount, line.payer_name) for line in lines[4:]] == [
        (Decimal("200.00"), "Gemeente Utrecht"),
        (Decimal("50.00"), "Zoë Müller-Ångström"),
    ]


def test_camt053_v08_reads_party_names_datetimes_and_structured_references():
    lines = parse_statement(_read("camt053_v08.xml"), StatementFormat.CAMT053).lines
    assert [line.payer_name for line in lines] == [
        "Stadt Wien",
        "Comune di Bologna",
        "Unknown Payer Ltd",
        "",
    ]
    assert lines[0].booked_on == dt.date(2027, 3, 4)
    assert lines[1].remittance == "inv 00002"
    assert lines[3].amount == Decimal("-9.90")


def test_mt940_reads_structured_details_with_payer_name_and_iban():
    parsed = parse_statement(_read("mt940.sta"), StatementFormat.MT940)
    assert [(line.amount, line.payer_name, line.payer_iban) for line in parsed.lines] == [
        (Decimal("450.00"), "OSLO KOMMUNE", "NO9386011117947"),
        (Decimal("300.00"), "VILLE DE LYON", "FR1420041010050500013M02606"),
        (Decimal("-12.50"), "", ""),
    ]
    assert parsed.lines[0].remittance == "WCG27-00001 Oslo"
    assert parsed.lines[0].booked_on == dt.date(2027, 3, 1)


def test_csv_with_semicolons_decimal_comma_and_german_dates():
    data = (
        "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\r\n"
        "01.03.2027;1.450,00;EUR;WCG27-00001;Stadt Köln;DE89 3704 0044 0532 0130 00\r\n"
        "02.03.2027;-12,50;EUR;Gebühren;;\r\n"
        "\r\n"
    ).encode()
    lines = parse_statement(data, StatementFormat.CSV, mapping=SEMICOLON).lines
    assert [(line.booked_on, line.amount) for line in lines] == [
        (dt.date(2027, 3, 1), Decimal("1450.00")),
        (dt.date(2027, 3, 2), Decimal("-12.50")),
    ]
    assert lines[0].payer_iban == "DE89370400440532013000"
    assert lines[0].payer_name == "Stadt Köln"


def test_csv_with_commas_decimal_point_and_iso_dates():
    mapping = CsvMapping(
        date_column="date",
        amount_column="amount",
        reference_column="memo",
        delimiter=",",
        decimal_comma=False,
        date_format="%Y-%m-%d",
    )
    data = b'date,amount,memo\n2027-03-01,"1,234.50",KQ7M Z2PA\n2027-03-02,99.00-,refund\n'
    lines = parse_statement(data, StatementFormat.CSV, mapping=mapping).lines
    assert [line.amount for line in lines] == [Decimal("1234.50"), Decimal("-99.00")]
    assert lines[0].currency == ""  # the congress's currency, filled in on import


@pytest.mark.parametrize(
    ("text", "comma", "expected"),
    [
        ("1.234,56", True, "1234.56"),
        ("€ 450,00", True, "450.00"),
        ("+300", True, "300.00"),
        ("1,234.56", False, "1234.56"),
        ("12.5-", False, "-12.50"),
    ],
)
def test_amounts_in_the_ways_banks_write_them(text, comma, expected):
    assert parse_amount(text, decimal_comma=comma) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1e5", "12,345,678,901,234.00", "1.2.3,4,5"])
def test_amounts_that_are_not_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text, decimal_comma=False)


# --- hostile files ------------------------------------------------------------------------------


def test_malformed_xml_is_refused_naming_the_problem():
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(b"<Document><BkToCstmrStmt>", StatementFormat.CAMT053)
    assert caught.value.code == "statement_malformed"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>&secret;</Id></Stmt></BkToCstmrStmt></Document>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol3;</Document>"""


@pytest.mark.parametrize("data", [XXE, LAUGHS, XXE.replace(b"DOCTYPE", b"doctype")])
def test_doctype_and_entities_are_refused_before_anything_is_resolved(data):
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(data, StatementFormat.CAMT053)
    assert caught.value.code in ("statement_doctype", "statement_malformed")
    assert "root:" not in str(caught.value.message)


def test_utf16_xml_with_a_doctype_is_refused_too():
    with pytest.raises(StatementUnreadable):
        parse_statement(
            XXE.decode().replace('"1.0"', '"1.0" encoding="UTF-16"').encode("utf-16"),
            StatementFormat.CAMT053,
        )


@pytest.mark.parametrize(
    "data",
    [
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>',
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
        b"<html><body>statement</body></html>",
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>',
    ],
)
def test_xml_that_is_not_a_camt053_statement_is_refused(data):
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(data, StatementFormat.CAMT053)
    assert caught.value.code == "statement_not_camt"


def test_an_amount_that_is_not_a_number_in_camt_is_refused():
    data = _read("camt053_v08.xml").replace(b">450.00<", b">4x0<", 1)
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(data, StatementFormat.CAMT053)
    assert caught.value.code == "statement_amount"


def test_nul_in_a_csv_is_refused():
    data = b"Buchungstag;Betrag\n01.03.2027;1\x00,00\n"
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(data, StatementFormat.CSV, mapping=SEMICOLON)
    assert caught.value.code == "statement_binary"


def test_a_windows_encoded_csv_is_refused_as_utf8_and_read_as_cp1252():
    data = HEADER + "01.03.2027;10,00;EUR;x;Müller;\n"
    raw = data.encode("cp1252")
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(raw, StatementFormat.CSV, mapping=SEMICOLON)
    assert caught.value.code == "statement_encoding"
    windows = CsvMapping(**{**SEMICOLON.__dict__, "encoding": "cp1252"})
    (line,) = parse_statement(raw, StatementFormat.CSV, mapping=windows).lines
    assert line.payer_name == "Müller"


def test_a_csv_without_the_mapped_column_names_the_column():
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(b"Date;Amount\n01.03.2027;1,00\n", StatementFormat.CSV, mapping=SEMICOLON)
    assert "Buchungstag" in str(caught.value.message)


def test_mt940_garbage_is_refused():
    with pytest.raises(StatementUnreadable):
        parse_statement(b"hello, this is not a statement", StatementFormat.MT940)


def test_control_characters_in_xml_are_refused_as_malformed():
    data = _read("camt053_v08.xml").replace(b"Donation", b"Don\x1b[31mation")
    with pytest.raises(StatementUnreadable) as caught:
        parse_statement(data, StatementFormat.CAMT053)
    assert caught.value.code == "statement_malformed"


def test_control_characters_and_markup_in_remittance_are_stored_cleanly(congress, alice, client):
    text = "Don\x1b[31mation <script>alert(1)</script> " + "ü" * 600 + " مدينة 東京"
    data = (
        "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n"
        f"01.03.2027;10,00;EUR;{text};\x0bAna\x7f;\n"
    ).encode()
    statement = bank_services.import_statement(
        congress=congress, upload=_upload(data, "x.csv"), fmt="csv", mapping=SEMICOLON, by=alice
    )
    line = statement.lines.get()
    assert "\x1b" not in line.remittance and line.payer_name == "Ana"
    assert len(line.remittance) <= 500
    client.force_login(alice)
    page = client.get(f"/{congress.slug}/manage/payments/bank/statements/{statement.pk}/")
    assert b"<script>alert(1)" not in page.content
    assert "&lt;script&gt;alert(1)" in page.content.decode()


def test_a_10_mb_file_is_refused_and_nothing_is_stored(congress, finance_user, client):
    client.force_login(finance_user)
    big = _upload(b"<Document>" + b" " * (10 * 1024 * 1024) + b"</Document>", "big.xml")
    response = client.post(
        f"/{congress.slug}/manage/payments/bank/", {"statement": big, "format": "camt053"}
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not BankStatement.objects.exists()


# --- matching -----------------------------------------------------------------------------------


def _import(congress, name, fmt=StatementFormat.CAMT053, by=None, **kwargs):
    return bank_services.import_statement(
        congress=congress, upload=_upload(_read(name), name), fmt=fmt, by=by, **kwargs
    )


def test_credits_are_matched_by_invoice_number_and_order_code_whatever_their_spelling(
    congress, alice, oslo_and_lyon
):
    oslo, lyon = oslo_and_lyon
    statement = _import(congress, "camt053_v02.xml", by=alice)
    lines = {line.position: line for line in statement.lines.all()}
    assert lines[1].proposed_order == oslo and lines[1].confidence == 100
    assert lines[1].proposed_invoice.full_number == "WCG27-00001"
    assert "WCG27-00001" in lines[1].reason
    assert lines[2].proposed_order == lyon and lines[2].confidence == 100  # "kq7m-z2pb"
    assert lines[3].status == BankLineStatus.IGNORED  # the bank's fees, a debit
    assert lines[4].status == BankLineStatus.IGNORED and "USD" in lines[4].reason
    assert lines[5].status == BankLineStatus.UNMATCHED
    assert {lines[n].status for n in (1, 2)} == {BankLineStatus.PROPOSED}


def test_mt940_lines_match_the_same_orders(congress, alice, oslo_and_lyon):
    oslo, lyon = oslo_and_lyon
    statement = _import(congress, "mt940.sta", StatementFormat.MT940, by=alice)
    proposed = list(statement.lines.order_by("position").values_list("proposed_order", flat=True))
    assert proposed == [oslo.pk, lyon.pk, None]


def _matcher(congress):
    return Matcher(open_candidates(congress))


def test_a_reference_with_another_amount_is_proposed_as_a_part_payment(congress):
    _open_order(congress, code="KQ7MZ2PA", total="450.00", invoice="WCG27-00001")
    proposal = _matcher(congress).propose(
        amount=Decimal("200.00"), currency="EUR", remittance="wcg27/00001", payer=""
    )
    assert proposal.confidence == 80 and "part payment" in proposal.reason


def test_without_reference_the_amount_and_payer_name_decide(congress):
    _open_order(congress, code="AAAAAAAA", total="120.00", contact_name="Zoë Müller-Ångström")
    _open_order(congress, code="BBBBBBBB", total="120.00", contact_name="Ben Okafor")
    _open_order(congress, code="CCCCCCCC", total="77.00", contact_name="Carla Souza")
    matcher = _matcher(congress)
    named = matcher.propose(
        amount=Decimal("120.00"), currency="EUR", remittance="", payer="MULLER-ANGSTROM ZOE"
    )
    assert named.candidate.code == "AAAAAAAA" and named.confidence == 70
    ambiguous = matcher.propose(amount=Decimal("120.00"), currency="EUR", remittance="", payer="")
    assert ambiguous.candidate is None and "2" in ambiguous.reason
    only = matcher.propose(amount=Decimal("77.00"), currency="EUR", remittance="", payer="X")
    assert only.candidate.code == "CCCCCCCC" and only.confidence == 50
    by_name = matcher.propose(
        amount=Decimal("5.00"), currency="EUR", remittance="", payer="carla souza"
    )
    assert by_name.candidate.code == "CCCCCCCC" and by_name.confidence == 35
    none = matcher.propose(amount=Decimal("5.00"), currency="EUR", remittance="hi", payer="")
    assert none.candidate is None and none.confidence == 0


def test_paid_and_cancelled_orders_are_not_proposed(congress):
    paid = _open_order(congress, code="PAIDPAID", total="450.00")
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.PAID)
    proposal = _matcher(congress).propose(
        amount=Decimal("450.00"), currency="EUR", remittance="PAIDPAID", payer=""
    )
    assert proposal.candidate is None


# --- confirming, exactly once -------------------------------------------------------------------


def test_confirmed_lines_are_recorded_through_the_transfer_service(congress, alice, oslo_and_lyon):
    oslo, lyon = oslo_and_lyon
    statement = _import(congress, "camt053_v02.xml", by=alice)
    lines = {line.position: line for line in statement.lines.all()}
    outcome = bank_services.confirm_lines(
        congress=congress,
        decisions={lines[1].pk: oslo, lines[2].pk: None, lines[5].pk: None},
        by=alice,
    )
    assert (outcome.recorded, outcome.left) == (1, 2)
    oslo.refresh_from_db()
    lyon.refresh_from_db()
    assert oslo.status == OrderStatus.PAID and lyon.status == OrderStatus.PENDING_PAYMENT
    payment = Payment.objects.get(order=oslo)
    assert payment.amount == Decimal("450.00") and payment.received_on == dt.date(2027, 3, 1)
    assert "2027030100001" in payment.reference and payment.recorded_by == alice
    line = BankStatementLine.objects.get(pk=lines[1].pk)
    assert line.status == BankLineStatus.MATCHED and line.payment == payment
    assert line.matched_invoice.full_number == "WCG27-00001"
    assert BankStatementLine.objects.get(pk=lines[2].pk).status == BankLineStatus.UNMATCHED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "convene.bank_statement.imported",
        "convene.bank_statement.line_matched",
        "convene.bank_statement.lines_left_unmatched",
        "convene.payment.transfer_recorded",
    } <= actions


def test_a_line_is_never_recorded_twice(congress, alice, oslo_and_lyon):
    oslo, _lyon = oslo_and_lyon
    statement = _import(congress, "camt053_v02.xml", by=alice)
    line = statement.lines.get(position=1)
    bank_services.match_line(line_id=line.pk, congress=congress, order=oslo, by=alice)
    with pytest.raises(LineAlreadyDecided):
        bank_services.match_line(line_id=line.pk, congress=congress, order=oslo, by=alice)
    again = bank_services.confirm_lines(congress=congress, decisions={line.pk: oslo}, by=alice)
    assert again.recorded == 0 and len(again.skipped) == 1
    assert Payment.objects.filter(order=oslo).count() == 1


def test_the_same_statement_uploaded_again_is_skipped_line_by_line(congress, alice, oslo_and_lyon):
    first = _import(congress, "camt053_v02.xml", by=alice)
    second = _import(congress, "camt053_v02.xml", by=alice)
    assert first.lines.count() == 6
    assert second.lines.count() == 0 and second.duplicates_skipped == 6
    # The same bookings as MT940 from the same bank are other lines (other references).
    assert _import(congress, "mt940.sta", StatementFormat.MT940, by=alice).lines.count() == 3


def test_the_same_line_twice_in_one_file_is_imported_once(congress, alice):
    data = (
        "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n"
        "01.03.2027;10,00;EUR;Gift;Ana;\n01.03.2027;10,00;EUR;Gift;Ana;\n"
    ).encode()
    statement = bank_services.import_statement(
        congress=congress, upload=_upload(data, "x.csv"), fmt="csv", mapping=SEMICOLON, by=alice
    )
    assert statement.lines.count() == 1 and statement.duplicates_skipped == 1


def test_a_csv_import_keeps_the_mapping_for_the_congress(congress, alice, client):
    client.force_login(alice)
    data = (
        "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n01.03.2027;10,00;EUR;x;y;\n"
    )
    response = client.post(
        f"/{congress.slug}/manage/payments/bank/",
        {
            "statement": _upload(data.encode(), "bank.csv"),
            "format": "csv",
            "delimiter": ";",
            "decimal_comma": "on",
            "encoding": "utf-8",
            "date_format": "%d.%m.%Y",
            **{
                name: getattr(SEMICOLON, name)
                for name in ("date_column", "amount_column", "currency_column")
            },
            "reference_column": "Verwendungszweck",
            "payer_column": "Auftraggeber",
            "iban_column": "IBAN",
        },
    )
    assert response.status_code == 302
    saved = BankCsvMapping.objects.get(congress=congress)
    assert saved.amount_column == "Betrag" and saved.decimal_comma is True
    form_page = client.get(f"/{congress.slug}/manage/payments/bank/")
    assert 'value="Verwendungszweck"' in form_page.content.decode()


def test_part_payment_keeps_the_order_open_and_overpayment_is_flagged(congress, alice):
    order = _open_order(congress, code="KQ7MZ2PA", total="450.00", invoice="WCG27-00001")
    data = (
        "Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n"
        "01.03.2027;200,00;EUR;WCG27-00001;A;\n02.03.2027;300,00;EUR;WCG27-00001;A;\n"
    ).encode()
    statement = bank_services.import_statement(
        congress=congress, upload=_upload(data, "x.csv"), fmt="csv", mapping=SEMICOLON, by=alice
    )
    first, second = statement.lines.order_by("position")
    bank_services.match_line(line_id=first.pk, congress=congress, order=order, by=alice)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    bank_services.match_line(line_id=second.pk, congress=congress, order=order, by=alice)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.needs_review
    assert "Overpaid" in order.review_reason


def test_a_line_against_a_paid_order_is_refused_and_stays_waiting(congress, alice, oslo_and_lyon):
    oslo, _lyon = oslo_and_lyon
    # paid in full by an earlier transfer: nothing is left to pay (a paid order with a balance
    # due after a type change may still take a transfer)
    payment_services.record_bank_transfer(
        order=oslo, amount=oslo.total, received_on=dt.date(2027, 3, 1), by=alice
    )
    oslo.refresh_from_db()
    assert oslo.status == OrderStatus.PAID
    statement = _import(congress, "camt053_v02.xml", by=alice)
    line = statement.lines.get(position=1)
    outcome = bank_services.confirm_lines(congress=congress, decisions={line.pk: oslo}, by=alice)
    assert outcome.recorded == 0 and "already paid" in outcome.errors[0]
    line.refresh_from_db()
    assert line.status == BankLineStatus.UNMATCHED and line.payment is None


# --- pages --------------------------------------------------------------------------------------


def _url(congress, rest=""):
    return f"/{congress.slug}/manage/payments/bank/{rest}"


def test_the_review_page_confirms_accepts_others_and_leaves(congress, finance_user, client):
    oslo = _open_order(congress, code="KQ7MZ2PA", total="450.00", invoice="INV-00001")
    bologna = _open_order(congress, code="KQ7MZ2PC", total="300.00", invoice="INV-00002")
    other = _open_order(congress, code="KQ7MZ2PD", total="123.45")
    statement = _import(congress, "camt053_v08.xml", by=finance_user)
    lines = {line.position: line for line in statement.lines.all()}
    client.force_login(finance_user)
    page = client.get(_url(congress, f"statements/{statement.pk}/"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Stadt Wien" in body and 'value="accept" checked' in body
    response = client.post(
        _url(congress, f"statements/{statement.pk}/confirm/"),
        {
            "line": [lines[1].pk, lines[2].pk, lines[3].pk, lines[4].pk, "x"],
            f"decision-{lines[1].pk}": "accept",
            f"decision-{lines[2].pk}": "leave",
            f"decision-{lines[3].pk}": "other",
            f"other-{lines[3].pk}": "kq7m z2pd",
        },
    )
    assert response.status_code == 302
    for order, status in (
        (oslo, OrderStatus.PAID),
        (bologna, OrderStatus.PENDING_PAYMENT),
        (other, OrderStatus.PAID),
    ):
        order.refresh_from_db()
        assert order.status == status
    queue = client.get(_url(congress, "queue/"))
    assert "Comune di Bologna" in queue.content.decode()
    assert "Stadt Wien" not in queue.content.decode()


def test_an_unknown_other_reference_records_nothing(congress, finance_user, client):
    statement = _import(congress, "camt053_v08.xml", by=finance_user)
    line = statement.lines.get(position=3)
    client.force_login(finance_user)
    client.post(
        _url(congress, f"statements/{statement.pk}/confirm/"),
        {"line": [line.pk], f"decision-{line.pk}": "other", f"other-{line.pk}": "<b>\x00" * 50},
    )
    assert not Payment.objects.exists()


def test_the_line_page_searches_records_and_ignores(congress, finance_user, client):
    order = _open_order(congress, code="KQ7MZ2PD", total="123.45", contact_name="Unknown Payer")
    statement = _import(congress, "camt053_v08.xml", by=finance_user)
    line = statement.lines.get(position=3)
    client.force_login(finance_user)
    page = client.get(_url(congress, f"lines/{line.pk}/"))
    assert "KQ7MZ2PD" in page.content.decode()  # owes exactly this amount
    searched = client.get(_url(congress, f"lines/{line.pk}/"), {"q": "unknown"})
    assert "KQ7MZ2PD" in searched.content.decode()
    hostile = client.get(_url(congress, f"lines/{line.pk}/"), {"q": "ü" * 10_000})
    assert hostile.status_code == 200
    client.post(_url(congress, f"lines/{line.pk}/"), {"action": "match", "order": "KQ7MZ2PD"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    other = statement.lines.get(position=2)
    client.post(_url(congress, f"lines/{other.pk}/"), {"action": "ignore"})
    other.refresh_from_db()
    assert other.status == BankLineStatus.IGNORED


def _many_lines(congress, count: int) -> BankStatement:
    order = _open_order(congress, code="KQ7MZ2PA", total="450.00", invoice="WCG27-00001")
    statement = BankStatement.objects.create(congress=congress, format="csv", filename="many.csv")
    BankStatementLine.objects.bulk_create(
        [
            BankStatementLine(
                congress=congress,
                statement=statement,
                position=n,
                fingerprint=f"f{n}",
                booked_on=dt.date(2027, 3, 1),
                amount=Decimal("450.00"),
                currency="EUR",
                remittance=f"WCG27-00001 line {n}",
                payer_name=f"Payer {n}",
                status=BankLineStatus.PROPOSED if n % 2 else BankLineStatus.UNMATCHED,
                proposed_order=order if n % 2 else None,
                confidence=100 if n % 2 else 0,
            )
            for n in range(1, count + 1)
        ]
    )
    return statement


def test_the_review_page_with_2000_lines_in_a_fixed_number_of_queries(
    congress, finance_user, client, django_assert_max_num_queries
):
    statement = _many_lines(congress, 2000)
    client.force_login(finance_user)
    with django_assert_max_num_queries(16):
        response = client.get(_url(congress, f"statements/{statement.pk}/"), {"page": 7})
    assert response.status_code == 200
    assert len(response.context["lines"]) == 200
    with django_assert_max_num_queries(14):
        assert client.get(_url(congress, "queue/"), {"page": 3}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(_url(congress)).status_code == 200


def test_importing_2000_lines_costs_a_fixed_number_of_queries(
    congress, alice, django_assert_max_num_queries
):
    _open_order(congress, code="KQ7MZ2PA", total="450.00", invoice="WCG27-00001")
    rows = "".join(f"01.03.2027;{n},00;EUR;WCG27-00001 n{n};Payer {n};\n" for n in range(1, 2001))
    data = ("Buchungstag;Betrag;Währung;Verwendungszweck;Auftraggeber;IBAN\n" + rows).encode()
    # SQLite inserts ~40 rows per statement (its variable limit): the count grows with the
    # batches, never with a query per line.
    with django_assert_max_num_queries(90):
        statement = bank_services.import_statement(
            congress=congress, upload=_upload(data, "x.csv"), fmt="csv", mapping=SEMICOLON, by=alice
        )
    assert statement.lines.count() == 2000


@pytest.mark.parametrize(
    "path",
    ["", "queue/", "statements/{statement}/", "lines/{line}/"],
)
def test_finance_and_owners_may_the_registration_role_and_others_may_not(
    congress, alice, bob, charlie, finance_user, registration_user, client, path
):
    statement = _import(congress, "camt053_v08.xml", by=alice)
    url = _url(congress, path.format(statement=statement.pk, line=statement.lines.first().pk))
    for user, status in (
        (finance_user, 200),
        (alice, 200),
        (registration_user, 403),
        (bob, 403),
        (charlie, 403),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_another_congresss_statement_and_lines_are_not_found(
    congress, other_congress, charlie, alice, client
):
    theirs = _import(other_congress, "camt053_v08.xml", by=charlie)
    line = theirs.lines.first()
    client.force_login(alice)
    assert client.get(_url(congress, f"statements/{theirs.pk}/")).status_code == 404
    assert client.get(_url(congress, f"lines/{line.pk}/")).status_code == 404
    client.post(_url(congress, f"lines/{line.pk}/"), {"action": "ignore"})
    response = client.post(
        _url(congress, f"statements/{theirs.pk}/confirm/"),
        {"line": [line.pk], f"decision-{line.pk}": "leave"},
    )
    assert response.status_code == 404
    line.refresh_from_db()
    assert line.status != BankLineStatus.IGNORED


def test_a_registration_manager_cannot_upload(congress, registration_user, client):
    client.force_login(registration_user)
    response = client.post(
        _url(congress), {"statement": _upload(_read("camt053_v08.xml")), "format": "camt053"}
    )
    assert response.status_code == 403
    assert not BankStatement.objects.exists()


@pytest.mark.parametrize(
    "field",
    [
        {"date_column": "x" * 10_000},
        {"amount_column": "Betrag\x00"},
        {"payer_column": "<script>alert(1)</script>\x1b"},
        {"format": "pdf"},
        {"delimiter": "x"},
    ],
)
def test_hostile_upload_form_values_are_refused_with_nothing_stored(
    congress, finance_user, client, field
):
    client.force_login(finance_user)
    data = {
        "statement": _upload(HEADER.encode() + b"01.03.2027;1,00;EUR;x;y;\n", "x.csv"),
        "format": "csv",
        "delimiter": ";",
        "encoding": "utf-8",
        "date_format": "%d.%m.%Y",
        "date_column": "Buchungstag",
        "amount_column": "Betrag",
        **field,
    }
    response = client.post(_url(congress), data)
    assert response.status_code == 400
    assert not BankStatement.objects.exists() and not BankCsvMapping.objects.exists()
    assert b"<script>alert(1)" not in response.content


def test_a_csv_in_arabic_and_japanese_is_read_and_matched_by_name(congress, alice):
    _open_order(congress, code="AAAAAAAA", total="120.00", contact_name="مدينة الرباط")
    data = (HEADER + "01.03.2027;120,00;EUR;رسوم المؤتمر 東京;مدينة الرباط;\n").encode()
    statement = bank_services.import_statement(
        congress=congress, upload=_upload(data, "x.csv"), fmt="csv", mapping=SEMICOLON, by=alice
    )
    line = statement.lines.get()
    assert line.payer_name == "مدينة الرباط" and line.proposed_order.code == "AAAAAAAA"
