"""The API's body parsers (``DEFAULT_PARSER_CLASSES``): DRF's, plus the text rule of
``text.py`` on every string of every body, so no endpoint needs a word per field. Text that
breaks the rule is a 400 shaped like a serializer's errors, naming the field; CRLF is read as LF.

Kept apart from ``api.py``: DRF reads this setting while ``rest_framework.views`` loads."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from . import text


def _errors(value: Any, field: str) -> Any:
    """Serializer-shaped errors for the refused text in ``value`` (``None`` when it is clean)."""
    if isinstance(value, str):
        characters = text.forbidden_characters(value)
        return [text.refusal_message(field, characters)] if characters else None
    if isinstance(value, dict):
        found = {}
        for key, item in value.items():
            name = str(key)
            error = _errors(name, name) or _errors(item, name)
            if error:
                found[text.printable(name)] = error
        return found or None
    if isinstance(value, list):
        found = {}
        for index, item in enumerate(value):
            error = _errors(item, f"{field}[{index}]")
            if error:
                found[str(index)] = error
        return found or None
    return None


def checked(data: Any) -> Any:
    """Parsed body data following the rule, or a ``ValidationError`` (400)."""
    if isinstance(data, QueryDict):
        errors = {}
        for key, values in data.lists():
            characters = text.refused_characters_in([key, *values])
            if characters:
                errors[text.printable(key)] = [text.refusal_message(key, characters)]
    else:
        errors = _errors(data, "")
    if errors:
        raise ValidationError(errors)
    return text.normalise_submitted(data)


class TextRuleParser:
    """DRF parser mixin: the parsed data follows the text rule."""

    def parse(self, stream, media_type=None, parser_context=None):
        return checked(super().parse(stream, media_type, parser_context))


class JSONParser(TextRuleParser, parsers.JSONParser):
    pass


class FormParser(TextRuleParser, parsers.FormParser):
    pass


class MultiPartParser(TextRuleParser, parsers.MultiPartParser):
    """Form fields follow the rule; uploaded files are read by the import that takes them."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = parsers.MultiPartParser.parse(self, stream, media_type, parser_context)
        return parsers.DataAndFiles(checked(parsed.data), parsed.files)
