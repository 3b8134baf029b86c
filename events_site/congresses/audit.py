"""The audit log: one call per state change, inside the service's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from .models import AuditEntry, Congress


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
    return AuditEntry.objects.create(
        congress=congress,
        actor=user,
        actor_label=actor_label or ("" if user else "system"),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
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
