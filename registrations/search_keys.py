"""The one normalised form of text that organisers and the check-in desk search (member
organisations, delegates): casefolded, accents dropped, the Latin letters that carry no accent
in Unicode folded too (ø, ł, æ, ß, đ, ı...), punctuation turned into spaces, so "Lefèvre" and
"LEFEVRE" are one key, "Łódź" is "lodz", and a name typed in Cyrillic, Arabic or CJK is kept as
typed. Plain Python, no database function, so the same search works on SQLite and PostgreSQL.

A name written in another script is also kept in Latin letters (``Delegate.name_latin``) as the
person gave it, so the desk finds "فاطمة" by "Fatima"; :func:`suggest_latin_name` proposes one
with ``anyascii`` when the person leaves it empty."""

from __future__ import annotations

import unicodedata

from anyascii import anyascii

# Latin letters that NFKD does not decompose into a base letter and an accent (after casefold).
_LATIN_FOLDS = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ĸ": "k",
        "ŋ": "n",
        "ƒ": "f",
    }
)


def normalise_search_text(text: str) -> str:
    """Casefolded, accent-free, punctuation-light form of ``text`` (NFC)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_LATIN_FOLDS)
    kept = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return unicodedata.normalize("NFC", " ".join(kept.split()))


def is_latin_key(key: str) -> bool:
    """Whether a normalised key is written in plain Latin letters and digits (after folding):
    such a key is matched at the start of words, so "wang" finds "Wang Wei", not "Mwangi"."""
    return key.isascii()


def needs_latin_name(*names: str) -> bool:
    """Whether a name has letters outside the Latin script (Arabic, CJK, Cyrillic...), so the
    registration asks how staff should type it in Latin letters."""
    return any(not is_latin_key(normalise_search_text(name or "")) for name in names)


def _latin_word(word: str) -> str:
    # anyascii writes a CJK name syllable by syllable ("XiuYing"): one capital per word.
    kept = "".join(ch for ch in word if ch.isalnum() or ch in "-'")
    return kept[:1].upper() + kept[1:].lower()


def suggest_latin_name(given_name: str, family_name: str) -> str:
    """A first guess at the name in Latin letters (``anyascii``): right for pinyin, kana,
    hangul and Cyrillic, rough for Greek, Arabic (no vowels) and Japanese kanji, so the person can
    correct it; "" when the name is already in Latin letters."""
    if not needs_latin_name(given_name, family_name):
        return ""
    words = []
    for part in (given_name, family_name):
        words.extend(_latin_word(w) for w in anyascii(part or "").split())
    return " ".join(w for w in words if w)[:200]


# The delegate's fields the organisers' list and the desk search (order code and contact
# e-mail are read from the order itself).
DELEGATE_SEARCH_FIELDS = (
    "given_name",
    "family_name",
    "badge_name",
    "name_latin",
    "email",
    "organisation_name",
    "city",
)


def delegate_search_text(delegate) -> str:
    """What ``Delegate.search_text`` holds: the searched fields, each normalised, one line."""
    return " | ".join(
        normalise_search_text(str(getattr(delegate, name, "") or ""))
        for name in DELEGATE_SEARCH_FIELDS
    )
