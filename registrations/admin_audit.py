"""Audit entries for configuration edited in the Django admin (vouchers, questions).

Services write their own entries; these rows have no service of their own, so the admin
records what it changed: created, updated (each changed field, before and after, the types a
row is limited to included) and deleted, by whom, in the admin's own transaction.
"""

from __future__ import annotations

from django import forms
from django.db import models

from events_site.congresses import audit


def _before(form: forms.ModelForm, name: str):
    """The initial value as the user saw it: a related row rather than its primary key."""
    value = form.initial.get(name)
    field = form.fields[name]
    if (
        isinstance(field, forms.ModelChoiceField)
        and not isinstance(field, forms.ModelMultipleChoiceField)
        and value not in (None, "")
        and not isinstance(value, models.Model)
    ):
        return field.queryset.filter(pk=value).first()
    return value


class AuditedAdmin:
    """Mix into a ModelAdmin of a model with a ``congress``; set ``audit_action``."""

    audit_action = ""  # e.g. "convene.voucher": ".created", ".updated", ".deleted" follow

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # many-to-many saved by now
        obj = form.instance
        changed = {
            name: [audit.shown(_before(form, name)), audit.shown(form.cleaned_data.get(name))]
            for name in form.changed_data
        }
        if change and not changed:
            return
        audit.record(
            action=f"{self.audit_action}.{'updated' if change else 'created'}",
            congress=obj.congress,
            actor=request.user,
            target=obj,
            data={"object": str(obj), "changed": changed},
        )

    def delete_model(self, request, obj):
        self._record_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("congress"):
            self._record_deleted(request, obj)
        super().delete_queryset(request, queryset)

    def _record_deleted(self, request, obj) -> None:
        audit.record(
            action=f"{self.audit_action}.deleted",
            congress=obj.congress,
            actor=request.user,
            target=obj,
            data={"object": str(obj)},
        )
