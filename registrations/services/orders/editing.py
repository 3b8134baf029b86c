"""Editing delegates: their own details and answers, never the type or the price."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed

from ... import lifecycle
from ...errors import (
    DeadlinePassed,
    OrderStateError,
    RegistrationError,
)
from ...models import (
    Answer,
    Delegate,
    Order,
)
from ...selectors import registration_settings

DELEGATE_FIELDS = (
    "given_name",
    "family_name",
    "name_order",
    "badge_name",
    "name_latin",
    "title",
    "organisation_name",
    "organisation_type",
    "city",
    "country",
    "email",
    "language",
    "role",
    "dietary_needs",
    "accessibility_needs",
    "needs_visa_letter",
    "listed_publicly",
)


def update_delegate(
    *,
    delegate: Delegate,
    changes: dict,
    answers: dict[int, str] | None = None,
    by=None,
    actor_label: str = "",
    shown: str | None = None,
) -> Delegate:
    """Change a delegate's own details (and answers); never the type or the price.
    ``shown``: the fingerprint of the delegate as an organiser's form showed it (an edit over
    someone else's change is refused with EditConflict); None skips the check."""
    unknown = set(changes) - set(DELEGATE_FIELDS)
    if unknown:
        raise RegistrationError(_("These fields cannot be changed: %(f)s") % {"f": sorted(unknown)})
    with transaction.atomic():
        if shown is not None:
            current = Delegate.objects.select_for_update().get(pk=delegate.pk)
            refuse_if_changed(current, DELEGATE_FIELDS, shown)
        before = {name: str(getattr(delegate, name)) for name in changes}
        for name, value in changes.items():
            setattr(delegate, name, value)
        delegate.full_clean(exclude=["order", "registration_type", "voucher"])
        delegate.save(update_fields=[*changes.keys(), "updated_at"])
        for question_id, value in (answers or {}).items():
            if value in ("", None):
                Answer.objects.filter(delegate=delegate, question_id=question_id).delete()
            else:
                Answer.objects.update_or_create(
                    delegate=delegate, question_id=question_id, defaults={"value": value}
                )
        audit.record(
            action="convene.delegate.updated",
            congress=delegate.order.congress,
            actor=by,
            actor_label=actor_label,
            target=delegate,
            data={
                "changed": {
                    name: [before[name], str(getattr(delegate, name))]
                    for name in changes
                    if before[name] != str(getattr(delegate, name))
                }
            },
        )
    return delegate


def set_delegate_photo(*, delegate: Delegate, photo, by=None, actor_label: str = "") -> Delegate:
    """Give the delegate the photo ``photo`` (a file that passed the upload pipeline) or, with
    None, remove theirs; the replaced file is deleted from the private storage after commit."""
    with transaction.atomic():
        current = Delegate.objects.select_for_update().get(pk=delegate.pk)
        old_name = current.photo.name if current.photo else ""
        if photo is None:
            current.photo = None
        else:
            current.photo.save(photo.name, photo, save=False)
        current.save(update_fields=["photo", "updated_at"])
        audit.record(
            action="convene.delegate.photo_changed" if photo else "convene.delegate.photo_removed",
            congress=current.order.congress,
            actor=by,
            actor_label=actor_label,
            target=current,
        )
        if old_name and old_name != current.photo.name:
            storage = current.photo.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    delegate.photo = current.photo
    return delegate


def edit_deadline(order: Order) -> dt.datetime:
    return registration_settings(order.congress).edit_deadline or order.congress.starts_at


def update_own_delegate(
    *, delegate: Delegate, changes: dict, answers: dict[int, str] | None = None
) -> Delegate:
    """A delegate edits their details through the secret link, until the edit deadline."""
    order = delegate.order
    if timezone.now() > edit_deadline(order):
        raise DeadlinePassed(_("Details can no longer be changed online; contact the organisers."))
    if order.status in lifecycle.ENDED_STATUSES:
        raise OrderStateError(_("This order is no longer active."))
    return update_delegate(
        delegate=delegate, changes=changes, answers=answers, actor_label=order.email
    )
