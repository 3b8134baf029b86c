"""The member-organisation list (checked for the member rate): imported from CSV in two steps,
a pure plan the organiser previews and an apply that re-plans under the lock and refuses if the
plan is no longer the one previewed; and the organisers' one-by-one changes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress
from events_site.congresses.text import forbidden_characters, refusal_message

from ..errors import RegistrationError
from ..models import MemberOrganisation
from ..models.vouchers import normalise_organisation_name

MAX_ROWS = 50_000
# The fields an import (and the organisers' form) sets, in the order of the CSV's columns.
MEMBER_FIELDS = ("name", "country", "reference")
LIMITS = {"name": 200, "reference": 60}
# Errors shown in the message of a refused import (the preview page shows them all).
ERRORS_IN_MESSAGE = 10
# The cell writer of our export prefixes these with an apostrophe; a re-import takes it off.
_NEUTRALISED = ("'=", "'+", "'-", "'@")
_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class LineError:
    """One reason the file cannot be imported; ``line`` is the file's line (None: the file)."""

    line: int | None
    message: str


@dataclass(frozen=True)
class PlannedRow:
    line: int
    name: str
    country: str
    reference: str


@dataclass(frozen=True)
class PlannedUpdate:
    line: int
    organisation_id: int
    listed_name: str  # the name on the list now
    before: dict
    after: dict

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for each changed field, in the columns' order."""
        return [(name, self.before[name], self.after[name]) for name in self.after]


@dataclass(frozen=True)
class ListedRow:
    organisation_id: int
    name: str
    country: str
    reference: str


@dataclass
class MemberImportPlan:
    """What an import of ``csv_text`` would change in the congress's list right now."""

    replace: bool
    added: list[PlannedRow] = field(default_factory=list)
    updated: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[PlannedRow] = field(default_factory=list)
    removed: list[ListedRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    digest: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
        }

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class ImportPlanChanged(RegistrationError):
    code = "member_import_changed"


def _dialect(text: str):
    """Excel's CSV (comma) unless the header row says semicolon or tab (Excel in locales
    whose decimal mark is a comma writes semicolons)."""
    header = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(header, delimiters=_DELIMITERS).delimiter
    except csv.Error:  # a single column: no delimiter to find
        delimiter = ","
    dialect = csv.excel
    if delimiter != ",":

        class Sniffed(csv.excel):
            pass

        Sniffed.delimiter = delimiter
        dialect = Sniffed
    return dialect


def _cell(value: str) -> str:
    value = (value or "").strip()
    if value.startswith(_NEUTRALISED):
        value = value[1:]
    return value


def _read_rows(plan: MemberImportPlan, csv_text: str):
    """Yield (line, {field: value}) of each data row with the columns it names; file-level
    and row-level errors go into ``plan.errors``."""
    text = csv_text.lstrip("\ufeff")
    if not text.strip():
        plan.errors.append(LineError(None, _("The file is empty.")))
        return
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        plan.errors.append(
            LineError(
                1, _("The CSV file cannot be read (line %(n)s: %(why)s).") % {"n": 1, "why": exc}
            )
        )
        return
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    if "name" not in columns:
        plan.errors.append(LineError(1, _("The CSV file needs a header row with a “name” column.")))
        return
    index = {name: columns.index(name) for name in MEMBER_FIELDS if name in columns}
    rows = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a NUL byte, a field over the csv module's limit
            plan.errors.append(
                LineError(
                    line,
                    _("The CSV file cannot be read (line %(n)s: %(why)s).")
                    % {"n": line, "why": exc},
                )
            )
            return
        if not cells or not any(cell.strip() for cell in cells):
            continue  # a blank line
        rows += 1
        if rows > MAX_ROWS:
            plan.errors.append(LineError(line, _("The file has too many rows.")))
            return
        if len(cells) > len(columns):
            plan.errors.append(
                LineError(line, _("Line %(n)s has more cells than the header row.") % {"n": line})
            )
            continue
        yield line, {name: _cell(cells[i]) if i < len(cells) else "" for name, i in index.items()}


def _check_row(line: int, row: dict) -> list[str]:
    """The reasons a row cannot be imported (all of them)."""
    problems = [
        refusal_message(_("line %(n)s, column %(column)s") % {"n": line, "column": col}, found)
        for col, value in row.items()
        if (found := forbidden_characters(value))
    ]
    if problems:
        return problems
    if not row["name"] or not normalise_organisation_name(row["name"]):
        problems.append(_("Line %(n)s: the name is empty.") % {"n": line})
    if len(row["name"]) > LIMITS["name"]:
        problems.append(
            _("Line %(n)s: the name is longer than %(limit)s characters.")
            % {"n": line, "limit": LIMITS["name"]}
        )
    if len(row.get("reference", "")) > LIMITS["reference"]:
        problems.append(
            _("Line %(n)s: the member number is longer than %(limit)s characters.")
            % {"n": line, "limit": LIMITS["reference"]}
        )
    country = row.get("country", "")
    if country and (len(country) != 2 or not countries.alpha2(country.upper())):
        problems.append(_("Line %(n)s: the country must be a two-letter code.") % {"n": line})
    return problems


def _digest(csv_text: str, plan: MemberImportPlan) -> str:
    """Names the file and what it would change: equal digests, equal imports."""
    payload = json.dumps(
        {
            "file": hashlib.sha256(csv_text.encode("utf-8", "surrogatepass")).hexdigest(),
            "replace": plan.replace,
            "added": [(r.name, r.country, r.reference) for r in plan.added],
            "updated": [(u.organisation_id, u.before, u.after) for u in plan.updated],
            "removed": [r.organisation_id for r in plan.removed],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def plan_member_import(
    *, congress: Congress, csv_text: str, replace: bool = False
) -> MemberImportPlan:
    """What importing ``csv_text`` (a header row with ``name``, optionally ``country`` and
    ``reference``) would add, update, leave and (with ``replace``) remove, or every error by
    line. Writes nothing. A column the file does not have is left as it is."""
    plan = MemberImportPlan(replace=replace)
    seen: dict[str, int] = {}
    wanted: list[tuple[int, str, dict]] = []
    for line, row in _read_rows(plan, csv_text):
        problems = _check_row(line, row)
        if problems:
            plan.errors.extend(LineError(line, message) for message in problems)
            continue
        row["country"] = row.get("country", "").upper() if "country" in row else None
        key = normalise_organisation_name(row["name"])
        if key in seen:
            plan.errors.append(
                LineError(
                    line,
                    _("Line %(n)s names the same organisation as line %(first)s.")
                    % {"n": line, "first": seen[key]},
                )
            )
            continue
        seen[key] = line
        wanted.append((line, key, row))
    if plan.errors:
        return plan
    listed = {
        row["normalised_name"]: row
        for row in MemberOrganisation.objects.filter(congress=congress).values(
            "id", "name", "normalised_name", "country", "reference"
        )
    }
    for line, key, row in wanted:
        current = listed.get(key)
        if current is None:
            plan.added.append(
                PlannedRow(line, row["name"], row["country"] or "", row.get("reference") or "")
            )
            continue
        after = {
            name: row[name]
            for name in MEMBER_FIELDS
            if row.get(name) is not None and row[name] != current[name]
        }
        if after:
            before = {name: current[name] for name in after}
            plan.updated.append(PlannedUpdate(line, current["id"], current["name"], before, after))
        else:
            plan.unchanged.append(
                PlannedRow(line, current["name"], current["country"], current["reference"])
            )
    if replace:
        plan.removed = [
            ListedRow(row["id"], row["name"], row["country"], row["reference"])
            for key, row in sorted(listed.items(), key=lambda item: item[1]["name"])
            if key not in seen
        ]
    plan.digest = _digest(csv_text, plan)
    return plan


def errors_message(errors: list[LineError]) -> str:
    shown = " ".join(str(error.message) for error in errors[:ERRORS_IN_MESSAGE])
    more = len(errors) - ERRORS_IN_MESSAGE
    if more > 0:
        shown += " " + _("(and %(n)s more)") % {"n": more}
    return shown


def apply_member_import(
    *,
    congress: Congress,
    csv_text: str,
    replace: bool = False,
    previewed_digest: str | None = None,
    by=None,
    actor_label: str = "",
) -> dict[str, int]:
    """Apply the import all or nothing. With ``previewed_digest`` (the preview's), refuse
    with ``ImportPlanChanged`` unless the plan made now, under the lock, is that one."""
    with transaction.atomic():
        Congress.objects.select_for_update().filter(pk=congress.pk).first()
        plan = plan_member_import(congress=congress, csv_text=csv_text, replace=replace)
        if plan.errors:
            raise RegistrationError(errors_message(plan.errors))
        if previewed_digest is not None and plan.digest != previewed_digest:
            raise ImportPlanChanged(
                gettext_lazy(
                    "The file or the member list changed since the preview, so nothing was "
                    "imported. Look at the preview again, then confirm."
                )
            )
        if plan.removed:
            MemberOrganisation.objects.filter(
                congress=congress, pk__in=[row.organisation_id for row in plan.removed]
            ).delete()
        if plan.updated:
            changed = []
            for update in plan.updated:
                organisation = MemberOrganisation(pk=update.organisation_id, congress=congress)
                for name, value in update.after.items():
                    setattr(organisation, name, value)
                organisation.normalised_name = normalise_organisation_name(
                    update.after.get("name", "")
                )
                changed.append((organisation, set(update.after)))
            _update_fields(changed)
        MemberOrganisation.objects.bulk_create(
            [
                MemberOrganisation(
                    congress=congress,
                    name=row.name,
                    normalised_name=normalise_organisation_name(row.name),
                    country=row.country,
                    reference=row.reference,
                )
                for row in plan.added
            ],
            batch_size=1000,
        )
        result = plan.counts
        audit.record(
            action="convene.member_list.imported",
            congress=congress,
            actor=by,
            actor_label=actor_label,
            data={**result, "replace": replace},
        )
    return result


def _update_fields(changed: list[tuple[MemberOrganisation, set[str]]]) -> None:
    """Write each organisation's changed fields, grouped so one statement serves many rows."""
    groups: dict[tuple[str, ...], list[MemberOrganisation]] = {}
    for organisation, fields in changed:
        names = set(fields) | ({"normalised_name"} if "name" in fields else set())
        groups.setdefault(tuple(sorted(names)), []).append(organisation)
    for names, organisations in groups.items():
        MemberOrganisation.objects.bulk_update(organisations, list(names), batch_size=500)


def import_member_organisations(
    *, congress: Congress, csv_text: str, by=None, actor_label: str = "", replace: bool = False
) -> dict[str, int]:
    """Plan and apply in one step (API, admin, command): all or nothing, a bad row imports
    nothing and the error names its line."""
    return apply_member_import(
        congress=congress, csv_text=csv_text, replace=replace, by=by, actor_label=actor_label
    )


# --- one organisation at a time -----------------------------------------------------------


class MemberNameTaken(RegistrationError):
    code = "member_name_taken"


def _name_taken() -> MemberNameTaken:
    return MemberNameTaken(gettext_lazy("This organisation is already on the member list."))


def add_member_organisation(
    *, congress: Congress, by, name: str, country: str = "", reference: str = ""
) -> MemberOrganisation:
    organisation = MemberOrganisation(
        congress=congress, name=name.strip(), country=country.upper(), reference=reference.strip()
    )
    try:
        with transaction.atomic():
            organisation.save()
            audit.record(
                action="convene.member_organisation.created",
                congress=congress,
                actor=by,
                target=organisation,
                data={"name": organisation.name},
            )
    except IntegrityError as exc:
        raise _name_taken() from exc
    return organisation


def update_member_organisation(
    *, organisation: MemberOrganisation, by, shown_fingerprint: str | None = None, **fields
) -> MemberOrganisation:
    """Change the name, country or member number; refused over someone else's change."""
    values = {name: fields[name] for name in MEMBER_FIELDS if name in fields}
    values = {k: (v.upper() if k == "country" else v.strip()) for k, v in values.items()}
    try:
        with transaction.atomic():
            current = MemberOrganisation.objects.select_for_update().get(pk=organisation.pk)
            refuse_if_changed(current, MEMBER_FIELDS, shown_fingerprint)
            changes = audit.changes(current, values)
            for name, value in values.items():
                setattr(current, name, value)
            current.save()
            if changes:
                audit.record(
                    action="convene.member_organisation.updated",
                    congress=current.congress,
                    actor=by,
                    target=current,
                    data={"changes": changes},
                )
    except IntegrityError as exc:
        raise _name_taken() from exc
    return current


def delete_member_organisation(*, organisation: MemberOrganisation, by) -> None:
    with transaction.atomic():
        audit.record(
            action="convene.member_organisation.deleted",
            congress=organisation.congress,
            actor=by,
            target=organisation,
            data={"name": organisation.name, "reference": organisation.reference},
        )
        MemberOrganisation.objects.filter(pk=organisation.pk).delete()
