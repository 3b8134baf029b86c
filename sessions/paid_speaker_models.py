"""A confirmed speaker's answer to the refund (or the change to the speaker registration type)
their call offers because they had already registered and paid as a delegate (imported by
``models.py``). A row exists only once the speaker answered: an offer not answered yet is read
from the call's policy and the paid registration, never written on a page view."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import PaidSpeakerOfferState


class PaidSpeakerOffer(models.Model):
    person = models.ForeignKey(
        "agenda.ProposalPerson",
        on_delete=models.CASCADE,
        related_name="paid_offers",
        verbose_name=_("person"),
    )
    delegate = models.ForeignKey(
        "registrations.Delegate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegate"),
    )
    order_code = models.CharField(_("order"), max_length=32)
    registration_type = models.CharField(_("registration type"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(_("state"), max_length=16, choices=PaidSpeakerOfferState.choices)
    answered_at = models.DateTimeField(_("answered at"))
    refunded_at = models.DateTimeField(_("refund requested at"), null=True, blank=True)
    refund_note = models.CharField(_("refund note"), max_length=300, blank=True)
    offered_type = models.CharField(
        _("registration type offered instead"),
        max_length=200,
        blank=True,
        help_text=_(
            "Under the change policy: the speaker registration type offered instead of a refund."
        ),
    )

    class Meta:
        ordering = ["answered_at", "pk"]
        verbose_name = _("refund offer to a speaker who paid")
        verbose_name_plural = _("refund offers to speakers who paid")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "order_code"], name="paid_speaker_offer_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.order_code}: {self.state}"
