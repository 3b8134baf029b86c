"""What the registration confirmation PDF shows of the agenda: each delegate's chosen sessions,
marked or with a seat (``CONFIRMATION_SESSIONS`` names :func:`chosen_sessions`, so the
registrations app reads it without importing the agenda)."""

from __future__ import annotations

from .enums import SessionStatus, SignupStatus
from .models import AgendaItem, SessionSignup

_FIELDS = ("session__code", "session__title", "session__starts_at", "session__ends_at")


def chosen_sessions(delegate_ids: list[int]) -> dict[int, list[dict]]:
    """Delegate id -> their sessions in time order (title, start, end, room, seat or waiting
    list), cancelled sessions left out; two queries for any number of delegates."""
    chosen: dict[int, dict[str, dict]] = {pk: {} for pk in delegate_ids}
    marked = (
        AgendaItem.objects.filter(agenda__delegate_id__in=delegate_ids)
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("agenda__delegate_id", *_FIELDS, "session__room__name")
    )
    signed = (
        SessionSignup.objects.filter(delegate_id__in=delegate_ids)
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("delegate_id", *_FIELDS, "session__room__name", "status")
    )
    for delegate_id, code, title, starts, ends, room in marked:
        chosen[delegate_id][code] = {
            "title": title,
            "starts_at": starts,
            "ends_at": ends,
            "room": room or "",
            "seat": "",
        }
    for delegate_id, code, title, starts, ends, room, status in signed:
        row = chosen[delegate_id].setdefault(
            code, {"title": title, "starts_at": starts, "ends_at": ends, "room": room or ""}
        )
        row["seat"] = "seat" if status == SignupStatus.SEAT else "waiting"
    return {
        pk: sorted(rows.values(), key=lambda r: (r["starts_at"], r["title"]))
        for pk, rows in chosen.items()
    }
