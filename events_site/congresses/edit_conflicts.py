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
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import DomainError


class EditConflict(DomainError):
    code = "edit_conflict"
    status_code = 409


def fingerprint(instance: models.Model, fields: Iterable[str]) -> str:
    """A digest of ``fields`` of ``instance`` (foreign keys by id), stable across processes."""
    values = {name: instance.serializable_value(name) for name in sorted(fields)}
    payload = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def refuse_if_changed(current: models.Model, fields: Iterable[str], shown: str | None) -> None:
    """Raise ``EditConflict`` when ``current`` (re-read under the lock) no longer matches the
    fingerprint the person saw. ``shown=None`` (a caller without a form, e.g. the admin or a
    command) skips the check."""
    if shown is None:
        return
    if not hmac.compare_digest(fingerprint(current, fields), str(shown)):
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
