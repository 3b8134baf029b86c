"""The e-mail log (every message the site sent to a delegate or an order's contact) and the
outbox (an organiser's message to a filtered set of them, one logged e-mail per recipient).

The log lives in ``registrations`` because what a message is about (an order, a delegate) is
this app's; the core's mail module writes to it through the ``EMAIL_LOG`` setting."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..enums import EmailStatus, OutboxAudience
from .orders import Delegate, Order

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10000


class OutboxMessage(models.Model):
    """What an organiser wrote and to whom (the filter as given and as described); its
    recipients are the ``SentEmail`` rows that point to it. ``nonce`` makes a resubmitted
    send form find the message already sent instead of sending it twice."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="outbox_messages")
    nonce = models.CharField(max_length=64, unique=True)
    audience = models.CharField(_("recipients"), max_length=16, choices=OutboxAudience.choices)
    query = models.TextField(_("filter"), blank=True)
    audience_description = models.TextField(_("audience"), blank=True)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("body"))
    # {"fr": {"subject": "...", "body": "..."}}: per-language versions the organiser gave
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.congress.slug}: {self.subject}"


class SentEmail(models.Model):
    """One message to one address, as it was sent (subject and text in the recipient's
    language), with where it stands."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="sent_emails", null=True, blank=True
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, related_name="sent_emails", null=True, blank=True
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.SET_NULL, related_name="sent_emails", null=True, blank=True
    )
    outbox_message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="recipients",
        null=True,
        blank=True,
    )
    recipient = models.CharField(_("to"), max_length=320)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=400)
    text = models.TextField(_("text"))
    html = models.TextField(blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    has_attachment = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        indexes = [
            models.Index(fields=["order", "created_at"], name="sent_email_order"),
            models.Index(fields=["outbox_message", "status"], name="sent_email_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"
