"""Delegate exports for organisers (CSV and XLSX): one row per delegate with the organisers'
questions, written by the core's exporter base (``events_site.congresses.exporters``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.congresses.exporters import CSVExporter, SpreadsheetExporter, XLSXExporter

from .enums import DelegateRole, OrganisationType, VoucherKind
from .lifecycle import OrderStatus
from .models import Answer, Question, Voucher


class DelegateExport(SpreadsheetExporter):
    """The rows of the delegate export; the CSV and XLSX classes below add the file format
    (the core's exporter base)."""

    name = gettext_lazy("Delegates")

    def columns(self, congress) -> list[tuple[str, str, callable]]:
        """(title, field read with ``values()``, how to show it)."""
        statuses = dict(OrderStatus.choices)
        org_types = dict(OrganisationType.choices)
        roles = dict(DelegateRole.choices)
        zone = congress.tz

        def local(value):
            return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

        def yes_no(value):
            return _("yes") if value else _("no")

        def plain(value):
            return value

        return [
            (_("Order"), "order__code", plain),
            (_("Order status"), "order__status", lambda v: statuses.get(v, v)),
            (_("Registration type"), "registration_type__name", plain),
            (_("Given name"), "given_name", plain),
            (_("Family name"), "family_name", plain),
            (_("Name on badge"), "badge_name", plain),
            (_("Title"), "title", plain),
            (_("Organisation"), "organisation_name", plain),
            (_("Organisation type"), "organisation_type", lambda v: org_types.get(v, v)),
            (_("City"), "city", plain),
            (_("Country"), "country", plain),
            (_("E-mail"), "email", plain),
            (_("Language"), "language", plain),
            (_("Role"), "role", lambda v: roles.get(v, v)),
            (_("Dietary needs"), "dietary_needs", plain),
            (_("Accessibility needs"), "accessibility_needs", plain),
            (_("Visa letter"), "needs_visa_letter", yes_no),
            (_("Listed publicly"), "listed_publicly", yes_no),
            (_("Cancelled"), "is_cancelled", yes_no),
            (_("Price"), "price", plain),
            (_("Currency"), "order__currency", plain),
            (_("Voucher"), "voucher__code", lambda v: v or ""),
            (_("Contact e-mail"), "order__email", plain),
            (_("Registered"), "order__created_at", local),
            (_("Paid"), "order__paid_at", local),
        ]

    def rows(self, *, congress, delegates):
        """Header, then one row per delegate: read as plain values (no model instances), the
        answers in one extra query per chunk."""
        questions = list(Question.objects.filter(congress=congress).order_by("position", "id"))
        columns = self.columns(congress)
        yield [str(title) for title, _field, _show in columns] + [q.label for q in questions]
        fields = ["id"] + [field for _title, field, _show in columns]
        values = delegates.values(*fields)
        chunk: list[dict] = []
        for row in values.iterator(chunk_size=2000):
            chunk.append(row)
            if len(chunk) == 2000:
                yield from self._chunk_rows(chunk, columns, questions)
                chunk = []
        yield from self._chunk_rows(chunk, columns, questions)

    def _chunk_rows(self, chunk, columns, questions):
        if not chunk:
            return
        answers: dict[tuple[int, int], str] = {}
        if questions:
            for delegate_id, question_id, value in Answer.objects.filter(
                delegate_id__in=[row["id"] for row in chunk]
            ).values_list("delegate_id", "question_id", "value"):
                answers[(delegate_id, question_id)] = value
        for row in chunk:
            yield [show(row[field]) for _title, field, show in columns] + [
                answers.get((row["id"], q.pk), "") for q in questions
            ]

    def filename(self, congress) -> str:
        stamp = timezone.now().astimezone(congress.tz).strftime("%Y%m%d-%H%M")
        return self.filename_for(f"{congress.slug}-delegates-{stamp}")

    def render(self, *, congress, delegates) -> bytes:
        return self.write(self.rows(congress=congress, delegates=delegates))

    def response(self, *, congress, delegates) -> HttpResponse:
        return self.attachment(
            self.render(congress=congress, delegates=delegates), filename=self.filename(congress)
        )


class DelegateCSVExport(DelegateExport, CSVExporter):
    pass


class DelegateXLSXExport(DelegateExport, XLSXExporter):
    def sheet_title(self) -> str:
        return _("Delegates")


class VoucherCSVExport(CSVExporter):
    """The organisers' vouchers (any filtered set, or one batch) as CSV: one row per voucher
    with its uses, read as plain values; the types in one extra query. Comments are the
    organisers' own text, so they pass through the formula guard like every cell."""

    name = gettext_lazy("Vouchers")

    def rows(self, *, congress, vouchers):
        zone = congress.tz
        kinds = dict(VoucherKind.choices)
        yield [
            _("Code"),
            _("Kind"),
            _("Value"),
            _("Currency"),
            _("Uses"),
            _("Maximum uses"),
            _("Registration types"),
            _("Valid until (%(zone)s)") % {"zone": congress.time_zone},
            _("Active"),
            _("Comment"),
            _("Batch"),
        ]
        types: dict[int, list[str]] = {}
        for voucher_id, name in (
            Voucher.registration_types.through.objects.filter(voucher__congress=congress)
            .order_by("registrationtype__position", "registrationtype__name")
            .values_list("voucher_id", "registrationtype__name")
        ):
            types.setdefault(voucher_id, []).append(name)
        fields = ["pk", "code", "kind", "value", "uses", "max_uses", "valid_until"]
        fields += ["is_active", "comment", "batch"]
        for row in vouchers.prefetch_related(None).values(*fields).iterator(chunk_size=2000):
            yield [
                row["code"],
                kinds.get(row["kind"], row["kind"]),
                row["value"],
                congress.currency if row["kind"] != VoucherKind.PERCENTAGE else "%",
                row["uses"],
                "" if row["max_uses"] is None else row["max_uses"],
                ", ".join(types.get(row["pk"], [])) or _("every type"),
                row["valid_until"].astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if row["valid_until"]
                else "",
                _("yes") if row["is_active"] else _("no"),
                row["comment"],
                row["batch"],
            ]

    def response(self, *, congress, vouchers, batch: str = "") -> HttpResponse:
        stamp = timezone.now().astimezone(congress.tz).strftime("%Y%m%d-%H%M")
        stem = f"{congress.slug}-vouchers-{batch.lower()}-{stamp}" if batch else None
        return self.attachment(
            self.write(self.rows(congress=congress, vouchers=vouchers)),
            filename=self.filename_for(stem or f"{congress.slug}-vouchers-{stamp}"),
        )


EXPORTS: dict[str, DelegateExport] = {
    export.identifier: export for export in (DelegateCSVExport(), DelegateXLSXExport())
}

__all__ = ["EXPORTS", "DelegateCSVExport", "DelegateXLSXExport", "VoucherCSVExport"]


class MemberOrganisationCSVExport(CSVExporter):
    """The member list (filtered as shown) with the columns the import reads back: an export
    imported again changes nothing (the import strips the formula guard's quote)."""

    name = gettext_lazy("Member organisations")

    def rows(self, *, organisations, fields):
        yield list(fields)
        yield from organisations.values_list(*fields).iterator(chunk_size=2000)

    def response(self, *, congress, organisations, fields) -> HttpResponse:
        return self.attachment(
            self.write(self.rows(organisations=organisations, fields=fields)),
            filename=self.filename_for(f"{congress.slug}-members"),
        )
