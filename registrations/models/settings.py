"""Per-congress registration rules: overall capacity, seat holds, deadlines, cancellation fee."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress


class RegistrationSettings(models.Model):
    congress = models.OneToOneField(
        Congress,
        on_delete=models.CASCADE,
        related_name="registration_settings",
        verbose_name=_("congress"),
    )
    total_capacity = models.PositiveIntegerField(
        _("total capacity"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    hold_minutes = models.PositiveIntegerField(
        _("seat hold (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long seats are held while an order is paid; empty means the default."),
    )
    approval_payment_days = models.PositiveIntegerField(_("days to pay after approval"), default=7)
    max_delegates_per_order = models.PositiveIntegerField(
        _("largest delegation per order"), default=20
    )
    edit_deadline = models.DateTimeField(
        _("delegates may edit their details until"), null=True, blank=True
    )
    cancellation_deadline = models.DateTimeField(
        _("delegates may cancel until"), null=True, blank=True
    )
    cancellation_fee = models.DecimalField(
        _("cancellation fee per delegate"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
    )
    waiting_list_enabled = models.BooleanField(_("waiting list"), default=True)
    waiting_list_offer_hours = models.PositiveIntegerField(
        _("hours a freed seat is kept for the next person"), default=48
    )
    reminder_after_hours = models.PositiveIntegerField(
        _("remind unpaid orders after (hours)"), default=24
    )
    # Seat hoarding: a new order is refused while its e-mail address (or the client address it
    # comes from) already has this many unpaid orders holding seats. Empty: no cap.
    max_unpaid_orders_per_email = models.PositiveIntegerField(
        _("unpaid orders per e-mail address"),
        null=True,
        blank=True,
        default=3,
        help_text=_(
            "New orders are refused while one e-mail address has this many unpaid orders "
            "holding seats. Empty means no cap."
        ),
    )
    max_unpaid_orders_per_address = models.PositiveIntegerField(
        _("unpaid orders per client address"),
        null=True,
        blank=True,
        default=10,
        help_text=_(
            "New orders are refused while one network address has this many unpaid orders "
            "holding seats (offices and venues share one address: keep it generous). "
            "Empty means no cap."
        ),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.congress)

    @classmethod
    def for_congress(cls, congress: Congress) -> "RegistrationSettings":
        """The congress's settings (an unsaved default if none were made yet), read once per
        congress object: capacity counts and pages ask for them many times per request."""
        cached = congress.__dict__.get("_registration_settings")
        if cached is not None:
            return cached
        found = cls.objects.filter(congress_id=congress.pk).first() or cls(congress=congress)
        congress.__dict__["_registration_settings"] = found
        return found

    @property
    def hold(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.hold_minutes or settings.SEAT_HOLD_MINUTES)
