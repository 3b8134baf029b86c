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


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return text.normalise_line_ends(value)
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def checked(data: Any) -> Any:
    """Parsed body data following the rule, or a ``ValidationError`` (400)."""
    if isinstance(data, QueryDict):
        errors = {}
        for key, values in data.lists():
            characters = text.refused_characters_in([key, *values])
            if characters:
                errors[text.printable(key)] = [text.refusal_message(key, characters)]
        if errors:
            raise ValidationError(errors)
        if not any("\r" in value for _key, values in data.lists() for value in values):
            return data
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [text.normalise_line_ends(value) for value in values])
        copy._mutable = False
        return copy
    errors = _errors(data, "")
    if errors:
        raise ValidationError(errors)
    return _normalised(data)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return checked(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return checked(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    """Form fields follow the rule; uploaded files are read by the import that takes them."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(checked(parsed.data), parsed.files)
