"""Names shrink to fit, never cut: the font size is computed here, from the real glyph widths.

We wrap the name the way the browser would (at spaces; CJK may break between characters) with
advance widths read from the same Noto fonts WeasyPrint uses, and take the largest size at which
every line fits the width and all lines fit the height. The CSS also allows breaking anywhere,
so a wrong estimate wraps instead of overflowing.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache

from fontTools.ttLib import TTFont

LINE_HEIGHT = 1.12
SAFETY = 0.94  # leave a little room for kerning and shaping differences
_FAMILIES = ("Noto Sans:bold", "Noto Sans Arabic:bold", "Noto Sans Devanagari:bold")


@cache
def _fonts() -> list[tuple[dict, dict, int]]:
    fonts = []
    fc_match = shutil.which("fc-match")
    for family in _FAMILIES:
        if not fc_match:
            break
        path = subprocess.run(  # noqa: S603 - fixed arguments
            [fc_match, "-f", "%{file}", family], capture_output=True, text=True, check=False
        ).stdout.strip()
        if not path.endswith((".ttf", ".otf")):
            continue
        font = TTFont(path, lazy=True)
        fonts.append((font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm))
    return fonts


@cache
def char_width(char: str) -> float:
    """Advance width in em of ``char`` in the badge's bold name font."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    code = ord(char)
    # Shaped Devanagari (conjuncts, vowel signs) comes out wider than the sum of its letters.
    factor = 1.15 if 0x0900 <= code <= 0x097F else 1.0
    for cmap, metrics, units in _fonts():
        glyph = cmap.get(code)
        if glyph is not None:
            return factor * metrics[glyph][0] / units
    return 0.62


def text_width(text: str) -> float:
    return sum(char_width(c) for c in text)


def _is_breakable_anywhere(word: str) -> bool:
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in word)


def _lines(name: str, width_em: float) -> list[float] | None:
    """Greedy line breaking at ``width_em``; None if one unbreakable word is too wide."""
    lines: list[float] = []
    current = 0.0
    space = char_width(" ")
    for word in name.split():
        pieces = list(word) if _is_breakable_anywhere(word) else [word]
        for index, piece in enumerate(pieces):
            w = text_width(piece)
            gap = space if (index == 0 and current) else 0.0
            if current and current + gap + w > width_em:
                lines.append(current)
                current = w
            else:
                current += gap + w
            if current > width_em:
                return None
    lines.append(current)
    return lines


@dataclass(frozen=True)
class NameFit:
    size_pt: float
    lines: int


def fit_name(
    name: str,
    *,
    width_pt: float,
    height_pt: float,
    max_pt: float = 34.0,
    min_pt: float = 9.0,
    max_lines: int = 3,
) -> NameFit:
    """The largest size (in steps of 0.5 pt) at which ``name`` fits the box."""
    usable = width_pt * SAFETY
    size = max_pt
    while size > min_pt:
        lines = _lines(name, usable / size)
        fits = lines is not None and len(lines) <= max_lines
        if fits and len(lines) * size * LINE_HEIGHT <= height_pt:
            return NameFit(size, len(lines))
        size -= 0.5
    lines = _lines(name, usable / min_pt)
    return NameFit(min_pt, len(lines) if lines else max_lines)
