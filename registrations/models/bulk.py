"""Bulk jobs: one organiser's decision applied to many orders or delegates, item by item,
through the same services as the order page; each item's outcome is kept with its reason."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..enums import BulkItemOutcome, BulkJobStatus, BulkKind


class BulkJob(models.Model):
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="bulk_jobs", verbose_name=_("congress")
    )
    kind = models.CharField(_("action"), max_length=20, choices=BulkKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The confirmation page's nonce: a second submission of the same page finds this job.
    token = models.CharField(max_length=64, unique=True, editable=False)
    # The reason or message given, and the filter the selection came from (for the record).
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BulkJobStatus.choices, default=BulkJobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("items"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The run's pulse: set when a run claims the job and after every item it handles. A running
    # job silent for ``BULK_JOB_STALE_MINUTES`` lost its worker; the sweep queues it again
    # (``runs`` counts the runs, so a job that kills every worker is not tried for ever).
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    runs = models.PositiveSmallIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        indexes = [
            models.Index(fields=["congress", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"], name="bulkjob_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.total})"

    @property
    def handled(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100
        return min(100, self.handled * 100 // self.total)

    @property
    def is_running(self) -> bool:
        return self.status != BulkJobStatus.DONE


class BulkJobItem(models.Model):
    """One order (or delegate) of a job. Skipped at planning when it did not qualify; pending
    until the run reaches it, then done, skipped or failed with the reason."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(
        "registrations.Order", on_delete=models.SET_NULL, related_name="+", null=True
    )
    delegate = models.ForeignKey(
        "registrations.Delegate", on_delete=models.SET_NULL, related_name="+", null=True
    )
    label = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(
        max_length=10, choices=BulkItemOutcome.choices, default=BulkItemOutcome.PENDING
    )
    reason = models.CharField(max_length=500, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "outcome"])]

    def __str__(self) -> str:
        return self.label
