from django.db import models
from django.utils.translation import gettext_lazy as _


class PageFormat(models.TextChoices):
    """How badges sit on paper: one per page, or four A6 badges on perforated A4 sheets."""

    A6 = "a6", _("Single badges, A6 (105 × 148 mm)")
    IN_4X6 = "4x6in", _("Single badges, 4 × 6 in")
    A4_SHEET_4 = "a4x4", _("Sheets, 4 × A6 on A4")


class PrintJobKind(models.TextChoices):
    BATCH = "batch", _("Batch")
    DESK = "desk", _("Single badge at the desk")
    REPRINT = "reprint", _("Reprint")


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Rendering")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PrintJobFailure(models.TextChoices):
    """Why a print job failed: shown on the job page, so the person printing knows what to do."""

    ERROR = "error", _("Rendering stopped with an error.")
    STALLED = "stalled", _("The task worker stopped sending news (it was probably killed).")
    TIME_LIMIT = "time_limit", _("The job ran past its time limit.")
    NEVER_STARTED = "never_started", _("No task worker started the job in time.")


class BadgeSort(models.TextChoices):
    FAMILY_NAME = "family_name", _("Family name")
    ORGANISATION = "organisation", _("Organisation")
    COUNTRY = "country", _("Country")


class CheckInChannel(models.TextChoices):
    DESK = "desk", _("Check-in page")
    API = "api", _("Scanner app (API)")
    OFFLINE = "offline", _("Desk offline, synced later")


class EntryProblem(models.TextChoices):
    """Why a person may not enter; shown in red at the desk."""

    CANCELLED = "cancelled", _("Registration cancelled")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    UNPAID = "unpaid", _("Not paid")


class ScanRefusal(models.TextChoices):
    """Why the desk said no to a scanned code (recorded in ``RefusedScan``)."""

    MALFORMED = "badge_not_valid", _("Not a badge code")
    UNKNOWN = "badge_unknown", _("Unknown code")
    REVOKED = "badge_revoked", _("Revoked badge")
    OTHER_CONGRESS = "badge_other_congress", _("Badge of another congress")
    NOT_ALLOWED = "not_allowed_to_enter", _("May not enter")
    ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")


class OfflineOutcome(models.TextChoices):
    """What the server made of one check-in queued by a desk while offline."""

    CHECKED_IN = "checked_in", _("Checked in")
    EARLIER = "earlier", _("Checked in; the earlier time from this desk stands")
    ALREADY = "already", _("Already checked in earlier at another desk")
    REFUSED = "refused", _("Refused")
