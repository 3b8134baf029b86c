"""World regions of the UN M49 standard (Europe, Northern Europe, ...) from a delegate's
country, as CLDR records them (``territoryContainment``, vendored from npm ``cldr-core`` by
``scripts/vendor-js.sh``); their names in every language come from Babel's CLDR locale data.

Only CLDR's plain containment is read (the world's five regions and their subregions); its
"grouping" sets (EU, Latin America, Sub-Saharan Africa) and deprecated entries are left out, so
each country sits in exactly one subregion and one region.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from django.utils import translation

DATA = Path(__file__).resolve().parent / "data" / "cldr" / "territoryContainment.json"
WORLD = "001"


@lru_cache(maxsize=1)
def _containment() -> dict[str, list[str]]:
    groups = json.loads(DATA.read_text(encoding="utf-8"))["supplemental"]["territoryContainment"]
    return {
        code: group["_contains"]
        for code, group in groups.items()
        if "-" not in code and group.get("_grouping") != "true"
    }


@lru_cache(maxsize=1)
def hierarchy() -> dict[str, list[str]]:
    """Region code -> its subregion codes, in CLDR's order (Africa, Americas, ...)."""
    contains = _containment()
    return {region: list(contains.get(region, [])) for region in contains[WORLD]}


@lru_cache(maxsize=1)
def _countries_by_area() -> dict[str, frozenset[str]]:
    contains = _containment()
    areas: dict[str, frozenset[str]] = {}
    for region, subregions in hierarchy().items():
        for subregion in subregions:
            areas[subregion] = frozenset(
                code for code in contains.get(subregion, []) if code.isalpha()
            )
        areas[region] = frozenset().union(*(areas[s] for s in subregions))
    return areas


@lru_cache(maxsize=1)
def _area_of_country() -> dict[str, tuple[str, str]]:
    """Country code -> (region code, subregion code)."""
    found: dict[str, tuple[str, str]] = {}
    for region, subregions in hierarchy().items():
        for subregion in subregions:
            for country in _countries_by_area()[subregion]:
                found[country] = (region, subregion)
    return found


def is_area(code: str) -> bool:
    return code in _countries_by_area()


def countries_in(code: str) -> frozenset[str]:
    """ISO 3166 alpha-2 codes of the countries in a region or subregion (empty if unknown)."""
    return _countries_by_area().get(code, frozenset())


def region_of(country: str) -> str | None:
    """The M49 region (e.g. "150", Europe) of a country code, or None."""
    area = _area_of_country().get(str(country or "").upper())
    return area[0] if area else None


def subregion_of(country: str) -> str | None:
    area = _area_of_country().get(str(country or "").upper())
    return area[1] if area else None


@lru_cache(maxsize=32)
def _names(language: str) -> dict[str, str]:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return dict(locale.territories)


def area_name(code: str, language: str | None = None) -> str:
    """The region's name in ``language`` (the active one by default), from CLDR."""
    return _names(language or translation.get_language() or "en").get(code, code)


def area_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Each region followed by its subregions (indented), for a select."""
    choices = []
    for region, subregions in hierarchy().items():
        choices.append((region, area_name(region, language)))
        choices += [(s, "\u2003" + area_name(s, language)) for s in subregions]
    return choices
