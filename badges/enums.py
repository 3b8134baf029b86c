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


class BadgeSort(models.TextChoices):
    FAMILY_NAME = "family_name", _("Family name")
    ORGANISATION = "organisation", _("Organisation")
    COUNTRY = "country", _("Country")


class CheckInChannel(models.TextChoices):
    DESK = "desk", _("Check-in page")
    API = "api", _("Scanner app (API)")


class EntryProblem(models.TextChoices):
    """Why a person may not enter; shown in red at the desk."""

    CANCELLED = "cancelled", _("Registration cancelled")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    UNPAID = "unpaid", _("Not paid")
