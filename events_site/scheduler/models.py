"""What the scheduler must remember across restarts and share between its processes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJobState(models.Model):
    """The last slot enqueued for one entry of ``PERIODIC_TASKS``: a restarted scheduler enqueues
    a missed slot once, and a second scheduler never enqueues a slot already taken."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    last_slot = models.DateTimeField(_("last slot enqueued"), null=True, blank=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    last_result_id = models.CharField(_("last task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class SchedulerLease(models.Model):
    """Which scheduler process enqueues (the others wait as standbys) and until when: a holder
    that stops renewing it loses it once ``expires_at`` has passed."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("scheduler lease")
        verbose_name_plural = _("scheduler leases")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
