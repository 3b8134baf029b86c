from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    """One signed-in browser of a person, listed on their sign-in activity page and ended from
    there. The session holds a random token; the row keeps only its SHA-256, so reading this
    table signs no one in. A signed-in session whose token has no row has been ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # A hash of the session's password HMAC: a password change ends the other sessions
    # (Django's session verification), and their rows stop being listed.
    password_mark = models.CharField(max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)
    browser = models.CharField(_("browser"), max_length=160, blank=True)
    # Organiser and staff sessions end after ORGANISER_IDLE_TIMEOUT seconds without a request.
    idle_timeout = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user", "last_seen_at"], name="accounts_session_user_seen")]

    def __str__(self) -> str:
        return f"{self.user} – {self.browser} – {self.address}"
