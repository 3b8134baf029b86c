"""Every status and kind of the agenda app as TextChoices: no bare status strings elsewhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionFormat(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    PARALLEL = "parallel", _("Parallel session")
    WORKSHOP = "workshop", _("Workshop")
    SIDE_EVENT = "side_event", _("Side event")
    SITE_VISIT = "site_visit", _("Site visit")
    NETWORKING = "networking", _("Networking")
    BREAK = "break", _("Break")


# Formats whose seats delegates sign up for (capacity-limited, with a waiting list).
SIGN_UP_FORMATS = frozenset({SessionFormat.WORKSHOP, SessionFormat.SITE_VISIT})


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class SpeakerRole(models.TextChoices):
    MODERATOR = "moderator", _("Moderator")
    SPEAKER = "speaker", _("Speaker")
    PANELLIST = "panellist", _("Panellist")
    RAPPORTEUR = "rapporteur", _("Rapporteur")


class ChangeKind(models.TextChoices):
    """What happened to a session between two published versions."""

    ADDED = "added", _("Added")
    MOVED = "moved", _("Moved")
    ROOM_CHANGED = "room_changed", _("Changed room")
    CANCELLED = "cancelled", _("Cancelled")
    CHANGED = "changed", _("Changed")
    REMOVED = "removed", _("Withdrawn")
    RENAMED = "renamed", _("Renamed")  # a track, room or speaker (``what``), not a session


class ConflictKind(models.TextChoices):
    END_BEFORE_START = "end_before_start", _("Ends before it starts")
    OUTSIDE_CONGRESS = "outside_congress", _("Outside the congress dates")
    OUTSIDE_ROOM_HOURS = "outside_room_hours", _("Outside the room's hours")
    ROOM_DOUBLE_BOOKED = "room_double_booked", _("Room double-booked")
    SPEAKER_DOUBLE_BOOKED = "speaker_double_booked", _("Speaker in two places")
    ROOM_TOO_SMALL = "room_too_small", _("Room too small")
    NO_CAPACITY = "no_capacity", _("Sign-up session without capacity")
    REPEATED_TIME = "repeated_time", _("Time that happens twice")
    NONEXISTENT_TIME = "nonexistent_time", _("Time that does not exist")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class SignupStatus(models.TextChoices):
    SEAT = "seat", _("Seat")
    WAITING = "waiting", _("Waiting list")
