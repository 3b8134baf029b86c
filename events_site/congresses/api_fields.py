"""Serializer fields and paging every app's API shares, so one rule holds for the whole API."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

from .translations import main_language, merged_translations, translation_limit

OFFSET_REQUIRED = _(
    "Date and time in ISO 8601 with a UTC offset, e.g. 2027-10-31T02:30:00+01:00 or "
    "2027-10-31T01:30:00Z; a time without an offset is refused."
)


UTC_OFFSET_AT_END = re.compile(r"(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2})?)$")
LOCAL_TIME = _("Local time of day in the congress's time zone, HH:MM or HH:MM:SS, no offset.")


class AwareDateTimeField(serializers.DateTimeField):
    """A datetime the API accepts only with a UTC offset (``Z`` or ``+01:00``).

    A wall-clock time alone is ambiguous (which zone? which of the two 02:30 when clocks go
    back?), so it is refused with a 400 that says so instead of being read as UTC. Every model
    ``DateTimeField`` of every API serializer maps to this field (see ``apps.py``)."""

    default_error_messages = {
        "naive": _(
            "Give a UTC offset with the time, e.g. 2027-10-31T02:30:00+01:00 or "
            "2027-10-31T01:30:00Z: a date and time without an offset is ambiguous."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.read_only:
            self.help_text = (
                format_lazy("{} {}", self.help_text, OFFSET_REQUIRED)
                if self.help_text
                else OFFSET_REQUIRED
            )

    def to_internal_value(self, value):
        parsed = value
        if isinstance(value, str):
            parsed = None
            with contextlib.suppress(ValueError, TypeError):
                parsed = parse_datetime(value.strip())
        if isinstance(parsed, dt.datetime) and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "09:00:00",
        "description": LOCAL_TIME,
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of day in the congress's own zone (a room's opening hours): written
    ``HH:MM[:SS]`` without an offset, which would mean nothing for a daily time (and could not
    be stored)."""

    default_error_messages = {
        "offset": _("Give the local time without a UTC offset, e.g. 09:00 or 18:30:00."),
    }

    def to_internal_value(self, value):
        # Django's parser drops an offset silently ("09:00+05:00" would become 09:00).
        if isinstance(value, str) and UTC_OFFSET_AT_END.search(value.strip()):
            self.fail("offset")
        return super().to_internal_value(value)


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` paging with a ceiling: a larger ``limit`` gets ``max_limit`` rows
    (a huge number never reaches the database, where it overflowed into a 500)."""

    default_limit = 100
    max_limit = 1000


class TranslationsOf(serializers.DictField):
    """``<field>_translations``: every language's text of one translatable field, the main
    language's included (``{"en": "…", "fr": "…"}``). Written, it replaces the languages it
    names (an empty text removes one); the main language's entry sets the field itself."""

    def __init__(self, of: str, *, max_length: int, **kwargs):
        self.of = of
        kwargs.setdefault("help_text", _("The text in each language, by language code."))
        super().__init__(
            child=serializers.CharField(allow_blank=True, max_length=max_length),
            required=False,
            source="*",
            **kwargs,
        )

    def to_representation(self, instance):
        return instance.field_translations(self.of, translation_main(self.parent, instance))

    def to_internal_value(self, data):
        return {f"{self.of}_translations": super().to_internal_value(data)}


def translation_main(serializer, instance=None) -> str:
    congress = serializer.context.get("congress")
    if congress is None and instance is not None:
        congress = getattr(instance, "congress", instance)
    if congress is None and serializer.instance is not None:
        congress = getattr(serializer.instance, "congress", serializer.instance)
    return main_language(congress)


class TranslatedSerializerMixin:
    """Adds ``<field>_translations`` for each of the model's ``translatable_fields`` and keeps
    the raw ``translations`` column out of the API; :meth:`validate` folds what was sent back
    into the field and ``translations`` for the service."""

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("translations", None)
        model = self.Meta.model
        for name in model.translatable_fields:
            if name in fields:
                limit = translation_limit(model._meta.get_field(name))
                fields[f"{name}_translations"] = TranslationsOf(name, max_length=limit)
        return fields

    def to_internal_value(self, data):
        """The main language's entry of ``<field>_translations`` stands for ``<field>`` when
        that is not sent (so a client may send every language in one object)."""
        if isinstance(data, dict) and not hasattr(data, "getlist"):  # JSON, not a form post
            main = translation_main(self)
            data = dict(data)
            for name in self.Meta.model.translatable_fields:
                texts = data.get(f"{name}_translations")
                if isinstance(texts, dict) and main in texts and name not in data:
                    data[name] = texts[main]
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        sent = {
            name: attrs.pop(f"{name}_translations")
            for name in self.Meta.model.translatable_fields
            if f"{name}_translations" in attrs
        }
        if not sent:
            return attrs
        main = translation_main(self)
        congress = self.context.get("congress") or getattr(self.instance, "congress", self.instance)
        allowed = set(congress.languages or []) if congress is not None else set()
        current = dict(getattr(self.instance, "translations", None) or {})
        by_language: dict[str, dict[str, str]] = {}
        for name, texts in sent.items():
            for code, value in texts.items():
                if code not in allowed:
                    raise serializers.ValidationError(
                        {
                            f"{name}_translations": [
                                _("This congress is not held in “%(code)s”.") % {"code": code}
                            ]
                        }
                    )
                if code == main:
                    attrs.setdefault(name, value)
                else:
                    by_language.setdefault(code, {})[name] = value
        for code, values in by_language.items():
            current = merged_translations(current, code, {**(current.get(code) or {}), **values})
        attrs["translations"] = current
        return attrs
