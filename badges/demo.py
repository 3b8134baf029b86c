"""Demo data for badges: one layout per role and a badge (with its QR secret) per delegate."""

from __future__ import annotations

import random

from events_site.congresses.models import Congress
from registrations.enums import DelegateRole

from . import services
from .models import BadgeLayout

ROLE_LAYOUTS = {
    DelegateRole.DELEGATE: ("#0b5cad", "#ffffff"),
    DelegateRole.SPEAKER: ("#b3261e", "#ffffff"),
    DelegateRole.PRESS: ("#1b7f3b", "#ffffff"),
    DelegateRole.EXHIBITOR: ("#e8a200", "#1d2433"),
    DelegateRole.STAFF: ("#1d2433", "#ffffff"),
}


def seed_demo(*, congress: Congress, rng: random.Random) -> dict:
    """Idempotent: layouts are found by name, badges are issued only where missing."""
    layouts = 0
    for position, (role, (band, text)) in enumerate(ROLE_LAYOUTS.items()):
        _layout, created = BadgeLayout.objects.get_or_create(
            congress=congress,
            name=f"{DelegateRole(role).label} badge",
            defaults={
                "role": role,
                "band_colour": band,
                "band_text_colour": text,
                "is_default": role == DelegateRole.DELEGATE,
                "position": position,
                "back_text": "Wi-Fi: congress / guest\nEmergency: +82 42 000 0000",
            },
        )
        layouts += created
    badges = services.issue_badges(congress=congress)
    return {"badge_layouts": layouts, "badges": badges}
