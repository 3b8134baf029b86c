"""Wall-clock times in a congress's zone around daylight-saving changes.

When clocks go back an hour of wall-clock times happens twice (02:30 CEST, then 02:30 CET); when
they go forward an hour never happens. Stored times are UTC instants, so they are never
ambiguous; what is ambiguous is their wall-clock reading, and what can be impossible is a
wall-clock time an organiser types. This module tells them apart, and shows such times with
their offset's name so that a page or an e-mail never reads "02:30 – 02:30".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import formats

AMBIGUOUS = "ambiguous"
NONEXISTENT = "nonexistent"


def wall_clock_kind(naive: dt.datetime, tz: zoneinfo.ZoneInfo) -> str | None:
    """``AMBIGUOUS`` if ``naive`` happens twice in ``tz``, ``NONEXISTENT`` if never, else None."""
    naive = naive.replace(tzinfo=None)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    return AMBIGUOUS if back == naive else NONEXISTENT


def repeats(moment: dt.datetime, tz: zoneinfo.ZoneInfo | None = None) -> bool:
    """Whether the wall-clock reading of the aware ``moment`` (in ``tz``, default its own zone)
    is one that happens twice, so that showing it without its offset is ambiguous."""
    local = moment.astimezone(tz) if tz is not None else moment
    return wall_clock_kind(local, local.tzinfo) == AMBIGUOUS


def aware(naive: dt.datetime, tz: zoneinfo.ZoneInfo, *, fold: int = 0) -> dt.datetime:
    """``naive`` read in ``tz``; ``fold`` picks the first (0) or second (1) of a repeated time."""
    return naive.replace(tzinfo=tz, fold=fold)


def time_label(moment: dt.datetime, tz: zoneinfo.ZoneInfo, fmt: str = "H:i") -> str:
    """``moment`` as wall-clock text in ``tz``, with the zone's abbreviation (CEST / CET) when
    that reading happens twice."""
    local = moment.astimezone(tz)
    text = formats.date_format(local, fmt)
    if repeats(local):
        text += f" {local.tzname()}"
    return text
