"""The member-organisation list organisers import from CSV (checked for the member rate)."""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress
from events_site.congresses.text import forbidden_characters, refusal_message

from ..errors import RegistrationError
from ..models import MemberOrganisation
from ..models.vouchers import normalise_organisation_name

MAX_ROWS = 50_000


def import_member_organisations(
    *, congress: Congress, csv_text: str, by=None, actor_label: str = "", replace: bool = False
) -> dict:
    """Add (or with ``replace`` swap in) the organisations of a CSV with a ``name`` column
    (optional ``country``, ``reference``). All or nothing: a bad row imports nothing."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    fields = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "name" not in fields:
        raise RegistrationError(_("The CSV file needs a header row with a “name” column."))
    rows: dict[str, MemberOrganisation] = {}
    errors = []
    try:
        read = list(enumerate(reader, start=2))
    except csv.Error as exc:  # e.g. a NUL byte, or a quote left open at the end of the file
        raise RegistrationError(
            _("The CSV file cannot be read (line %(n)s: %(why)s).")
            % {"n": reader.line_num, "why": exc}
        ) from exc
    for line, raw in read:
        if None in raw:  # more cells than the header names
            errors.append(str(_("Line %(n)s has more cells than the header row.") % {"n": line}))
            continue
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        refused = [
            refusal_message(_("line %(n)s, column %(column)s") % {"n": line, "column": col}, found)
            for col, value in row.items()
            if (found := forbidden_characters(value))
        ]
        if refused:
            errors.extend(refused)
            continue
        name = row.get("name", "")
        if not name:
            errors.append(str(_("Line %(n)s: the name is empty.") % {"n": line}))
            continue
        country = row.get("country", "").upper()
        if country and len(country) != 2:
            errors.append(
                str(_("Line %(n)s: the country must be a two-letter code.") % {"n": line})
            )
            continue
        key = normalise_organisation_name(name)
        rows[key] = MemberOrganisation(
            congress=congress,
            name=name[:200],
            normalised_name=key[:200],
            country=country,
            reference=row.get("reference", "")[:60],
        )
        if len(rows) > MAX_ROWS:
            raise RegistrationError(_("The file has too many rows."))
    if errors:
        raise RegistrationError(" ".join(errors[:10]))
    with transaction.atomic():
        removed = 0
        if replace:
            removed, _detail = MemberOrganisation.objects.filter(congress=congress).delete()
        existing = set(
            MemberOrganisation.objects.filter(congress=congress).values_list(
                "normalised_name", flat=True
            )
        )
        new = [row for key, row in rows.items() if key not in existing]
        MemberOrganisation.objects.bulk_create(new, batch_size=1000)
        result = {"added": len(new), "unchanged": len(rows) - len(new), "removed": removed}
        audit.record(
            action="convene.member_list.imported",
            congress=congress,
            actor=by,
            actor_label=actor_label,
            data=result,
        )
    return result
