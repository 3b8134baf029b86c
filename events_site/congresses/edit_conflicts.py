"""Two organisers editing the same object: the later save is refused instead of silently
overwriting the earlier one.

A form carries the fingerprint of the object as it was shown (a digest of the fields the form
edits); the service, holding the row lock, compares it with the row as it is now. Nothing needs
a version column, and a save that changes nothing the form shows never conflicts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import DomainError


class EditConflict(DomainError):
    code = "edit_conflict"
    status_code = 409


def _value(instance: models.Model, name: str):
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return instance.serializable_value(name)
    if field.many_to_many:  # the rows it points at, by id (a query unless prefetched)
        return sorted(item.pk for item in getattr(instance, name).all())
    return instance.serializable_value(name)


def fingerprint(instance: models.Model, fields: Iterable[str]) -> str:
    """A digest of ``fields`` of ``instance`` (foreign keys by id, many-to-many fields by their
    sorted ids), stable across processes."""
    values = {name: _value(instance, name) for name in sorted(fields)}
    payload = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def refuse_if_changed(current: models.Model, fields: Iterable[str], shown: str | None) -> None:
    """Raise ``EditConflict`` when ``current`` (re-read under the lock) no longer matches the
    fingerprint the person saw. ``shown=None`` (a caller without a form, e.g. the admin or a
    command) skips the check."""
    if shown is None:
        return
    # (as bytes: compare_digest refuses a str with non-ASCII characters, a 500 on a forged form)
    if not hmac.compare_digest(fingerprint(current, fields).encode(), str(shown).encode()):
        raise EditConflict(
            _(
                "Someone else changed this since you opened it. Your changes were not saved: "
                "reload the page to see the current version, then make your changes again."
            )
        )


class FingerprintField(forms.CharField):
    """The hidden field an edit form carries the fingerprint in."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
