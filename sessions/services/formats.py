"""A congress's own defaults for the fixed session formats (duration, name, description)."""

from __future__ import annotations

from django.db import transaction

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress

from ..enums import SITE_DEFAULT_MINUTES, SessionFormat
from ..models import FormatSetting
from .programme import _full_clean

# What the organiser's format form edits (its fingerprint refuses a save over another's edit).
FORMAT_EDIT_FIELDS = ("default_minutes", "display_name", "description")


def format_setting_or_default(congress: Congress, format: str) -> FormatSetting:
    """The congress's row for ``format``, or an unsaved one holding the site default."""
    found = FormatSetting.objects.filter(congress=congress, format=format).first()
    return found or FormatSetting(
        congress=congress, format=format, default_minutes=SITE_DEFAULT_MINUTES[format]
    )


def save_format_setting(
    *,
    congress: Congress,
    by,
    format: str,
    default_minutes: int,
    display_name: str = "",
    description: str = "",
    shown_fingerprint: str | None = None,
) -> FormatSetting:
    """Set the congress's default duration (and name, description) of one format; refused
    when someone else changed it since the form was shown. Existing sessions keep their times."""
    format = SessionFormat(format)
    with transaction.atomic():
        current = (
            FormatSetting.objects.select_for_update()
            .filter(congress=congress, format=format)
            .first()
        ) or FormatSetting(
            congress=congress, format=format, default_minutes=SITE_DEFAULT_MINUTES[format]
        )
        refuse_if_changed(current, FORMAT_EDIT_FIELDS, shown_fingerprint)
        before = {name: getattr(current, name) for name in FORMAT_EDIT_FIELDS}
        current.default_minutes = default_minutes
        current.display_name = display_name
        current.description = description
        _full_clean(current, exclude=["congress"])
        current.save()
        audit.record(
            action="convene.agenda.format_changed",
            congress=congress,
            actor=by,
            target=current,
            data={
                "format": str(format),
                "fields": sorted(k for k in FORMAT_EDIT_FIELDS if before[k] != getattr(current, k)),
                "default_minutes": current.default_minutes,
            },
        )
    return current
