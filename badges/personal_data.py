"""What the badges app holds about a delegate, for the registrations app's personal-data export
and erasure (named in ``settings.PERSONAL_DATA_SECTIONS`` / ``PERSONAL_DATA_ERASERS``)."""

from __future__ import annotations

from typing import Any

from registrations.models import Delegate

from .models import Badge, CheckIn, PrintJob, RevokedBadgeSecret, new_badge_secret


def section(delegate: Delegate) -> tuple[str, dict[str, Any]]:
    """The badge (never its secret), its check-ins and the print jobs that printed it."""
    badge = Badge.objects.filter(delegate=delegate).first()
    if badge is None:
        return "badge", {"badge": None, "check_ins": [], "prints": []}
    check_ins = CheckIn.objects.filter(badge=badge).order_by("at", "pk")
    prints = PrintJob.objects.filter(badges=badge).order_by("created_at", "pk")
    return "badge", {
        "badge": {
            "issued_at": badge.issued_at,
            "printed_at": badge.printed_at,
            "print_count": badge.print_count,
            "checked_in_at": badge.checked_in_at,
        },
        "check_ins": [
            {"at": check_in.at, "desk": check_in.desk, "channel": check_in.channel}
            for check_in in check_ins
        ],
        "prints": [
            {"at": job.created_at, "kind": job.kind, "status": job.status} for job in prints
        ],
    }


def erase(delegate: Delegate) -> dict[str, int]:
    """The badge's QR code stops opening the door (revoked, a new secret nobody holds); check-ins
    and print records stay, as counts of what happened. Printing it again is refused by
    :func:`badges.selectors.badges_for_printing` and ``print_at_desk`` (erased delegates)."""
    badge = Badge.objects.select_for_update().filter(delegate=delegate).first()
    if badge is None:
        return {"badge_secrets_revoked": 0}
    RevokedBadgeSecret.objects.create(badge=badge, secret=badge.secret, reason="erased")
    Badge.objects.filter(pk=badge.pk).update(secret=new_badge_secret())
    return {"badge_secrets_revoked": 1}
