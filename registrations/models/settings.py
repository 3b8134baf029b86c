"""Per-congress registration rules: overall capacity, seat holds, deadlines, cancellation fee."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress


def seat_cap_refusal(seats: int | None, largest_delegation: int | None) -> str | None:
    """Why a seat cap per e-mail address is refused (None: it is fine): below the largest
    delegation per order, one order of a whole delegation could never be placed."""
    if seats is None or largest_delegation is None or seats >= largest_delegation:
        return None
    return _(
        "Keep it at least the largest delegation per order (%(n)s), or one order "
        "of a whole delegation could never be placed."
    ) % {"n": largest_delegation}


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

    # How delegates may pay (the finance page switches them; at least one stays on).
    accept_card = models.BooleanField(
        _("accept card payment"),
        default=True,
        help_text=_(
            "Delegates may pay by card through Stripe (only where Stripe is configured on the "
            "server)."
        ),
    )
    accept_bank_transfer = models.BooleanField(
        _("accept bank transfer (pay by invoice)"),
        default=True,
        help_text=_(
            "Delegates may ask for an invoice and pay it by bank transfer to the account below."
        ),
    )
    # Seat hoarding counted in seats, not orders: one order of a whole delegation, or many
    # orders under fresh e-mail addresses, are held to these (delegates in unpaid orders that
    # still hold seats, the new order's included). Empty: no cap.
    max_unpaid_seats_per_email = models.PositiveIntegerField(
        _("unpaid seats per e-mail address"),
        null=True,
        blank=True,
        default=20,
        help_text=_(
            "A new order is refused if the unpaid orders of its e-mail address would hold more "
            "seats than this. Keep it at least the largest delegation per order. Empty means "
            "no cap."
        ),
    )
    max_unpaid_seats_per_address = models.PositiveIntegerField(
        _("unpaid seats per client address"),
        null=True,
        blank=True,
        default=60,
        help_text=_(
            "A new order is refused if the unpaid orders placed from its network address would "
            "hold more seats than this (offices and venues share one address: keep it "
            "generous). Empty means no cap."
        ),
    )
    # The last seats: once this few are left, one client address may hold only a few of them
    # unpaid, so a script (or one large order) cannot sit on the end of the sale.
    last_seats_threshold = models.PositiveIntegerField(
        _("last seats: when this few seats are left"),
        null=True,
        blank=True,
        default=10,
        help_text=_(
            "Once this few seats are left, the stricter cap below applies to every new order. "
            "Empty means no last-seats rule."
        ),
    )
    last_seats_per_address = models.PositiveIntegerField(
        _("last seats: unpaid seats per client address"),
        default=4,
        help_text=_(
            "Among the last seats, the unpaid orders placed from one network address may hold "
            "at most this many seats, the new order included."
        ),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.congress)

    def clean(self) -> None:
        super().clean()
        if not (self.accept_card or self.accept_bank_transfer):
            raise ValidationError(
                {"accept_bank_transfer": _("Keep at least one way to pay: card or bank transfer.")},
                code="no_payment_method",
            )

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
