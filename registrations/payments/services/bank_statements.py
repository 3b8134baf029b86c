"""Bank statement import: read the file, store each new line once with a proposed match, then
record the transfers finance confirms through :func:`record_bank_transfer`.

Exactly once: a line's fingerprint (date, amount, currency, bank reference, remittance, payer)
is unique per congress, so a statement uploaded again (or a line twice in one file) is skipped;
a line is recorded under its row lock and only while it has no payment, so two confirmations
of the same line record one transfer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress

from ...models import BankCsvMapping, BankStatement, BankStatementLine, Order
from ..bank_formats import CsvMapping, StatementLine, parse_statement, read_upload
from ..bank_matching import Matcher, open_candidates
from ..enums import BankLineStatus, StatementFormat
from ..errors import LineAlreadyDecided, PaymentError
from .invoicing import current_invoice
from .transfers import record_bank_transfer

IMPORTED = "convene.bank_statement.imported"
MATCHED = "convene.bank_statement.line_matched"
LEFT = "convene.bank_statement.lines_left_unmatched"
IGNORED = "convene.bank_statement.line_ignored"
OPEN_STATUSES = (BankLineStatus.PROPOSED, BankLineStatus.UNMATCHED)


def fingerprint(congress: Congress, line: StatementLine) -> str:
    parts = [
        str(congress.pk),
        line.booked_on.isoformat(),
        f"{line.amount:.2f}",
        line.currency,
        line.bank_reference,
        " ".join(line.remittance.split()).casefold(),
        line.payer_iban,
        " ".join(line.payer_name.split()).casefold(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


CSV_MAPPING_FIELDS = (
    "delimiter",
    "decimal_comma",
    "encoding",
    "date_format",
    "date_column",
    "amount_column",
    "currency_column",
    "reference_column",
    "payer_column",
    "iban_column",
)


def saved_csv_mapping(congress: Congress) -> BankCsvMapping | None:
    return BankCsvMapping.objects.filter(congress=congress).first()


def save_csv_mapping(*, congress: Congress, mapping: CsvMapping, by=None) -> BankCsvMapping:
    """Keep the congress's CSV column mapping for its next import."""
    values = {name: getattr(mapping, name) for name in CSV_MAPPING_FIELDS}
    with transaction.atomic():
        saved, _created = BankCsvMapping.objects.update_or_create(
            congress=congress, defaults=values
        )
        audit.record(
            action="convene.bank_statement.csv_mapping_saved",
            congress=congress,
            actor=by,
            target=saved,
            data={name: str(value) for name, value in values.items()},
        )
    return saved


def import_statement(
    *,
    congress: Congress,
    upload,
    fmt: str,
    mapping: CsvMapping | None = None,
    by=None,
) -> BankStatement:
    """Read ``upload`` and store its new lines, each credit with a proposed match; debits and
    other currencies are stored as ignored. Raises ``StatementUnreadable`` with nothing stored."""
    data = read_upload(upload)
    parsed = parse_statement(data, fmt, mapping=mapping)
    if fmt == StatementFormat.CSV and mapping is not None:
        save_csv_mapping(congress=congress, mapping=mapping, by=by)
    matcher = Matcher(open_candidates(congress))
    seen: set[str] = set()
    prints = [fingerprint(congress, line) for line in parsed.lines]
    existing = set()
    for start in range(0, len(prints), 500):
        existing.update(
            BankStatementLine.objects.filter(
                congress=congress, fingerprint__in=prints[start : start + 500]
            ).values_list("fingerprint", flat=True)
        )
    statement = BankStatement(
        congress=congress,
        format=parsed.format,
        filename=str(getattr(upload, "name", "") or "")[:200],
        account_iban=parsed.account_iban,
        statement_id=parsed.statement_id,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    rows: list[BankStatementLine] = []
    duplicates = 0
    for position, (line, print_) in enumerate(zip(parsed.lines, prints, strict=True), start=1):
        if print_ in existing or print_ in seen:
            duplicates += 1
            continue
        seen.add(print_)
        currency = line.currency or congress.currency
        row = BankStatementLine(
            congress=congress,
            statement=statement,
            position=position,
            fingerprint=print_,
            booked_on=line.booked_on,
            amount=line.amount,
            currency=currency,
            remittance=line.remittance,
            payer_name=line.payer_name,
            payer_iban=line.payer_iban,
            bank_reference=line.bank_reference,
        )
        if line.amount <= 0:
            row.status, row.reason = BankLineStatus.IGNORED, _("A debit: money going out.")
        elif currency != congress.currency:
            row.status = BankLineStatus.IGNORED
            row.reason = _("In %(currency)s; this congress is paid in %(own)s.") % {
                "currency": currency,
                "own": congress.currency,
            }
        else:
            proposal = matcher.propose(
                amount=line.amount,
                currency=currency,
                remittance=line.remittance,
                payer=line.payer_name,
            )
            row.reason = proposal.reason[:300]
            row.confidence = proposal.confidence
            if proposal.candidate is not None:
                row.status = BankLineStatus.PROPOSED
                row.proposed_order_id = proposal.candidate.order_id
                row.proposed_invoice_id = proposal.candidate.invoice_id
            else:
                row.status = BankLineStatus.UNMATCHED
        rows.append(row)
    statement.duplicates_skipped = duplicates
    try:
        with transaction.atomic():
            statement.save()
            BankStatementLine.objects.bulk_create(rows, batch_size=500)
            audit.record(
                action=IMPORTED,
                congress=congress,
                actor=by,
                target=statement,
                data={
                    "format": parsed.format,
                    "file": statement.filename,
                    "lines": len(rows),
                    "duplicates_skipped": duplicates,
                    "proposed": sum(1 for r in rows if r.status == BankLineStatus.PROPOSED),
                    "ignored": sum(1 for r in rows if r.status == BankLineStatus.IGNORED),
                },
            )
    except IntegrityError as exc:  # the same lines imported at the same moment by someone else
        raise PaymentError(
            _("These lines are being imported by someone else right now; try again.")
        ) from exc
    return statement


@dataclass
class ConfirmOutcome:
    recorded: int = 0
    left: int = 0
    ignored: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def match_line(*, line_id: int, congress: Congress, order: Order, by=None) -> BankStatementLine:
    """Record the line's money as a transfer against ``order``, once: a line already recorded
    raises ``PaymentError`` and nothing is recorded twice."""
    if order.congress_id != congress.pk:
        raise PaymentError(_("This order belongs to another congress."))
    with transaction.atomic():
        line = (
            BankStatementLine.objects.select_for_update()
            .filter(pk=line_id, congress=congress)
            .first()
        )
        if line is None:
            raise PaymentError(_("This bank statement line does not exist."))
        if line.payment_id is not None or line.status not in OPEN_STATUSES:
            raise LineAlreadyDecided(
                _("Line %(line)s was already recorded or ignored; it was skipped.")
                % {"line": line.position}
            )
        if line.amount <= 0 or line.currency != congress.currency:
            raise PaymentError(_("Only credits in the congress's currency can be recorded."))
        reference = " ".join(part for part in (line.bank_reference, line.remittance) if part)
        payment = record_bank_transfer(
            order=order,
            amount=line.amount,
            received_on=line.booked_on,
            reference=reference[:200],
            by=by,
        )
        line.status = BankLineStatus.MATCHED
        line.matched_order = order
        line.matched_invoice = current_invoice(order)
        line.payment = payment
        line.decided_at = timezone.now()
        line.decided_by = by if getattr(by, "is_authenticated", False) else None
        line.save(
            update_fields=[
                "status",
                "matched_order",
                "matched_invoice",
                "payment",
                "decided_at",
                "decided_by",
            ]
        )
        audit.record(
            action=MATCHED,
            congress=congress,
            actor=by,
            target=line,
            data={
                "statement": line.statement_id,
                "line": line.position,
                "order": order.code,
                "amount": str(line.amount),
                "payment": payment.pk,
                "proposed": line.proposed_order_id == order.pk,
            },
        )
    return line


def ignore_line(*, line_id: int, congress: Congress, by=None) -> BankStatementLine:
    """Take a line out of the queue without recording money (not a congress payment)."""
    with transaction.atomic():
        line = (
            BankStatementLine.objects.select_for_update()
            .filter(pk=line_id, congress=congress, payment__isnull=True, status__in=OPEN_STATUSES)
            .first()
        )
        if line is None:
            raise LineAlreadyDecided(_("This line was already recorded or ignored."))
        line.status = BankLineStatus.IGNORED
        line.reason = _("Ignored by hand.")
        line.decided_at = timezone.now()
        line.decided_by = by if getattr(by, "is_authenticated", False) else None
        line.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        audit.record(
            action=IGNORED,
            congress=congress,
            actor=by,
            target=line,
            data={"statement": line.statement_id, "line": line.position},
        )
    return line


def confirm_lines(
    *,
    congress: Congress,
    decisions: dict[int, Order | None],
    by=None,
) -> ConfirmOutcome:
    """Finance's decisions on a page of lines: an order records the line against it, ``None``
    leaves the line unmatched in the queue. Each line in its own transaction."""
    outcome = ConfirmOutcome()
    left_ids = []
    for line_id in sorted(decisions):
        order = decisions[line_id]
        if order is None:
            left_ids.append(line_id)
            continue
        try:
            match_line(line_id=line_id, congress=congress, order=order, by=by)
        except LineAlreadyDecided as exc:
            outcome.skipped.append(str(exc.message))
        except DomainError as exc:  # the order cannot take it (paid, cancelled): it says why
            outcome.errors.append(f"{order.code}: {exc.message}")
        else:
            outcome.recorded += 1
    if left_ids:
        with transaction.atomic():
            changed = BankStatementLine.objects.filter(
                pk__in=left_ids, congress=congress, status=BankLineStatus.PROPOSED
            ).update(
                status=BankLineStatus.UNMATCHED,
                decided_at=timezone.now(),
                decided_by=by if getattr(by, "is_authenticated", False) else None,
            )
            outcome.left = len(left_ids)
            audit.record(
                action=LEFT,
                congress=congress,
                actor=by,
                data={"lines": sorted(left_ids)[:1000], "changed": changed},
            )
    return outcome
