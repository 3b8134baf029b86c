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
