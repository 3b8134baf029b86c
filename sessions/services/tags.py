"""The congress's session tags: create, rename or recolour, delete (detached from sessions)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress

from ..errors import InvalidProgrammeData
from ..models import Session, Tag
from .programme import _full_clean, _reject_unknown

TAG_FIELDS = frozenset({"name", "slug", "colour"})
# What an organiser's tag form edits (its fingerprint refuses a save over another's edit).
TAG_EDIT_FIELDS = ("name", "slug", "colour")


def _duplicate() -> InvalidProgrammeData:
    return InvalidProgrammeData(_("A tag with that slug already exists."))


def create_tag(*, congress: Congress, by, **fields: Any) -> Tag:
    _reject_unknown(fields, TAG_FIELDS)
    try:
        with transaction.atomic():
            tag = Tag(congress=congress, **fields)
            _full_clean(tag, exclude=["congress"])
            tag.save()
            audit.record(
                action="convene.agenda.tag_created",
                congress=congress,
                actor=by,
                target=tag,
                data={"slug": tag.slug, "name": tag.name},
            )
    except IntegrityError as exc:
        raise _duplicate() from exc
    return tag


def update_tag(*, tag: Tag, by, shown_fingerprint: str | None = None, **fields: Any) -> Tag:
    """Change a tag; refused when someone else changed it since the form was shown. Published
    versions keep the name they were published with until the next publication."""
    _reject_unknown(fields, TAG_FIELDS)
    try:
        with transaction.atomic():
            current = Tag.objects.select_for_update().get(pk=tag.pk)
            refuse_if_changed(current, TAG_EDIT_FIELDS, shown_fingerprint)
            changed = sorted(k for k, v in fields.items() if getattr(current, k) != v)
            for name, value in fields.items():
                setattr(current, name, value)
            _full_clean(current, exclude=["congress"])
            current.save()
            audit.record(
                action="convene.agenda.tag_changed",
                congress=current.congress,
                actor=by,
                target=current,
                data={"slug": current.slug, "fields": changed},
            )
    except IntegrityError as exc:
        raise _duplicate() from exc
    return current


def delete_tag(*, tag: Tag, by) -> int:
    """Delete a tag and take it off every session that had it; returns how many sessions."""
    with transaction.atomic():
        current = Tag.objects.select_for_update().get(pk=tag.pk)
        detached = Session.tags.through.objects.filter(tag=current).count()
        audit.record(
            action="convene.agenda.tag_deleted",
            congress=current.congress,
            actor=by,
            target=current,
            data={"slug": current.slug, "name": current.name, "sessions": detached},
        )
        current.delete()
    return detached
