"""What certificates read from the agenda (``CERTIFICATE_SOURCES``): how many sessions each
delegate was scanned into, and the confirmed sessions each delegate spoke at (through the
speaker profile linked to their registration)."""

from __future__ import annotations

from django.db.models import Count

from events_site.congresses.models import Congress

from .enums import SessionStatus
from .models import SessionAttendance, SessionSpeaker


def sessions_attended(congress: Congress, delegate_ids: set[int] | None = None) -> dict[int, int]:
    rows = SessionAttendance.objects.filter(session__congress=congress).exclude(
        session__status=SessionStatus.CANCELLED
    )
    if delegate_ids is not None:
        rows = rows.filter(delegate_id__in=delegate_ids)
    return dict(rows.values_list("delegate_id").annotate(n=Count("session", distinct=True)))


def sessions_spoken(
    congress: Congress, delegate_ids: set[int] | None = None
) -> dict[int, list[str]]:
    roles = SessionSpeaker.objects.filter(
        session__congress=congress,
        session__status=SessionStatus.CONFIRMED,
        speaker__delegate__isnull=False,
    )
    if delegate_ids is not None:
        roles = roles.filter(speaker__delegate_id__in=delegate_ids)
    spoken: dict[int, list[str]] = {}
    for delegate_id, title in roles.order_by("session__starts_at", "session__title").values_list(
        "speaker__delegate_id", "session__title"
    ):
        spoken.setdefault(delegate_id, []).append(title)
    return spoken
