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


# A session's length, in minutes, as organisers may set a format's default duration.
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 5, 600

# The site's default duration of each format, in minutes (a congress may set its own).
SITE_DEFAULT_MINUTES = {
    SessionFormat.PLENARY: 90,
    SessionFormat.PARALLEL: 90,
    SessionFormat.WORKSHOP: 120,
    SessionFormat.SIDE_EVENT: 60,
    SessionFormat.SITE_VISIT: 180,
    SessionFormat.NETWORKING: 60,
    SessionFormat.BREAK: 30,
}


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class SlidesMoment(models.TextChoices):
    """When slides were uploaded: before the session ended, or after (the final version)."""

    BEFORE = "before", _("Before the session")
    AFTER = "after", _("After the session")


class SpeakerRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
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


class BreakKind(models.TextChoices):
    """What a break across rooms is: shown on the timetable and in the feeds."""

    COFFEE = "coffee", _("Coffee break")
    LUNCH = "lunch", _("Lunch")
    PLENARY = "plenary", _("Plenary block")
    OTHER = "other", _("Other break")


# Formats whose sessions may hold ordered contributions (a paper session, a panel).
BLOCK_FORMATS = frozenset({SessionFormat.PLENARY, SessionFormat.PARALLEL, SessionFormat.SIDE_EVENT})


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
    SPEAKER_UNAVAILABLE = "speaker_unavailable", _("Speaker unavailable")
    SPEAKER_BUILDINGS = "speaker_buildings", _("Speaker back to back in two buildings")
    TRACK_CLASH = "track_clash", _("Track clashing with itself")
    BREAK_IN_ROOM = "break_in_room", _("Over a break")
    CONTRIBUTIONS_TOO_LONG = "contributions_too_long", _("Contributions longer than the session")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class SignupStatus(models.TextChoices):
    SEAT = "seat", _("Seat")
    WAITING = "waiting", _("Waiting list")


class DoorRefusal(models.TextChoices):
    """Why a session's door said no to a scanned badge (``AttendanceRefusal``)."""

    NOT_VALID = "badge_not_valid", _("Not a valid badge of this congress")
    NOT_ADMITTED = "not_admitted", _("May not enter the congress")
    NO_SEAT = "no_seat", _("No seat in this session")


class CallKind(models.TextChoices):
    """What a call for proposals asks for."""

    SESSIONS = "sessions", _("Sessions")
    SIDE_EVENTS = "side_events", _("Side events")
    POSTERS = "posters", _("Posters")


class ProposalStatus(models.TextChoices):
    """Where a proposal stands. A decision is held pending (``ProposalDecision``) until it is
    sent; only then does the proposal take the decided status."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAITING_LIST = "waiting_list", _("On the waiting list")
    MERGED = "merged", _("Merged into another proposal")


# Statuses a proposal can be reviewed (and decided) in.
REVIEWABLE_STATUSES = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WAITING_LIST})


class InvitationStatus(models.TextChoices):
    """Whether a person named on a proposal has answered their invitation."""

    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class Gender(models.TextChoices):
    """Asked only where the call collects it (for the programme's balance); always optional."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class QuestionTarget(models.TextChoices):
    PROPOSAL = "proposal", _("The proposal")
    SPEAKER = "speaker", _("Each speaker")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("One choice from a list")
    YES_NO = "yes_no", _("Yes or no")


class PaidSpeakerPolicy(models.TextChoices):
    """What a call offers a confirmed speaker of an accepted proposal who already registered and
    paid as a delegate of the congress."""

    NOTHING = "nothing", _("Nothing: the organisers decide for each speaker")
    REFUND = (
        "refund",
        _("A full refund of their delegate registration (they then register free as a speaker)"),
    )
    KEEP = "keep", _("They keep their paid registration (no offer)")
    CHANGE = (
        "change",
        _(
            "A change of their delegate registration to the call's free speaker registration "
            "type, the price difference refunded"
        ),
    )


class PaidSpeakerOfferState(models.TextChoices):
    """Where a refund (or type change) offer to a speaker who already paid stands. ``offered``
    is never stored: it is an offer the speaker has not answered yet."""

    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    REFUNDED = "refunded", _("refunded")
    CHANGED = "changed", _("changed to the speaker type, difference refunded")


class DecisionOutcome(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    ACCEPT_AS = "accept_as", _("Accept as another format")
    MERGE = "merge", _("Merge into another proposal")
    WAITING_LIST = "waiting_list", _("Waiting list")
    REJECT = "reject", _("Reject")


# The proposal status each outcome gives once the decision is sent.
OUTCOME_STATUS = {
    DecisionOutcome.ACCEPT: ProposalStatus.ACCEPTED,
    DecisionOutcome.ACCEPT_AS: ProposalStatus.ACCEPTED,
    DecisionOutcome.MERGE: ProposalStatus.MERGED,
    DecisionOutcome.WAITING_LIST: ProposalStatus.WAITING_LIST,
    DecisionOutcome.REJECT: ProposalStatus.REJECTED,
}
