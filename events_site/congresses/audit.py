"""The audit log: one call per state change, inside the service's transaction.

Entries are append-only (the model, its queryset and a database trigger refuse changes). They
carry ids and codes rather than names where they can; :func:`redact` is the one way to take a
person's text out of entries already written (erasure), and it leaves who, what and when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, Congress


def _storable(value: Any) -> Any:
    """NUL, which PostgreSQL cannot store in text or JSON, as U+FFFD, so that hostile input
    never makes the audit entry (and with it the service's transaction) fail."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(str(key)): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def record(
    *,
    action: str,
    congress: Congress | None = None,
    actor=None,
    actor_label: str = "",
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write an audit entry. ``action`` is dotted, e.g. ``convene.registration.cancelled``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label or (user.get_username() if user else "system")
    return AuditEntry.objects.create(
        congress=congress,
        congress_slug=congress.slug if congress is not None else "",
        actor=user,
        actor_label=_storable(label)[:150],
        action=_storable(action)[:120],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=_storable(data or {}),
    )


def shown(value) -> str | list[str]:
    """A JSON-friendly form of a field's value (rows by their text, lists item by item)."""
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(item) for item in value)
    if value is None:
        return ""
    return str(value)


def changes(instance: models.Model, fields: Mapping[str, Any]) -> dict[str, list]:
    """Each of ``fields`` whose value differs from ``instance``'s, as ``[before, after]``.
    Call before the new values are set."""
    return {
        name: [shown(getattr(instance, name, None)), shown(value)]
        for name, value in fields.items()
        if getattr(instance, name, None) != value
    }


EXPORT_DOWNLOADED = "convene.export.downloaded"


def record_export(
    *,
    congress: Congress,
    actor,
    export: str,
    fmt: str,
    rows: int,
    filters: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """A download of personal data: which export (its identifier), in which format, with which
    filters (as given in the query string, empty ones left out) and how many rows."""
    return record(
        action=EXPORT_DOWNLOADED,
        congress=congress,
        actor=actor,
        data={
            "export": export,
            "format": fmt,
            "rows": rows,
            "filters": {str(k): str(v)[:200] for k, v in (filters or {}).items() if v},
        },
    )


def _replaced(value, replacements: Mapping[str, str]):
    if isinstance(value, str):
        for old, new in replacements.items():
            if old:
                value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replaced(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, replacements) for key, item in value.items()}
    return value


def redact(
    *,
    entries: models.QuerySet,
    replacements: Mapping[str, str],
    congress: Congress | None = None,
    by=None,
    reason: str = "",
) -> int:
    """Replace each of ``replacements``' texts (a person's name, e-mail) by its pseudonym in
    ``entries``' data and actor label, stamping ``redacted_at``; who, what and when of an entry
    never change (the database trigger allows nothing else). Writes one entry of its own
    (``convene.audit.redacted``) and returns how many entries changed."""
    return redact_with(
        entries=entries,
        transform=lambda value: _replaced(value, replacements),
        congress=congress,
        by=by,
        reason=reason,
    )


def redact_with(
    *,
    entries: models.QuerySet,
    transform,
    congress: Congress | None = None,
    by=None,
    reason: str = "",
) -> int:
    """Like :func:`redact`, with ``transform`` applied to each entry's data and actor label
    (erasure replaces every text it copied); returns how many entries changed."""
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        rows: Iterable = entries.values_list("pk", "data", "actor_label")
        for pk, data, label in list(rows):
            new_data, new_label = transform(data), transform(label)
            if new_data == data and new_label == label:
                continue
            changed += AuditEntry.objects.filter(pk=pk)._redact(
                data=new_data, actor_label=new_label[:150], redacted_at=now
            )
        if changed:
            record(
                action="convene.audit.redacted",
                congress=congress,
                actor=by,
                data={"entries": changed, "reason": reason[:200]},
            )
    return changed
