"""Merging two speaker records of the same person: the survivor keeps its code and takes the
duplicate's sessions, contributions, delegate link and the details it lacks; the duplicate goes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from events_site.congresses import audit

from ..errors import InvalidProgrammeData
from ..models import Contribution, SessionSpeaker, Speaker

FILLED_FIELDS = ("title", "organisation", "city", "country", "bio")


@dataclass
class MergePlan:
    """What a merge will change, shown before the organiser confirms (and what it did)."""

    survivor: Speaker
    duplicate: Speaker
    moved_roles: list[SessionSpeaker] = field(default_factory=list)
    dropped_roles: list[SessionSpeaker] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    filled: dict[str, str] = field(default_factory=dict)
    takes_delegate: bool = False


def plan_merge(*, survivor: Speaker, duplicate: Speaker) -> MergePlan:
    if survivor.pk == duplicate.pk:
        raise InvalidProgrammeData(_("Choose two different speakers."))
    if survivor.congress_id != duplicate.congress_id:
        raise InvalidProgrammeData(_("That speaker belongs to another congress."))
    plan = MergePlan(survivor, duplicate)
    kept = set(SessionSpeaker.objects.filter(speaker=survivor).values_list("session_id", flat=True))
    for role in (
        SessionSpeaker.objects.filter(speaker=duplicate)
        .select_related("session")
        .order_by("session__starts_at", "session__code")
    ):
        (plan.dropped_roles if role.session_id in kept else plan.moved_roles).append(role)
    plan.contributions = list(
        Contribution.objects.filter(speakers=duplicate).select_related("session").order_by("id")
    )
    for name in FILLED_FIELDS:
        if not getattr(survivor, name) and getattr(duplicate, name):
            plan.filled[name] = str(getattr(duplicate, name))
    plan.takes_delegate = bool(duplicate.delegate_id and not survivor.delegate_id)
    return plan


def merge_speakers(*, survivor: Speaker, duplicate: Speaker, by) -> MergePlan:
    """Re-point the duplicate's session roles and contributions to the survivor (a session that
    has both keeps the survivor's role), fill the survivor's empty details, delete the duplicate."""
    with transaction.atomic():
        survivor = Speaker.objects.select_for_update().get(pk=survivor.pk)
        duplicate = Speaker.objects.select_for_update().get(pk=duplicate.pk)
        plan = plan_merge(survivor=survivor, duplicate=duplicate)
        SessionSpeaker.objects.filter(pk__in=[r.pk for r in plan.dropped_roles]).delete()
        SessionSpeaker.objects.filter(pk__in=[r.pk for r in plan.moved_roles]).update(
            speaker=survivor
        )
        for contribution in plan.contributions:
            contribution.speakers.remove(duplicate)
            contribution.speakers.add(survivor)
        for name in plan.filled:
            setattr(survivor, name, getattr(duplicate, name))
        if plan.takes_delegate:
            survivor.delegate_id = duplicate.delegate_id
        survivor.save()
        audit.record(
            action="convene.agenda.speakers_merged",
            congress=survivor.congress,
            actor=by,
            target=survivor,
            data={
                "survivor": survivor.code,
                "duplicate": duplicate.code,
                "duplicate_name": duplicate.name,
                "sessions": sorted(r.session.code for r in plan.moved_roles),
                "dropped": sorted(r.session.code for r in plan.dropped_roles),
                "contributions": sorted(c.code for c in plan.contributions),
                "filled": sorted(plan.filled),
            },
        )
        duplicate.delete()
    return plan
