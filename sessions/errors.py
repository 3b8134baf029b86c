"""Domain errors of the agenda app: each names what was refused and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from events_site.congresses.errors import DomainError

if TYPE_CHECKING:
    from .services.scheduling import Conflict


class ScheduleConflict(DomainError):
    """A session breaks a scheduling rule; ``conflicts`` lists every error, each naming the
    other party (room, session, speaker)."""

    code = "schedule_conflict"
    SHOWN = 5

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        text = " ".join(str(c.message) for c in conflicts[: self.SHOWN])
        if len(conflicts) > self.SHOWN:
            text += " " + _("…and %(n)s more conflicts.") % {"n": len(conflicts) - self.SHOWN}
        super().__init__(text)


class NotPublished(DomainError):
    code = "not_published"


class NothingToPublish(DomainError):
    code = "nothing_to_publish"


class SignupRefused(DomainError):
    code = "signup_refused"


class InvalidProgrammeData(DomainError):
    code = "invalid"


NOT_REGISTERED = _("Only delegates with a valid registration can sign up for sessions.")


class ProposalRefused(DomainError):
    """A call refused a proposal's change (closed, locked, a bad access code); ``field`` is the
    form field the message belongs to (None: the whole form)."""

    code = "proposal_refused"
    status_code = 409

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class PaidSpeakerOfferRefused(DomainError):
    """A speaker's answer to the refund offer was refused (no offer, already answered)."""

    code = "paid_speaker_offer_refused"
    status_code = 409


class ProposalIncomplete(DomainError):
    """A proposal missing required parts cannot be submitted; ``errors`` maps each field to
    its message, shown beside the field."""

    code = "proposal_incomplete"

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("The proposal is not complete yet: see the messages beside the fields."))
        self.errors = errors


class ReviewRefused(DomainError):
    code = "review_refused"
    status_code = 403


class DecisionRefused(DomainError):
    code = "decision_refused"
    status_code = 409


UNPAID_MAY_NOT_BOOK = _(
    "Seats in sessions with limited places can be booked once your registration is paid."
)


class CallSetupRefused(DomainError):
    """An organiser's change to a call's set-up was refused (a part proposals or reviews use,
    a duplicate); ``field`` is the form field the message belongs to (None: the whole form)."""

    code = "call_setup_refused"
    status_code = 409

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field
