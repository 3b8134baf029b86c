"""Which role grants which permission. The single table every view and endpoint consults."""

from .enums import Perm, Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Perm.values),
    Role.PROGRAMME: frozenset({Perm.VIEW, Perm.MANAGE_PROGRAMME}),
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
}


def permissions_for_roles(roles: set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
