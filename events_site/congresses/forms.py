"""The bases of every form in the project (public, organiser and admin): each text field follows
the text rule of ``text.py``, with a message naming the field, without a word per field."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import pretty_name
from django.utils.translation import gettext_lazy as _

from . import text
from .uploads import ImageUploadField, upload_formfield


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


class TextRuleMixin:
    """Before validation: CRLF read as LF, and every ``CharField`` (e-mail, slug, JSON and the
    fields added in ``__init__`` included) refuses control characters. Required fields' labels
    carry the class ``required``: the stylesheet marks them before anyone submits."""

    required_css_class = "required"

    def full_clean(self):
        if self.is_bound:
            self.data = text.normalise_submitted(self.data)
            for name, field in self.fields.items():
                if isinstance(field, forms.CharField) and not any(
                    isinstance(v, TextRuleValidator) for v in field.validators
                ):
                    field.validators.append(TextRuleValidator(field.label or pretty_name(name)))
        super().full_clean()


class Form(TextRuleMixin, forms.Form):
    pass


class LocalDateTimeInput(forms.DateTimeInput):
    """A browser's date and time picker (no zone: the form reads it in the current zone)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class _ModelFormMetaclass(forms.models.ModelFormMetaclass):
    """Every model form's image fields go through the one upload pipeline (uploads.py), unless
    its ``Meta`` names its own ``formfield_callback`` (the admin's: ``formfield_overrides``)."""

    def __new__(mcs, name, bases, attrs):
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(upload_formfield)
        return super().__new__(mcs, name, bases, attrs)


class ModelForm(TextRuleMixin, forms.ModelForm, metaclass=_ModelFormMetaclass):
    pass


class ModelAdmin(admin.ModelAdmin):
    """Django admin's ``ModelAdmin`` with the project's form base."""

    form = ModelForm
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}


class TabularInline(admin.TabularInline):
    form = ModelForm
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}


class StackedInline(admin.StackedInline):
    form = ModelForm
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}


class CongressSecurityForm(Form):
    """The owner's security settings of one congress (the "Security" organiser page)."""

    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in for the whole team"),
        required=False,
        help_text=_(
            "Team members without a second factor are asked to set one up before any organiser "
            "page or API call of this congress (scanner apps with API tokens are not affected)."
        ),
    )
