import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language_info

from ..wallclock import time_label

register = template.Library()


@register.filter
def parse_iso(value: str):
    """An ISO 8601 string from a snapshot or changelog as an aware datetime (None if bad)."""
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@register.filter
def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def clock(value, fmt: str = "H:i") -> str:
    """An aware time in the current time zone as ``fmt`` (default ``H:i``), followed by the
    zone's abbreviation when that reading happens twice: "02:30 CEST", "02:30 CET" (Django's
    ``date:"T"`` leaves ambiguous times without one)."""
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return ""
    return time_label(value, timezone.get_current_timezone(), fmt)


@register.filter
def midday(day, tz) -> dt.datetime | None:
    """Noon of a congress day in its zone: the moment a day tab names, so the time-zone button
    can show which of the visitor's own dates that congress day mostly is."""
    if not isinstance(day, dt.date) or tz is None:
        return None
    return dt.datetime.combine(day, dt.time(12), tzinfo=tz)
