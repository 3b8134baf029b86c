"""The bases of every form in the project (public, organiser and admin): each text field follows
the text rule of ``text.py``, with a message naming the field, without a word per field."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.http import QueryDict

from . import text


class TextRuleValidator:
    """Refuses a value (a string, or the parsed value of a JSON field) that breaks the rule."""

    def __init__(self, label):
        self.label = label

    def __call__(self, value):
        characters = text.refused_characters_in(value)
        if characters:
            raise ValidationError(
                text.refusal_message(str(self.label), characters), code="control_character"
            )


def _normalised(data):
    """The submitted data with CRLF line ends read as LF (a copy only when one is there)."""
    if isinstance(data, QueryDict):
        if not any("\r" in value for _key, values in data.lists() for value in values):
            return data
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [text.normalise_line_ends(value) for value in values])
        copy._mutable = False
        return copy
    if isinstance(data, dict) and any(isinstance(v, str) and "\r" in v for v in data.values()):
        return {
            key: text.normalise_line_ends(value) if isinstance(value, str) else value
            for key, value in data.items()
        }
    return data


class TextRuleMixin:
    """Before validation: CRLF read as LF, and every ``CharField`` (e-mail, slug, JSON and the
    fields added in ``__init__`` included) refuses control characters."""

    def full_clean(self):
        if self.is_bound:
            self.data = _normalised(self.data)
            for name, field in self.fields.items():
                if isinstance(field, forms.CharField) and not any(
                    isinstance(v, TextRuleValidator) for v in field.validators
                ):
                    field.validators.append(TextRuleValidator(field.label or pretty_name(name)))
        super().full_clean()


class Form(TextRuleMixin, forms.Form):
    pass


class ModelForm(TextRuleMixin, forms.ModelForm):
    pass


class ModelAdmin(admin.ModelAdmin):
    """Django admin's ``ModelAdmin`` with the project's form base."""

    form = ModelForm


class TabularInline(admin.TabularInline):
    form = ModelForm


class StackedInline(admin.StackedInline):
    form = ModelForm
