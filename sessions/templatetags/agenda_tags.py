import datetime as dt

from django import template
from django.utils.translation import get_language_info

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
