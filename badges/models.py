"""Badge layouts, badges (with their check-in secret), print jobs and check-ins."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress
from registrations.enums import DelegateRole
from registrations.models import Delegate, RegistrationType

from .enums import (
    BadgeSort,
    CheckInChannel,
    EntryProblem,
    OfflineOutcome,
    PageFormat,
    PrintJobFailure,
    PrintJobKind,
    PrintJobStatus,
    ScanRefusal,
)


def new_badge_secret() -> str:
    """The check-in secret printed in the QR code: 43 URL-safe characters, 256 bits."""
    return secrets.token_urlsafe(32)


colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0b5cad."), code="invalid_colour"
)


class BadgeLayout(models.Model):
    """The look of one kind of badge: a colour band and label per registration type or role.

    A delegate gets the layout of their registration type, else of their role, else the
    congress's default layout, else the built-in one.
    """

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="badge_layouts", verbose_name=_("congress")
    )
    name = models.CharField(_("name"), max_length=120)
    registration_type = models.ForeignKey(
        RegistrationType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="badge_layouts",
        verbose_name=_("registration type"),
    )
    role = models.CharField(_("role"), max_length=16, choices=DelegateRole.choices, blank=True)
    is_default = models.BooleanField(_("default layout"), default=False)
    label = models.CharField(
        _("band label"), max_length=40, blank=True, help_text=_("Empty: the delegate's role.")
    )
    band_colour = models.CharField(
        _("band colour"), max_length=7, default="#0b5cad", validators=[colour_validator]
    )
    band_text_colour = models.CharField(
        _("band text colour"), max_length=7, default="#ffffff", validators=[colour_validator]
    )
    back_text = models.TextField(
        _("back side text"), blank=True, help_text=_("Printed on the back (Wi-Fi, emergency line).")
    )
    extra_css = models.TextField(
        _("extra CSS"),
        blank=True,
        help_text=_("Advanced: CSS added to this layout. Only static files and logos can load."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["congress", "position", "name"]
        verbose_name = _("badge layout")
        verbose_name_plural = _("badge layouts")
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="badgelayout_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Badge(models.Model):
    """One delegate's badge and the secret its QR code carries. Check-in state lives here."""

    delegate = models.OneToOneField(
        Delegate, on_delete=models.CASCADE, related_name="badge", verbose_name=_("delegate")
    )
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="badges", verbose_name=_("congress")
    )
    secret = models.CharField(max_length=64, unique=True, default=new_badge_secret, editable=False)
    issued_at = models.DateTimeField(_("secret issued at"), auto_now_add=True)
    printed_at = models.DateTimeField(_("first printed at"), null=True, blank=True)
    print_count = models.PositiveIntegerField(_("times printed"), default=0)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, db_index=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    checked_in_desk = models.CharField(_("desk"), max_length=60, blank=True)

    class Meta:
        ordering = ["congress", "delegate__family_name", "delegate__given_name"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        return str(self.delegate)


class RevokedBadgeSecret(models.Model):
    """A secret that no longer opens the door, kept so the desk can say why."""

    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="revoked_secrets", verbose_name=_("badge")
    )
    secret = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-revoked_at"]
        verbose_name = _("revoked badge secret")
        verbose_name_plural = _("revoked badge secrets")

    def __str__(self) -> str:
        return f"{self.badge} ({self.revoked_at:%Y-%m-%d %H:%M})"


class CheckIn(models.Model):
    """Every successful check-in: at most one live (not undone) per badge, guaranteed by the
    compare-and-set; an undone check-in keeps who undid it and why."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("congress")
    )
    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("badge")
    )
    at = models.DateTimeField(_("at"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=CheckInChannel.choices, default=CheckInChannel.DESK
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undo_reason = models.CharField(_("why it was undone"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.badge} @ {self.at:%Y-%m-%d %H:%M}"


def print_job_path(job: "PrintJob", filename: str) -> str:
    return f"badge-prints/{job.congress.slug}/{filename}"


class PrintJob(models.Model):
    """One run of the printer: who asked, when, with which filters, and exactly which badges."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="badge_print_jobs",
        verbose_name=_("congress"),
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=PrintJobKind.choices, default=PrintJobKind.BATCH
    )
    status = models.CharField(
        _("status"), max_length=8, choices=PrintJobStatus.choices, default=PrintJobStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_by_label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What was asked for (the same options as the print page and the command).
    page_format = models.CharField(
        _("page format"), max_length=8, choices=PageFormat.choices, default=PageFormat.A6
    )
    crop_marks = models.BooleanField(_("crop marks"), default=False)
    back_side = models.BooleanField(_("print back sides"), default=False)
    only_unprinted = models.BooleanField(_("only badges not printed yet"), default=False)
    registration_type = models.ForeignKey(
        RegistrationType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registration type"),
    )
    sort = models.CharField(
        _("sort by"), max_length=16, choices=BadgeSort.choices, default=BadgeSort.FAMILY_NAME
    )
    reason = models.CharField(_("reason for reprint"), max_length=200, blank=True)
    # What happened.
    badges = models.ManyToManyField(Badge, related_name="print_jobs", verbose_name=_("badges"))
    badge_count = models.PositiveIntegerField(_("badges"), default=0)
    rendered_count = models.PositiveIntegerField(_("rendered"), default=0)
    file = models.FileField(_("PDF"), upload_to=print_job_path, blank=True, max_length=300)
    seconds = models.FloatField(_("render seconds"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    failure = models.CharField(
        _("why it failed"), max_length=16, choices=PrintJobFailure.choices, blank=True
    )
    # Liveness: each run (attempt) claims the job, beats as pages render and must end before
    # its deadline; a job whose worker died is found by ``printing.fail_stale_print_jobs``.
    attempts = models.PositiveIntegerField(_("runs started"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("time limit"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="printjob_liveness")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.badge_count})"

    @property
    def progress_percent(self) -> int:
        if not self.badge_count:
            return 100 if self.status == PrintJobStatus.DONE else 0
        return min(100, round(100 * self.rendered_count / self.badge_count))


SCANNED_TEXT_LENGTH = 200


class RefusedScan(models.Model):
    """A scan the desk said no to: who, at which desk, what was scanned, why.

    ``scanned`` keeps the text as read (at most 200 characters) when it opens no live badge;
    a live secret (another congress's, or this congress's badge refused at the door) is kept
    as its first characters only, so the log never hands out a working code.
    """

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="refused_scans", verbose_name=_("congress")
    )
    at = models.DateTimeField(_("at"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=CheckInChannel.choices, default=CheckInChannel.DESK
    )
    scanned = models.CharField(_("scanned"), max_length=SCANNED_TEXT_LENGTH, blank=True)
    reason = models.CharField(_("reason"), max_length=24, choices=ScanRefusal.choices)
    problem = models.CharField(
        _("entry problem"), max_length=24, choices=EntryProblem.choices, blank=True
    )
    badge = models.ForeignKey(
        Badge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="refused_scans",
        verbose_name=_("badge"),
    )
    # A refusal a desk made offline and synced later: its nonce makes it one row however often
    # the desk sends it (the phone's UUID; empty for refusals made online).
    nonce = models.CharField(max_length=36, unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("refused scan")
        verbose_name_plural = _("refused scans")
        indexes = [models.Index(fields=["congress", "-at"], name="refusedscan_recent")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} @ {self.at:%Y-%m-%d %H:%M}"


# --- The offline desk (badges/offline.py) -----------------------------------------------------


class DeskListState(models.Model):
    """A congress's desk list change counter: ``seq`` grows by one for every desk row that
    changed, appeared or went away, so a desk asks only for what changed since its cursor."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="desk_list_state"
    )
    seq = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("desk list state")
        verbose_name_plural = _("desk list states")

    def __str__(self) -> str:
        return f"{self.congress} @ {self.seq}"


class DeskRow(models.Model):
    """The last seen fingerprint of one delegate's desk row and the change number it was given.
    No personal data: a digest and an id (kept after the delegate is deleted, as a removal)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    delegate_id = models.BigIntegerField()
    digest = models.CharField(max_length=32)
    seq = models.BigIntegerField()
    removed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("desk row")
        verbose_name_plural = _("desk rows")
        constraints = [
            models.UniqueConstraint(fields=["congress", "delegate_id"], name="deskrow_unique")
        ]
        indexes = [models.Index(fields=["congress", "seq"], name="deskrow_changes")]

    def __str__(self) -> str:
        return f"{self.delegate_id} @ {self.seq}"


NONCE_LENGTH = 36


class OfflineCheckIn(models.Model):
    """One check-in a desk queued while offline, applied once: its client-made nonce is unique,
    a replay finds this row and gets the same answer."""

    nonce = models.CharField(max_length=NONCE_LENGTH, unique=True)
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="+", verbose_name=_("congress")
    )
    delegate_id = models.BigIntegerField(_("delegate"))
    badge = models.ForeignKey(
        Badge, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("checked in at (desk clock)"))
    received_at = models.DateTimeField(_("synced at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=OfflineOutcome.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("offline check-in")
        verbose_name_plural = _("offline check-ins")

    def __str__(self) -> str:
        return f"{self.nonce} {self.outcome}"


class PrintStation(models.Model):
    """A desk computer that prints the badge of everyone checked in at its desks, as they
    arrive (``desks`` empty: every desk)."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="print_stations",
        verbose_name=_("congress"),
    )
    name = models.CharField(_("name"), max_length=60)
    desks = models.CharField(
        _("desks"),
        max_length=300,
        blank=True,
        help_text=_("Desk labels, separated by commas. Empty: every desk."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["congress", "name"]
        verbose_name = _("print station")
        verbose_name_plural = _("print stations")
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="printstation_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def desk_labels(self) -> list[str]:
        return [d.strip() for d in self.desks.split(",") if d.strip()]

    def serves(self, desk: str) -> bool:
        labels = self.desk_labels
        return not labels or desk.strip().casefold() in {d.casefold() for d in labels}


class StationPrint(models.Model):
    """One badge waiting at (or printed by) a print station, queued by its check-in."""

    station = models.ForeignKey(
        PrintStation, on_delete=models.CASCADE, related_name="queue", verbose_name=_("station")
    )
    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="station_prints", verbose_name=_("badge")
    )
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    desk = models.CharField(_("desk"), max_length=60, blank=True)
    queued_at = models.DateTimeField(_("queued at"), db_index=True)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("printed by"),
    )
    times_printed = models.PositiveIntegerField(_("times printed"), default=0)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("badge at a print station")
        verbose_name_plural = _("badges at print stations")
        indexes = [
            models.Index(fields=["station", "printed_at", "queued_at"], name="stationprint_queue")
        ]

    def __str__(self) -> str:
        return f"{self.badge} @ {self.station}"
