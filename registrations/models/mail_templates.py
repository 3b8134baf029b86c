"""An organiser's wording of one automatic e-mail, for one congress and one language.

It lives in ``registrations`` because every automatic e-mail it can replace is sent by this
app (the core imports no app, and would have nothing to send it with)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..enums import MailKey

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


class MailTemplate(models.Model):
    """Replaces the default template of ``key`` for this congress and language; deleting the
    row (reset to default) brings the default back."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="mail_templates",
        verbose_name=_("congress"),
    )
    key = models.CharField(_("e-mail"), max_length=32, choices=MailKey.choices)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("automatic e-mail")
        verbose_name_plural = _("automatic e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "key", "language"], name="mail_template_once_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.congress.slug}: {self.key} ({self.language})"
