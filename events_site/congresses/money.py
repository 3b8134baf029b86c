"""The one money formatter: every amount a person reads goes through ``format_money``.

Babel writes the amount the way the reader's locale does (symbol, its position, grouping,
decimal separator: "€1,320.00", "1 320,00 €", "1.320,00 €") with the currency's own number of
decimals from CLDR (JPY none, EUR two, KWD three). Templates use the ``money`` filter
(``{% load money %}{{ amount|money:congress.currency }}``). Exports and the API keep plain
numbers; only display strings are formatted here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_percent
from django.conf import settings
from django.utils import translation

FALLBACK_LOCALE = "en"


@lru_cache(maxsize=64)
def _parse_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale for a Django language code ("fr", "zh-hans", "pt-br"); the active
    language when none is given, the site's language (then English) when it is unknown."""
    first = language if language else translation.get_language()
    for candidate in (first, settings.LANGUAGE_CODE):
        if candidate and len(candidate) <= 32:
            locale = _parse_locale(candidate)
            if locale is not None:
                return locale
    return Locale.parse(FALLBACK_LOCALE)


def format_money(amount: Decimal, currency: str, *, locale: str | None = None) -> str:
    """``amount`` in ``currency`` as the reader's locale writes it (default: the active language).

    The currency's CLDR digits are shown (``¥1,320``, ``KWD12.500``); a fraction beyond them is
    shown too (``¥10.5``), never rounded away, so a page never states a different amount."""
    return format_currency(
        Decimal(str(amount)),  # through str: a float 0.1 is 0.1, not its binary expansion
        currency.upper(),
        locale=babel_locale(locale),
        decimal_quantization=False,
    )


def format_money_or_blank(amount, currency: str | None, *, locale: str | None = None) -> str:
    """For templates: nothing for a missing amount or one that is not a number."""
    if amount is None or amount == "" or not currency:
        return ""
    try:
        value = Decimal(str(amount))
        return format_money(value, str(currency), locale=locale) if value.is_finite() else ""
    except (ArithmeticError, ValueError, TypeError):  # InvalidOperation, Overflow
        return ""


def format_rate(percent, *, locale: str | None = None) -> str:
    """A tax rate given in percent (``Decimal("7.50")``) as the reader's locale writes a
    percentage: "7.5%", "7,5 %" (French, with its no-break space), "٪7.5"; no trailing zeros."""
    value = Decimal(str(percent)).normalize() / 100
    return format_percent(value, locale=babel_locale(locale), decimal_quantization=False)
