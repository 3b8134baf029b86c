"""Post a Django admin form as a browser would: every field (and inline) as the page shows it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import models


def _value(bound) -> list[str] | str | None:
    value = bound.value()
    field = bound.field
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple):
        return [str(item.pk if isinstance(item, models.Model) else item) for item in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return "" if value is None else str(value)


def _add(data: dict, form: forms.BaseForm) -> None:
    for name in form.fields:
        bound = form[name]
        value = _value(bound)
        if value is None:
            continue
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget) and isinstance(value, str):
            parts = value.split(" ", 1) if value else ["", ""]
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = part
            continue
        data[bound.html_name] = value


def form_data(response) -> dict:
    """The data of the admin change (or add) page in ``response``, management forms included."""
    data: dict = {}
    _add(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add(data, formset.management_form)
        for form in formset.forms:
            _add(data, form)
    return data
