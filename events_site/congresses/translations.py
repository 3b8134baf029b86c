"""Organisers' content in several languages: one JSON sidecar per model, one accessor.

A translatable model keeps its own columns (``name``, ``description``...) for the congress's
main language (``congress.languages[0]``), so every query, sort, search, export and audit that
reads them keeps working, and adds ``translations``: ``{"fr": {"name": "…"}, "es": {…}}``.
:meth:`Translatable.translated` reads a field in a language and falls back to the main
language's text when that language has none (or only blanks). Reading costs no query.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import text

# A translated value may be no longer than its own column; text columns without a limit get this.
TEXT_TRANSLATION_LIMIT = 10000


def language_code(language: str | None) -> str:
    """The code translations are stored under: the active language when none is given."""
    return (language or translation.get_language() or settings.LANGUAGE_CODE).lower()


def main_language(congress) -> str:
    """The language a congress's own columns are written in: the first of its languages."""
    return (congress.languages or [settings.LANGUAGE_CODE])[0]


def other_languages(congress) -> list[str]:
    """The congress's languages that are kept in ``translations`` (all but the main one)."""
    return list(dict.fromkeys(code for code in (congress.languages or [])[1:]))


def pick_translation(translations: dict | None, field: str, language: str | None, main: str) -> str:
    """``field``'s text in ``language`` (or its base language: "pt" for "pt-br") from a
    ``translations`` mapping, else ``main`` (the main language's text)."""
    code = language_code(language)
    for candidate in dict.fromkeys((code, code.split("-")[0])):
        value = ((translations or {}).get(candidate) or {}).get(field)
        if isinstance(value, str) and value.strip():
            return value
    return main


def texts_by_language(translations: dict | None, field: str, main: str, main_text: str) -> dict:
    """Every language's text of ``field``, the main language's (``main_text``) under ``main``:
    what the API and the JSON feed return as ``<field>_translations``."""
    found = {main: main_text}
    for code, fields in sorted((translations or {}).items()):
        value = (fields or {}).get(field)
        if code != main and isinstance(value, str) and value.strip():
            found[code] = value
    return found


class TranslatedValues:
    """The same reading for plain objects that carry a ``translations`` mapping (a published
    programme's sessions and tracks, parsed from their snapshot)."""

    translatable_fields: tuple[str, ...] = ()

    def translated(self, field: str, language: str | None = None) -> str:
        main = getattr(self, field)
        return pick_translation(getattr(self, "translations", None), field, language, main)


def validate_translations(value: Any) -> None:
    """A mapping of known language codes to mappings of field names to text, without the
    characters the text rule refuses."""
    if not isinstance(value, dict):
        raise ValidationError(_("Translations must be an object."), code="invalid")
    known = {code for code, _name in settings.LANGUAGES}
    for code, fields in value.items():
        if code not in known:
            raise ValidationError(
                _("Unknown language code: %(code)s."), params={"code": code}, code="invalid"
            )
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise ValidationError(
                _("The translations into %(code)s must map field names to text."),
                params={"code": code},
                code="invalid",
            )
    characters = text.refused_characters_in(value)
    if characters:
        raise ValidationError(
            text.refusal_message(str(_("translations")), characters), code="control_character"
        )


def translation_limit(model_field: models.Field) -> int:
    return model_field.max_length or TEXT_TRANSLATION_LIMIT


class Translatable(models.Model):
    """The mixin of every model whose organiser-written text is read in several languages;
    ``translatable_fields`` names those columns."""

    translatable_fields: tuple[str, ...] = ()

    translations = models.JSONField(
        _("translations"), default=dict, blank=True, validators=[validate_translations]
    )

    class Meta:
        abstract = True

    def translation(self, field: str, language: str) -> str:
        """The text written for ``language`` alone ("" when missing), no fallback."""
        fields = (self.translations or {}).get(language_code(language)) or {}
        value = fields.get(field, "")
        return value if isinstance(value, str) else ""

    def translated(self, field: str, language: str | None = None) -> str:
        """``field`` in ``language`` (the active one by default), else in the main language."""
        if field not in self.translatable_fields:
            raise ValueError(f"{type(self).__name__}.{field} is not translatable")
        return pick_translation(self.translations, field, language, getattr(self, field))

    def field_translations(self, field: str, main: str) -> dict[str, str]:
        """Every language's text of ``field``, the main language's from its own column: what
        the API returns as ``<field>_translations``."""
        return texts_by_language(self.translations, field, main, getattr(self, field))

    def missing_translations(self, languages: list[str]) -> dict[str, list[str]]:
        """For each of ``languages``, the translatable fields that have text in the main
        language but none in that one: the organiser forms' and lists' indicator."""
        missing = {}
        for code in languages:
            gaps = [
                field
                for field in self.translatable_fields
                if str(getattr(self, field) or "").strip()
                and not self.translation(field, code).strip()
            ]
            if gaps:
                missing[code] = gaps
        return missing

    def clean(self) -> None:
        super().clean()
        problems = []
        for code, fields in (self.translations or {}).items():
            if not isinstance(fields, dict):
                continue
            for field, value in fields.items():
                if field not in self.translatable_fields:
                    problems.append(
                        ValidationError(
                            _("“%(field)s” is not a translatable field."),
                            params={"field": field},
                            code="invalid",
                        )
                    )
                    continue
                limit = translation_limit(self._meta.get_field(field))
                if isinstance(value, str) and len(value) > limit:
                    problems.append(
                        ValidationError(
                            _(
                                "The %(language)s text of “%(field)s” is longer than "
                                "%(limit)d characters."
                            ),
                            params={
                                "language": code,
                                "field": self._meta.get_field(field).verbose_name,
                                "limit": limit,
                            },
                            code="max_length",
                        )
                    )
        if problems:
            raise ValidationError({"translations": problems})


def merged_translations(current: dict | None, language: str, fields: dict[str, str]) -> dict:
    """``current`` with ``language``'s texts replaced by ``fields`` (blank ones dropped)."""
    merged = {code: dict(values) for code, values in (current or {}).items()}
    kept = {name: value for name, value in fields.items() if value.strip()}
    if kept:
        merged[language] = kept
    else:
        merged.pop(language, None)
    return merged
