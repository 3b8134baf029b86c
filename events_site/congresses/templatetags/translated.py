"""``{% load translated %}{{ rtype|translated:"name" }}``: an organiser-written field in the
reader's language (the active one), falling back to the congress's main language. Anything
without translations (a plain value, a snapshot row of older data) shows its field as it is."""

from django import template

register = template.Library()


@register.filter
def translated(obj, field: str):
    if obj is None or obj == "":
        return ""
    reader = getattr(obj, "translated", None)
    if reader is not None:
        return reader(field)
    if isinstance(obj, dict):
        return obj.get(field, "")
    return getattr(obj, field, "")


@register.filter
def translated_choice(question, value: str) -> str:
    """A choice question's stored answer (the main language's choice) in the reader's."""
    reader = getattr(question, "choice_in_language", None)
    return reader(value) if reader is not None else value
