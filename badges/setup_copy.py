"""The badges' part of a congress's set-up, copied by the core's ``copy_setup``
(``CONGRESS_SETUP_COPIERS``, after the registration types): the badge layouts, each still
assigned to its role or to the copy of its registration type. Badges, print jobs and check-ins
are never copied."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress
from events_site.congresses.setup_copy import IdMaps, SetupPart, clone, copy_rows, has_rows
from registrations.models import RegistrationType

from .models import BadgeLayout


def _copy_layouts(source: Congress, target: Congress, id_maps: IdMaps) -> dict:
    type_map = id_maps.get(RegistrationType._meta.label_lower, {})
    copies = copy_rows(
        BadgeLayout.objects.filter(congress=source).order_by("pk"),
        lambda layout: clone(
            layout,
            congress_id=target.pk,
            registration_type_id=(
                type_map[layout.registration_type_id] if layout.registration_type_id else None
            ),
        ),
        id_maps.setdefault(BadgeLayout._meta.label_lower, {}),
    )
    return {"badge_layouts": len(copies)}


badge_layouts = SetupPart(
    key="badge_layouts",
    label=_("Badge layouts"),
    copy=_copy_layouts,
    exists_in=has_rows(BadgeLayout),
    counts={"badge_layouts": _("Badge layouts")},
    needs=("registration_types",),
)
