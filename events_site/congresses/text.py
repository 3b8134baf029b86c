"""The one rule for text, where it comes in and where it goes out.

Text may hold every character a person can type, in any script, except control characters
(Unicode category Cc: C0, DEL and C1) other than TAB and LF, lone surrogates and the
noncharacters U+FFFE/U+FFFF: XLSX, XML and strict iCalendar readers refuse them. A CRLF line end
(what browsers send from a textarea) is read as LF. Forms, API parsers and CSV imports refuse
text that breaks the rule, with ``refusal_message`` naming the field; every exporter
writes stored text through ``printable`` so rows saved before the rule still give files every
reader opens.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import ngettext

# C0 except TAB and LF, DEL, C1, lone surrogates, U+FFFE and U+FFFF.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A cell starting with one of these could run as a formula in a spreadsheet (a CR is LF by then).
_FORMULA_START = ("=", "+", "-", "@", "\t")


def normalise_line_ends(text: str) -> str:
    """CRLF read as LF; a lone CR is left for the rule to refuse."""
    return text.replace("\r\n", "\n") if "\r" in text else text


def forbidden_characters(text: str) -> list[str]:
    """The characters of ``text`` the rule refuses, each once, in order of appearance
    (read after line-end normalisation)."""
    return list(dict.fromkeys(_NOT_TEXT.findall(normalise_line_ends(text))))


def _code_points(characters: list[str]) -> str:
    return ", ".join(f"U+{ord(char):04X}" for char in characters)


def refusal_message(field: str, characters: list[str]) -> str:
    """The one message for text that breaks the rule, naming the field and the characters."""
    return ngettext(
        "“%(field)s” contains an invisible control character (%(characters)s). "
        "Remove it and try again.",
        "“%(field)s” contains invisible control characters (%(characters)s). "
        "Remove them and try again.",
        len(characters),
    ) % {"field": field, "characters": _code_points(characters)}


def refused_characters_in(value: Any) -> list[str]:
    """The refused characters anywhere in a parsed value (strings inside lists and dicts,
    keys too): for fields whose value is JSON."""
    found: list[str] = []
    if isinstance(value, str):
        found = forbidden_characters(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += refused_characters_in(key) + refused_characters_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found += refused_characters_in(item)
    return list(dict.fromkeys(found))


def normalise_submitted(data: Any) -> Any:
    """Submitted data (a ``QueryDict``, a dict of form data or parsed JSON) with CRLF line ends
    read as LF in every string; a ``QueryDict`` stays one (immutable), copied only if needed."""
    if isinstance(data, MultiValueDict):  # QueryDict included
        if not any(isinstance(v, str) and "\r" in v for _k, vs in data.lists() for v in vs):
            return data
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [normalise_submitted(value) for value in values])
        if isinstance(copy, QueryDict):
            copy._mutable = False
        return copy
    if isinstance(data, str):
        return normalise_line_ends(data)
    if isinstance(data, dict):
        return {key: normalise_submitted(value) for key, value in data.items()}
    if isinstance(data, list):
        return [normalise_submitted(value) for value in data]
    return data


def printable(value: Any) -> str:
    """Stored text made safe for any file format: line ends as LF, refused characters dropped.
    TAB, LF, markup and every script pass unchanged."""
    text = "" if value is None else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_TEXT.sub("", text)


def printable_tree(value: Any) -> Any:
    """``printable`` applied to every string of a JSON-like value (keys too)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_tree(k): printable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_tree(item) for item in value]
    return value


def spreadsheet_text(value: Any) -> str:
    """A CSV/XLSX cell from stored text: ``printable``, then a leading formula character
    neutralised with an apostrophe (CSV injection). The one cell writer of every export."""
    text = printable(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
