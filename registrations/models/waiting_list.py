"""The waiting list: who asked for a seat when a type was sold out, and the offers made."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..enums import WaitingListStatus
from .orders import Order, RegistrationType, new_secret


class WaitingListEntry(models.Model):
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="waiting_list", verbose_name=_("congress")
    )
    registration_type = models.ForeignKey(
        RegistrationType,
        on_delete=models.CASCADE,
        related_name="waiting_list",
        verbose_name=_("registration type"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WaitingListStatus.choices,
        default=WaitingListStatus.WAITING,
        db_index=True,
    )
    token = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waiting_list_entries",
        verbose_name=_("order"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        indexes = [models.Index(fields=["registration_type", "status"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_waiting(self) -> bool:
        return self.status == WaitingListStatus.WAITING

    @property
    def is_offered(self) -> bool:
        return self.status == WaitingListStatus.OFFERED

    @property
    def is_on_the_list(self) -> bool:
        """Still waiting or holding an offer: the ones the organisers can act on."""
        return self.is_waiting or self.is_offered
