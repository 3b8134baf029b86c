"""Copy an earlier congress's set-up into a new (draft) one, as pretix's "copy from event" does.

The core owns the flow and copies its own venues and rooms; every other part is copied by the
app that owns it, through the extension point ``CONGRESS_SETUP_COPIERS`` (dotted paths to
:class:`SetupPart` objects, in dependency order). Each part's ``copy`` fills ``id_maps`` (model
label -> {old id: new id}) so that later parts remap their foreign keys, and returns counts.
Nothing of delegates, orders, sessions or payments is ever a part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from . import audit
from .enums import CongressStatus, Perm
from .errors import DomainError
from .models import Congress, Room, Venue
from .permissions import congresses_with_perm, has_congress_perm
from .services import create_congress

# Model label ("registrations.registrationtype") -> {source row id: copied row id}.
IdMaps = dict[str, dict[int, int]]
Copier = Callable[[Congress, Congress, IdMaps], dict[str, int]]

SETUP_COPIED = "convene.congress.setup_copied"


class SetupCopyRefused(DomainError):
    code = "setup_copy_refused"


@dataclass(frozen=True)
class SetupPart:
    """One part of a congress's set-up that can be copied: its stable ``key`` (in the audit
    entry and the form), what the organiser reads, how to tell that a congress already has it,
    the parts it needs copied with it, and what its counts mean."""

    key: str
    label: str | Promise
    copy: Copier
    exists_in: Callable[[Congress], bool]
    counts: Mapping[str, str | Promise] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    chosen_by_default: bool = True

    def __call__(self, source: Congress, target: Congress, id_maps: IdMaps) -> dict[str, int]:
        return self.copy(source, target, id_maps)


def congress_rows_part(model, *, key: str, label: str | Promise, **options) -> SetupPart:
    """A part that copies every row of ``model`` belonging to the source congress as it is
    (nothing to remap or shift: tracks, tags, member organisations...), counted under ``key``."""

    def copy(source: Congress, target: Congress, id_maps: IdMaps) -> dict[str, int]:
        copies = copy_rows(
            model.objects.filter(congress=source).order_by("pk"),
            lambda row: clone(row, congress_id=target.pk),
            id_maps.setdefault(model._meta.label_lower, {}),
        )
        return {key: len(copies)}

    options.setdefault("counts", {key: label})
    return SetupPart(key=key, label=label, copy=copy, exists_in=has_rows(model), **options)


def day_shift(source: Congress, target: Congress) -> dt.timedelta:
    """How far the copied dates move: the difference between the two first days."""
    return target.start_date - source.start_date


def shift_date(value: dt.date | None, source: Congress, target: Congress) -> dt.date | None:
    return None if value is None else value + day_shift(source, target)


def shift_datetime(
    value: dt.datetime | None, source: Congress, target: Congress
) -> dt.datetime | None:
    """The same wall-clock time, that many days later, in the target's own zone (so 09:00 in
    Seoul stays 09:00 in the new congress's zone, across a change of daylight saving time)."""
    if value is None:
        return None
    local = value.astimezone(source.tz)
    return dt.datetime.combine(
        local.date() + day_shift(source, target), local.time(), tzinfo=target.tz
    )


def has_rows(model, lookup: str = "congress") -> Callable[[Congress], bool]:
    """A part's ``exists_in``: whether the congress has any row of ``model``."""
    return lambda congress: model.objects.filter(**{lookup: congress}).exists()


def clone(row, **overrides):
    """An unsaved copy of ``row``: every concrete field but the primary key, then
    ``overrides`` (the new congress, remapped foreign keys, shifted dates)."""
    model = type(row)
    values = {
        f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key
    }
    values.update(overrides)
    return model(**values)


def copy_rows(rows: Iterable, make: Callable, id_map: dict[int, int] | None = None) -> list:
    """Bulk-create one copy per row (``make(row)`` builds the unsaved copy), recording old id ->
    new id in ``id_map``; returns the copies. One query, whatever the number of rows."""
    rows = list(rows)
    if not rows:
        return []
    made = [make(row) for row in rows]
    copies = type(made[0]).objects.bulk_create(made)
    if id_map is not None:
        id_map.update({row.pk: new.pk for row, new in zip(rows, copies, strict=True)})
    return copies


def _copy_venues(source: Congress, target: Congress, id_maps: IdMaps) -> dict[str, int]:
    venue_map = id_maps.setdefault(Venue._meta.label_lower, {})
    copy_rows(
        Venue.objects.filter(congress=source).order_by("pk"),
        lambda venue: clone(venue, congress_id=target.pk),
        venue_map,
    )
    rooms = copy_rows(
        Room.objects.filter(venue__congress=source).order_by("pk"),
        lambda room: clone(room, venue_id=venue_map[room.venue_id]),
        id_maps.setdefault(Room._meta.label_lower, {}),
    )
    return {"venues": len(venue_map), "rooms": len(rooms)}


VENUES = SetupPart(
    key="venues",
    label=_("Venues and rooms"),
    copy=_copy_venues,
    exists_in=has_rows(Venue),
    counts={"venues": _("Venues"), "rooms": _("Rooms")},
)


@cache
def _app_parts(paths: tuple[str, ...]) -> tuple[SetupPart, ...]:
    return tuple(import_string(path) for path in paths)


def setup_parts() -> tuple[SetupPart, ...]:
    """Every part, in the order they are copied: the core's venues first, then the apps'."""
    return (VENUES, *_app_parts(tuple(getattr(settings, "CONGRESS_SETUP_COPIERS", ()))))


def parts_present(congress: Congress) -> set[str]:
    """The parts ``congress`` already has (those are never copied over)."""
    return {part.key for part in setup_parts() if part.exists_in(congress)}


def copyable_sources(user):
    """The congresses whose set-up ``user`` may copy: those they manage."""
    return congresses_with_perm(user, Perm.MANAGE_CONGRESS).order_by("-start_date", "name")


def _refuse_unless_draft(target: Congress) -> None:
    if target.status != CongressStatus.DRAFT:
        raise SetupCopyRefused(
            _("The set-up can be copied only into a congress that is still a draft."),
            code="not_draft",
        )


def _refuse_unless_allowed(*, source: Congress, target: Congress, by, keys: list[str]) -> None:
    if source.pk == target.pk:
        raise SetupCopyRefused(_("Choose another congress to copy from."))
    for congress in (source, target):
        if by is not None and not has_congress_perm(by, Perm.MANAGE_CONGRESS, congress):
            raise SetupCopyRefused(
                _("You may copy only between congresses you manage."), code="not_allowed"
            )
    _refuse_unless_draft(target)
    known = {part.key: part for part in setup_parts()}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise SetupCopyRefused(_("Unknown parts: %(parts)s.") % {"parts": ", ".join(unknown)})
    if not keys:
        raise SetupCopyRefused(_("Choose at least one part to copy."), code="nothing_chosen")
    for key in keys:
        missing = [known[need].label for need in known[key].needs if need not in keys]
        if missing:
            raise SetupCopyRefused(
                _("%(part)s refer to %(needs)s: copy them too.")
                % {"part": known[key].label, "needs": ", ".join(str(m) for m in missing)},
                code="needs_part",
            )


def copy_setup(*, source: Congress, target: Congress, by, parts: Iterable[str]) -> dict:
    """Copy the chosen ``parts`` of ``source``'s set-up into ``target`` (a draft that has none
    of them yet), all or nothing, with one audit entry on the target. Returns
    ``{part key: {count name: number}}``."""
    keys = list(dict.fromkeys(parts))
    _refuse_unless_allowed(source=source, target=target, by=by, keys=keys)
    chosen = [part for part in setup_parts() if part.key in keys]
    with transaction.atomic():
        target = Congress.objects.select_for_update().get(pk=target.pk)
        _refuse_unless_draft(target)  # read again under the lock
        already = [part for part in chosen if part.exists_in(target)]
        if already:
            raise SetupCopyRefused(
                _("This congress already has %(parts)s: nothing was copied.")
                % {"parts": ", ".join(str(part.label) for part in already)},
                code="already_set_up",
            )
        id_maps: IdMaps = {}
        counts = {part.key: part(source, target, id_maps) for part in chosen}
        if target.copied_from_id is None:  # the first source stays "the last congress"
            Congress.objects.filter(pk=target.pk).update(copied_from=source)
            target.copied_from = source
        audit.record(
            action=SETUP_COPIED,
            congress=target,
            actor=by,
            target=target,
            data={
                "source": source.slug,
                "source_id": source.pk,
                "parts": [part.key for part in chosen],
                "counts": counts,
                "days_shifted": day_shift(source, target).days,
            },
        )
    return counts


def create_congress_with_setup(
    *, organisation, by, source: Congress, parts: Iterable[str], **fields
) -> tuple[Congress, dict]:
    """Create a draft congress and copy ``source``'s set-up into it, in one transaction: a
    failed copy leaves no congress behind."""
    with transaction.atomic():
        congress = create_congress(organisation=organisation, by=by, **fields)
        by.__dict__.pop("_convene_congress_perms", None)
        counts = copy_setup(source=source, target=congress, by=by, parts=parts)
    return congress, counts


def summary(counts: Mapping[str, Mapping[str, int]]) -> list[tuple[str, list[tuple[str, int]]]]:
    """What was copied, for the page: [(part label, [(count label, number), ...]), ...], in the
    parts' own order (PostgreSQL's JSON keeps no key order)."""
    shown = []
    for part in setup_parts():
        numbers = counts.get(part.key)
        if numbers is None:
            continue
        names = [*part.counts, *sorted(set(numbers) - set(part.counts))]
        shown.append(
            (
                str(part.label),
                [(str(part.counts.get(n, n)), numbers[n]) for n in names if n in numbers],
            )
        )
    return shown
