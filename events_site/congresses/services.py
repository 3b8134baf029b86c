"""Writes on the core: every change to congresses, venues, rooms and teams goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.accounts import two_factor

from . import audit, public_version
from .edit_conflicts import refuse_if_changed
from .enums import Role
from .errors import DomainError
from .locks import lock_rows
from .mail import send_templated_email
from .models import Congress, Organisation, Room, TeamInvitation, TeamMembership, Venue
from .ordering import move_in_order

# What an organiser's congress form edits, in its order (the edit fingerprint covers these).
CONGRESS_EDIT_FIELDS = (
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
    "timetable_slot_minutes",
    "translations",
    "unpaid_may_book_seats",
)
CONGRESS_FIELDS = frozenset(CONGRESS_EDIT_FIELDS)


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


def update_congress(
    *, congress: Congress, by=None, shown_fingerprint: str | None = None, **fields: Any
) -> Congress:
    """Change a congress; refused when someone else changed it since the form was shown. An
    unchanged congress writes nothing."""
    unknown = set(fields) - CONGRESS_FIELDS
    if unknown:
        raise TypeError(f"Unknown congress fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Congress.objects.select_for_update().get(pk=congress.pk)
        refuse_if_changed(current, CONGRESS_EDIT_FIELDS, shown_fingerprint)
        changed = audit.changes(current, fields)
        if not changed:
            return current
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit.record(
            action="convene.congress.updated",
            congress=current,
            actor=by,
            target=current,
            data={"fields": sorted(changed), "changed": changed},
        )
        public_version.bump()  # its pages show its name, dates, status, languages
    for name in fields:
        setattr(congress, name, getattr(current, name))
    return current


def add_venue(*, congress: Congress, by=None, **fields: Any) -> Venue:
    venue = Venue(congress=congress, **fields)
    venue.full_clean()
    with transaction.atomic():
        venue.save()
        audit.record(action="convene.venue.created", congress=congress, actor=by, target=venue)
    return venue


def add_room(*, venue: Venue, by=None, **fields: Any) -> Room:
    """Add a room to a venue, last in its order unless a position is given."""
    if "position" not in fields:
        last = venue.rooms.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = 0 if last is None else last + 1
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
            TeamMembership.objects.select_for_update(of=("self",))
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


VENUE_FIELDS = ("name", "address", "city", "country", "accessibility_notes")
ROOM_FIELDS = (
    "name",
    "floor",
    "building",
    "capacity",
    "accessibility_notes",
    "opens_at",
    "closes_at",
)


class StillInUse(DomainError):
    code = "in_use"
    status_code = 409


def _check_fields(fields: dict, allowed: tuple[str, ...], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {sorted(unknown)}")


def update_venue(
    *, venue: Venue, by=None, shown_fingerprint: str | None = None, **fields: Any
) -> Venue:
    """Change a venue; refused when someone else changed it since the form was shown."""
    _check_fields(fields, VENUE_FIELDS, "venue")
    with transaction.atomic():
        current = Venue.objects.select_for_update().get(pk=venue.pk)
        refuse_if_changed(current, VENUE_FIELDS, shown_fingerprint)
        changed = audit.changes(current, fields)
        if not changed:
            return current
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit.record(
            action="convene.venue.updated",
            congress=current.congress,
            actor=by,
            target=current,
            data={"object": str(current), "changed": changed},
        )
    return current


def _delete_unless_in_use(instance, message) -> None:
    """Delete ``instance`` (inside the caller's transaction, after its audit entry); rooms
    that sessions are placed in cannot go (the agenda keeps the link, PROTECT), and then the
    whole transaction, audit entry included, is undone."""
    try:
        instance.delete()
    except ProtectedError as error:
        raise StillInUse(message(len(error.protected_objects))) from error


def delete_venue(*, venue: Venue, by=None) -> None:
    """Delete a venue and its rooms, unless sessions are placed in them."""
    with transaction.atomic():
        current = Venue.objects.select_for_update().get(pk=venue.pk)
        audit.record(
            action="convene.venue.deleted",
            congress=current.congress,
            actor=by,
            target=current,
            data={"object": str(current), "rooms": [room.name for room in current.rooms.all()]},
        )
        _delete_unless_in_use(
            current,
            lambda n: (
                ngettext(
                    "%(n)s session is placed in a room of this venue: move it first.",
                    "%(n)s sessions are placed in rooms of this venue: move them first.",
                    n,
                )
                % {"n": n}
            ),
        )


def update_room(
    *, room: Room, by=None, shown_fingerprint: str | None = None, **fields: Any
) -> Room:
    """Change a room; refused when someone else changed it since the form was shown."""
    _check_fields(fields, ROOM_FIELDS, "room")
    with transaction.atomic():
        current = (
            Room.objects.select_for_update(of=("self",)).select_related("venue").get(pk=room.pk)
        )
        refuse_if_changed(current, ROOM_FIELDS, shown_fingerprint)
        changed = audit.changes(current, fields)
        if not changed:
            return current
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit.record(
            action="convene.room.updated",
            congress=current.venue.congress,
            actor=by,
            target=current,
            data={"object": str(current), "changed": changed},
        )
    return current


def delete_room(*, room: Room, by=None) -> None:
    """Delete a room, unless sessions are placed in it."""
    with transaction.atomic():
        current = (
            Room.objects.select_for_update(of=("self",)).select_related("venue").get(pk=room.pk)
        )
        audit.record(
            action="convene.room.deleted",
            congress=current.venue.congress,
            actor=by,
            target=current,
            data={"object": str(current)},
        )
        _delete_unless_in_use(
            current,
            lambda n: (
                ngettext(
                    "%(n)s session is placed in this room: move it first.",
                    "%(n)s sessions are placed in this room: move them first.",
                    n,
                )
                % {"n": n}
            ),
        )


def move_room(*, room: Room, by=None, offset: int) -> None:
    """Move a room up (``offset=-1``) or down (``+1``) in its venue's order; positions are
    renumbered 0..n-1 so that ties from older data never block a move."""
    with transaction.atomic():
        siblings = Room.objects.filter(venue_id=room.venue_id).order_by("position", "name", "pk")
        rooms = move_in_order(siblings, room, offset=offset)
        if rooms is None:
            return
        audit.record(
            action="convene.room.moved",
            congress=room.venue.congress,
            actor=by,
            target=room,
            data={"object": str(room), "order": [candidate.name for candidate in rooms]},
        )


# --- the team -------------------------------------------------------------------------------


class LastOwner(DomainError):
    code = "last_owner"
    status_code = 409


def _owners(congress: Congress) -> set[int]:
    return set(
        TeamMembership.objects.filter(congress=congress, role=Role.OWNER).values_list(
            "user_id", flat=True
        )
    )


def set_member_roles(*, congress: Congress, user, roles: Iterable[str], by=None) -> set[str]:
    """Give ``user`` exactly ``roles`` in ``congress`` (none: they leave the team), each grant
    and removal audited. A congress always keeps an owner: taking the role from its last
    owner is refused."""
    wanted = {Role(role).value for role in roles}
    with transaction.atomic():
        lock_rows(
            Congress.objects.filter(pk=congress.pk),
            busy=_("Someone else is changing the team right now: try again in a moment."),
        )
        held = set(
            TeamMembership.objects.filter(congress=congress, user=user).values_list(
                "role", flat=True
            )
        )
        if Role.OWNER in held and Role.OWNER not in wanted and _owners(congress) == {user.pk}:
            raise LastOwner(
                _("%(name)s is the last owner of this congress: make someone else an owner first.")
                % {"name": user.get_username()}
            )
        for role in sorted(wanted - held):
            grant_role(congress=congress, user=user, role=role, by=by)
        for role in sorted(held - wanted):
            revoke_role(congress=congress, user=user, role=role, by=by)
    return wanted


def invite_to_team(*, congress: Congress, email: str, roles: Iterable[str], by) -> TeamInvitation:
    """Invite ``email`` to the team with ``roles``; an earlier open invitation to the same
    address is withdrawn (only the newest link works). The e-mail leaves after commit."""
    roles = sorted({Role(role).value for role in roles})
    if not roles:
        raise DomainError(_("Choose at least one role."))
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        TeamInvitation.objects.filter(
            congress=congress,
            email=email,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
        ).update(withdrawn_at=now)
        invitation = TeamInvitation.objects.create(
            congress=congress,
            email=email,
            roles=roles,
            invited_by=by,
            expires_at=now + dt.timedelta(days=settings.TEAM_INVITATION_DAYS),
        )
        audit.record(
            action="convene.team.invited",
            congress=congress,
            actor=by,
            target=invitation,
            data={"email": email, "roles": roles},
        )
        send_templated_email(
            to=[email],
            template="congresses/emails/team_invitation",
            context={
                "congress": congress,
                "roles": [Role(role).label for role in roles],
                "invited_by": by.get_username() if by else "",
                "url": settings.SITE_URL
                + reverse("congresses:invitation", kwargs={"secret": invitation.secret}),
                "expires_at": invitation.expires_at,
            },
            language=translation.get_language(),
        )
    return invitation


def withdraw_invitation(*, invitation: TeamInvitation, by) -> None:
    with transaction.atomic():
        changed = TeamInvitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
        if changed:
            audit.record(
                action="convene.team.invitation_withdrawn",
                congress=invitation.congress,
                actor=by,
                target=invitation,
                data={"email": invitation.email},
            )


def accept_invitation(*, invitation: TeamInvitation, user) -> set[str]:
    """``user`` joins the team with the invitation's roles (added to any they hold); the link
    works once (compare-and-set) and not after it expired or was withdrawn."""
    with transaction.atomic():
        claimed = TeamInvitation.objects.filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise DomainError(
                _("This invitation has expired or was already used. Ask for a new one."),
                code="invitation_closed",
            )
        for role in invitation.roles:
            grant_role(congress=invitation.congress, user=user, role=role, by=user)
        audit.record(
            action="convene.team.invitation_accepted",
            congress=invitation.congress,
            actor=user,
            target=invitation,
            data={"email": invitation.email, "roles": list(invitation.roles)},
        )
    return set(invitation.roles)


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
