"""One input per congress language beside each translatable field of an organiser form.

The main language's text stays in the form's own field (its label names the language); each
other language of the congress gets ``<field>__<code>`` right after it, plain inputs that work
without JavaScript, marked "missing" while they are empty and the main text is not. The form's
:func:`translations_from` gives the ``translations`` value its service saves."""

from __future__ import annotations

import copy

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .translations import main_language, merged_translations, other_languages, translation_limit


def language_name(code: str) -> str:
    """The language by its own name ("Français"), as the language menu shows it."""
    try:
        return capfirst(get_language_info(code)["name_local"])
    except KeyError:
        return dict(settings.LANGUAGES).get(code, code)


class TranslationBoundField(BoundField):
    def css_classes(self, extra_classes=None):
        classes = ["translation"]
        if getattr(self.field, "missing", False):
            classes.append("translation-missing")
        extra = extra_classes.split() if hasattr(extra_classes, "split") else extra_classes
        return super().css_classes([*classes, *(extra or [])])


class TranslationField(forms.CharField):
    """One language's text of one field; ``missing`` drives the indicator."""

    bound_field_class = TranslationBoundField

    def __init__(self, *, of: str, language: str, missing: bool = False, **kwargs):
        super().__init__(required=False, **kwargs)
        self.of, self.language, self.missing = of, language, missing


def add_translation_fields(form: forms.BaseForm, *, congress, instance, fields=None) -> None:
    """Insert the other languages' inputs after each of ``fields`` (the instance's
    ``translatable_fields`` by default), filled from ``instance.translations``."""
    fields = tuple(fields or instance.translatable_fields)
    main = language_name(main_language(congress))
    languages = [code for code in other_languages(congress) if code != main_language(congress)]
    form.translation_languages = languages
    arranged = {}
    for name, field in form.fields.items():
        arranged[name] = field
        if name not in fields:
            continue
        base_label = field.label or name
        field.label = _("%(field)s (%(language)s)") % {"field": base_label, "language": main}
        main_text = str(getattr(instance, name, "") or "")
        limit = translation_limit(instance._meta.get_field(name))
        for code in languages:
            written = instance.translation(name, code)
            missing = bool(main_text.strip()) and not written.strip()
            key = f"{name}__{code}"
            widget = copy.deepcopy(field.widget)
            widget.attrs.pop("required", None)
            widget.attrs.update({"lang": code, "dir": "auto"})
            help_text = (
                _("Missing: readers of %(language)s see the %(main)s text.")
                % {"language": language_name(code), "main": main}
                if missing
                else ""
            )
            arranged[key] = TranslationField(
                of=name,
                language=code,
                missing=missing,
                max_length=limit,
                widget=widget,
                label=_("%(field)s (%(language)s)")
                % {"field": base_label, "language": language_name(code)},
                help_text=escape(help_text),
            )
            form.initial.setdefault(key, written)
    form.fields = arranged


def translations_from(form: forms.BaseForm, current: dict | None) -> dict:
    """The ``translations`` value: ``current`` with every language the form offered replaced
    by what was typed (an emptied input removes that text)."""
    merged = dict(current or {})
    by_language: dict[str, dict[str, str]] = {}
    for key, field in form.fields.items():
        if isinstance(field, TranslationField):
            value = form.cleaned_data.get(key) or ""
            by_language.setdefault(field.language, {})[field.of] = value
    for code, values in by_language.items():
        kept = {**(merged.get(code) or {}), **values}
        merged = merged_translations(merged, code, kept)
    return merged
