"""What the agenda app holds about a delegate, for the registrations app's personal-data export
and erasure (named in ``settings.PERSONAL_DATA_SECTIONS`` / ``PERSONAL_DATA_ERASERS``)."""

from __future__ import annotations

from typing import Any

from registrations.models import Delegate

from .enums import SignupStatus
from .models import AgendaItem, PersonalAgenda, SessionSignup, Speaker


def section(delegate: Delegate) -> tuple[str, dict[str, Any]]:
    """The personal agenda (marked sessions, whether a calendar feed exists), sign-ups for
    capacity-limited sessions and the speaker profiles linked to the delegate."""
    agenda = PersonalAgenda.objects.filter(delegate=delegate).first()
    items = (
        AgendaItem.objects.filter(agenda=agenda).select_related("session").order_by("pk")
        if agenda is not None
        else AgendaItem.objects.none()
    )
    signups = SessionSignup.objects.filter(delegate=delegate).select_related("session")
    return "agenda", {
        "personal_agenda": None
        if agenda is None
        else {
            "created_at": agenda.created_at,
            "calendar_feed": bool(agenda.feed_token),
            "sessions": [
                {
                    "code": item.session.code,
                    "title": item.session.title,
                    "marked_at": item.created_at,
                }
                for item in items
            ],
        },
        "sign_ups": [
            {
                "session": signup.session.code,
                "title": signup.session.title,
                "status": signup.status,
                "created_at": signup.created_at,
            }
            for signup in signups.order_by("pk")
        ],
        "speaker_profiles": [
            {"name": speaker.name, "code": speaker.code}
            for speaker in Speaker.objects.filter(delegate=delegate).order_by("pk")
        ],
    }


def erase(delegate: Delegate) -> dict[str, int]:
    """Remove the personal agenda (its feed token goes with it) and places on waiting lists;
    seats taken stay taken, so no session's count changes. Speaker profiles are the programme's
    public data and are only unlinked from the delegate."""
    agendas = PersonalAgenda.objects.filter(delegate=delegate).delete()[1]
    waiting = SessionSignup.objects.filter(delegate=delegate, status=SignupStatus.WAITING).delete()[
        0
    ]
    unlinked = Speaker.objects.filter(delegate=delegate).update(delegate=None)
    return {
        "personal_agendas": agendas.get(PersonalAgenda._meta.label, 0),
        "session_waiting_places": waiting,
        "speaker_profiles_unlinked": unlinked,
    }
