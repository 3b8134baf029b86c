"""The one way a delegate's full name is written: given and family name in the order of the
name's culture (family name first for Chinese, Japanese, Korean, Hungarian and Vietnamese
names), or as the delegate chose. Badges, lists, e-mails and PDFs all read
``Delegate.full_name``, which comes from here."""

from __future__ import annotations

import unicodedata

from .enums import NameOrder

# Where a name is written family name first (ISO 3166 codes): China, Taiwan, Hong Kong, Macao,
# Japan, both Koreas, Hungary, Viet Nam.
FAMILY_FIRST_COUNTRIES = frozenset({"CN", "TW", "HK", "MO", "JP", "KR", "KP", "HU", "VN"})
# Scripts written family name first and without a space between the parts.
_EAST_ASIAN_PREFIXES = ("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL")


def _is_east_asian(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(
        unicodedata.name(ch, "").startswith(_EAST_ASIAN_PREFIXES) for ch in letters
    )


def family_name_first(given_name: str, family_name: str, *, country: str = "", order: str) -> bool:
    """Whether the family name comes first: the delegate's choice, else the script (Han, kana,
    hangul), else the country they give."""
    if order == NameOrder.FAMILY_FIRST:
        return True
    if order == NameOrder.GIVEN_FIRST:
        return False
    if _is_east_asian(f"{given_name}{family_name}"):
        return True
    return str(country or "").upper() in FAMILY_FIRST_COUNTRIES


def full_name(given_name: str, family_name: str, *, country: str = "", order: str) -> str:
    """Both parts in their order; a name in Han, kana or hangul is written without a space
    ("王伟", not "伟 王")."""
    given, family = (given_name or "").strip(), (family_name or "").strip()
    parts = (
        (family, given)
        if family_name_first(given, family, country=country, order=order)
        else (given, family)
    )
    joiner = "" if _is_east_asian(f"{given}{family}") else " "
    return joiner.join(part for part in parts if part)
