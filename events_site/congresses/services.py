"""Writes on the core: every change to congresses, venues, rooms and teams goes through here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events_site.accounts import two_factor

from . import audit, public_version
from .enums import Role
from .errors import DomainError
from .models import Congress, Organisation, Room, TeamMembership, Venue

CONGRESS_FIELDS = {
    "name",
    "slug",
    "tagline",
    "description",
    "start_date",
    "end_date",
    "time_zone",
    "currency",
    "languages",
    "status",
    "contact_email",
    "website",
}


def create_congress(*, organisation: Organisation, by=None, **fields: Any) -> Congress:
    """Create a congress after full validation; the creator (if any) becomes its owner."""
    unknown = set(fields) - CONGRESS_FIELDS
    if unknown:
        raise TypeError(f"Unknown congress fields: {sorted(unknown)}")
    congress = Congress(organisation=organisation, **fields)
    congress.full_clean()
    with transaction.atomic():
        congress.save()
        if by is not None and getattr(by, "is_authenticated", False):
            TeamMembership.objects.create(congress=congress, user=by, role=Role.OWNER)
        audit.record(
            action="convene.congress.created", congress=congress, actor=by, target=congress
        )
        public_version.bump()
    return congress


def update_congress(*, congress: Congress, by=None, **fields: Any) -> Congress:
    unknown = set(fields) - CONGRESS_FIELDS
    if unknown:
        raise TypeError(f"Unknown congress fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(congress, name, value)
    congress.full_clean()
    with transaction.atomic():
        congress.save()
        audit.record(
            action="convene.congress.updated",
            congress=congress,
            actor=by,
            target=congress,
            data={"fields": sorted(fields)},
        )
        public_version.bump()  # its pages show its name, dates, status, languages
    return congress


def add_venue(*, congress: Congress, by=None, **fields: Any) -> Venue:
    venue = Venue(congress=congress, **fields)
    venue.full_clean()
    with transaction.atomic():
        venue.save()
        audit.record(action="convene.venue.created", congress=congress, actor=by, target=venue)
    return venue


def add_room(*, venue: Venue, by=None, **fields: Any) -> Room:
    room = Room(venue=venue, **fields)
    room.full_clean()
    with transaction.atomic():
        room.save()
        audit.record(action="convene.room.created", congress=venue.congress, actor=by, target=room)
    return room


def grant_role(*, congress: Congress, user, role: str, by=None) -> TeamMembership:
    role = Role(role)
    with transaction.atomic():
        membership, created = TeamMembership.objects.get_or_create(
            congress=congress, user=user, role=role
        )
        if created:
            audit.record(
                action="convene.team.role_granted",
                congress=congress,
                actor=by,
                target=membership,
                data={"user": user.get_username(), "role": role.value},
            )
    user.__dict__.pop("_convene_congress_perms", None)
    return membership


def revoke_role(*, congress: Congress, user, role: str, by=None) -> None:
    with transaction.atomic():
        deleted, _ = TeamMembership.objects.filter(congress=congress, user=user, role=role).delete()
        if deleted:
            audit.record(
                action="convene.team.role_revoked",
                congress=congress,
                actor=by,
                data={"user": user.get_username(), "role": str(role)},
            )
    user.__dict__.pop("_convene_congress_perms", None)


def change_team_role(
    *, membership: TeamMembership, congress: Congress, user, role: str, by=None
) -> TeamMembership:
    """Give one team row another person, role or congress (the admin's edit of a row),
    audited with the row before and after; a row already held is refused."""
    role = Role(role)
    with transaction.atomic():
        current = (
            TeamMembership.objects.select_for_update()
            .select_related("user", "congress")
            .get(pk=membership.pk)
        )
        before = (current.congress, current.user, current.role)
        if before == (congress, user, role):
            return current
        taken = TeamMembership.objects.filter(congress=congress, user=user, role=role)
        if taken.exclude(pk=current.pk).exists():
            raise DomainError(_("This person already has this role in this congress."))
        current.congress, current.user, current.role = congress, user, role
        current.save(update_fields=["congress", "user", "role"])
        audit.record(
            action="convene.team.role_changed",
            congress=congress,
            actor=by,
            target=current,
            data={
                "congress": [before[0].slug, congress.slug],
                "user": [before[1].get_username(), user.get_username()],
                "role": [str(before[2]), role.value],
            },
        )
    for person in (before[1], user):
        person.__dict__.pop("_convene_congress_perms", None)
    return current


def set_two_factor_requirement(*, congress: Congress, required: bool, by) -> Congress:
    """Require (or stop requiring) two-factor sign-in for the congress's whole team, audited.
    Turning it on needs the person doing it to have two-factor sign-in themselves, so that an
    owner never locks the team out of pages they cannot reach either."""
    if required and not two_factor.has_two_factor(by):
        raise DomainError(
            _("Set up two-factor sign-in for your own account first."), code="two_factor_missing"
        )
    with transaction.atomic():
        current = Congress.objects.select_for_update().get(pk=congress.pk)
        if current.require_two_factor == required:
            return current
        current.require_two_factor = required
        current.save(update_fields=["require_two_factor", "updated_at"])
        audit.record(
            action="convene.congress.two_factor_required",
            congress=current,
            actor=by,
            target=current,
            data={"before": not required, "after": required},
        )
    congress.require_two_factor = required
    return current
