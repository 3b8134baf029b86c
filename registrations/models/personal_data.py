"""Erasure requests from delegates and each congress's retention schedule for personal data."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..enums import ErasureRequestStatus
from .orders import Delegate

# The GDPR (Art. 12(3)) gives one month to act on a request.
ERASURE_DEADLINE = dt.timedelta(days=30)


class ErasureRequest(models.Model):
    """A delegate asked (from their secret link) for their personal data to be erased; an
    organiser carries it out from the personal-data page before ``due_at``."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="erasure_requests",
        verbose_name=_("congress"),
    )
    delegate = models.ForeignKey(
        Delegate,
        on_delete=models.CASCADE,
        related_name="erasure_requests",
        verbose_name=_("delegate"),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ErasureRequestStatus.choices,
        default=ErasureRequestStatus.OPEN,
        db_index=True,
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_at = models.DateTimeField(_("to be carried out by"))
    done_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried out by"),
    )

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["delegate"],
                condition=models.Q(status="open"),
                name="one_open_erasure_request_per_delegate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.delegate_id} ({self.get_status_display()})"


class RetentionPolicy(models.Model):
    """How many days after the congress's last day each group of personal data is kept;
    empty keeps it until the delegate is erased."""

    congress = models.OneToOneField(
        Congress,
        on_delete=models.CASCADE,
        related_name="retention_policy",
        verbose_name=_("congress"),
    )
    identity_documents_days = models.PositiveIntegerField(
        _("passport and ID document numbers"), null=True, blank=True
    )
    phone_numbers_days = models.PositiveIntegerField(_("phone numbers"), null=True, blank=True)
    accessibility_needs_days = models.PositiveIntegerField(
        _("accessibility needs"), null=True, blank=True
    )
    dietary_needs_days = models.PositiveIntegerField(_("dietary needs"), null=True, blank=True)
    sensitive_answers_days = models.PositiveIntegerField(
        _("answers to sensitive questions"), null=True, blank=True
    )
    billing_addresses_days = models.PositiveIntegerField(
        _("billing addresses of private buyers"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return str(self.congress)
