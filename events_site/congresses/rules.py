"""Which role grants which permission. The single table every view and endpoint consults."""

from .enums import Perm, Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Passport data is the visa officer's alone: an owner who needs it gives themselves the role.
    Role.OWNER: frozenset(Perm.values) - {Perm.MANAGE_VISA_LETTERS},
    Role.PROGRAMME: frozenset({Perm.VIEW, Perm.MANAGE_PROGRAMME, Perm.REVIEW_PROPOSALS}),
    Role.REGISTRATION: frozenset(
        {
            Perm.VIEW,
            Perm.VIEW_REGISTRATIONS,
            Perm.MANAGE_REGISTRATIONS,
            Perm.CHECK_IN,
            Perm.MANAGE_BADGES,
        }
    ),
    Role.FINANCE: frozenset({Perm.VIEW, Perm.VIEW_REGISTRATIONS, Perm.MANAGE_FINANCE}),
    # Check-in staff see only what the desk needs.
    Role.CHECKIN: frozenset({Perm.CHECK_IN}),
    # Reviewers see the proposals they may review (names hidden in a blind phase), nothing else.
    Role.REVIEWER: frozenset({Perm.REVIEW_PROPOSALS}),
    Role.VISA_OFFICER: frozenset({Perm.VIEW, Perm.MANAGE_VISA_LETTERS}),
}


def permissions_for_roles(roles: set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
