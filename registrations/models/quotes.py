"""Quotes (pro-forma invoices): a numbered, frozen offer a buyer's finance office needs before it
raises a purchase order. The quote's order holds the seats (a pending order whose hold ends when
the quote's hold does), so capacity is counted by the one capacity rule and never oversold."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..payments.enums import QuoteStatus
from .invoices import Invoice
from .orders import Order


class Quote(models.Model):
    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="quotes")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="quote")
    number = models.PositiveIntegerField(_("sequence"))
    full_number = models.CharField(_("number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.OPEN
    )
    issued_at = models.DateTimeField(_("issued"))
    valid_until = models.DateField(_("valid until"))
    seats_held_until = models.DateTimeField(_("seats held until"))
    currency = models.CharField(_("currency"), max_length=3)
    net = models.DecimalField(_("net"), max_digits=12, decimal_places=2)
    tax = models.DecimalField(_("tax"), max_digits=12, decimal_places=2)
    gross = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax_label = models.CharField(max_length=40)
    reverse_charge = models.BooleanField(default=False)
    lines = models.JSONField(default=list)
    seller = models.JSONField(default=dict)
    buyer = models.JSONField(default=dict)
    requested_by_buyer = models.BooleanField(
        _("requested by the buyer"), default=False, help_text=_("Not created by the organisers.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    invoice = models.OneToOneField(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote",
        verbose_name=_("invoice"),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["congress", "-number"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="quote_number_unique")
        ]
        indexes = [models.Index(fields=["congress", "status"], name="quote_status_idx")]

    def __str__(self) -> str:
        return self.full_number

    @property
    def is_open(self) -> bool:
        return self.status == QuoteStatus.OPEN

    @property
    def filename(self) -> str:
        return f"{self.full_number}.pdf".replace("/", "-")
