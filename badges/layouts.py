"""Badge layouts: created, changed and deleted only here, each change audited.

The admin calls these today and the organiser pages will; the entry names who changed what,
each changed field before and after.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress

from .models import BadgeLayout

LAYOUT_FIELDS = (
    "name",
    "registration_type",
    "role",
    "is_default",
    "label",
    "band_colour",
    "band_text_colour",
    "back_text",
    "extra_css",
    "position",
)


def save_badge_layout(
    *,
    congress: Congress,
    by=None,
    layout: BadgeLayout | None = None,
    shown_fingerprint: str | None = None,
    **fields: Any,
) -> BadgeLayout:
    """Create a layout (``layout=None``) or change one; the model's own rules run first. An
    unchanged layout writes nothing. ``shown_fingerprint`` (from an organiser's form) refuses
    the save when someone else changed the layout since the form was shown."""
    unknown = set(fields) - set(LAYOUT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown badge layout fields: {sorted(unknown)}")
    with transaction.atomic():
        if layout is None:
            current = BadgeLayout(congress=congress)
        else:
            current = BadgeLayout.objects.select_for_update().get(pk=layout.pk)
            refuse_if_changed(current, LAYOUT_FIELDS, shown_fingerprint)
        changed = audit.changes(current, {"congress": congress, **fields})
        if layout is not None and not changed:
            return current
        current.congress = congress
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit.record(
            action=f"convene.badge_layout.{'created' if layout is None else 'updated'}",
            congress=congress,
            actor=by,
            target=current,
            data={"object": str(current), "changed": changed},
        )
    return current


def delete_badge_layout(*, layout: BadgeLayout, by=None) -> None:
    """Delete a layout: its badges print with the next layout that applies."""
    with transaction.atomic():
        audit.record(
            action="convene.badge_layout.deleted",
            congress=layout.congress,
            actor=by,
            target=layout,
            data={"object": str(layout)},
        )
        layout.delete()
