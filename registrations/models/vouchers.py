"""Vouchers and discount codes (also invitations and fee waivers), and the member list."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ..enums import VoucherKind
from ..search_keys import normalise_search_text
from .orders import RegistrationType


class Voucher(models.Model):
    """A code that changes a delegate's price. One delegate priced with it is one use.

    An invitation is a single-use voucher for a complimentary type; a fee waiver is a
    100 % voucher (or a set price of 0)."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="vouchers", verbose_name=_("congress")
    )
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(
        _("kind"), max_length=16, choices=VoucherKind.choices, default=VoucherKind.PERCENTAGE
    )
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Percent, amount off or the price to charge, depending on the kind."),
    )
    max_uses = models.PositiveIntegerField(
        _("maximum uses"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    registration_types = models.ManyToManyField(
        RegistrationType,
        blank=True,
        related_name="vouchers",
        verbose_name=_("registration types"),
        help_text=_("Empty means every type."),
    )
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The batch a code was drawn in (``services.vouchers.create_voucher_batch``), so that the
    # organiser can list and download that batch's codes; blank for a voucher made on its own.
    batch = models.CharField(_("batch"), max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["congress", "code"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(fields=["congress", "code"], name="voucher_code_unique")
        ]
        indexes = [
            models.Index(
                fields=["congress", "batch"],
                condition=~models.Q(batch=""),
                name="voucher_batch_idx",
            )
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("The value cannot be negative.")})
        if self.kind == VoucherKind.PERCENTAGE and self.value is not None and self.value > 100:
            raise ValidationError({"value": _("A percentage cannot exceed 100.")})

    def apply(self, price: Decimal) -> Decimal:
        """The price after this voucher, never below zero."""
        if self.kind == VoucherKind.PERCENTAGE:
            discounted = price * (Decimal(100) - self.value) / Decimal(100)
        elif self.kind == VoucherKind.FIXED:
            discounted = price - self.value
        else:
            discounted = self.value
        return max(Decimal("0.00"), discounted).quantize(Decimal("0.01"))


def normalise_organisation_name(name: str) -> str:
    """Casefolded, accent-free, punctuation-light form used to match member organisations
    (and to search them): "Ville de Montréal" and "VILLE DE MONTREAL" are one organisation.
    The same key the delegate search uses (``search_keys``)."""
    return normalise_search_text(name)


class MemberOrganisation(models.Model):
    """An organisation entitled to the member rate, imported from the organisers' CSV."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="member_organisations",
        verbose_name=_("congress"),
    )
    name = models.CharField(_("name"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    reference = models.CharField(_("member number"), max_length=60, blank=True)

    class Meta:
        ordering = ["congress", "name"]
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "normalised_name"], name="member_organisation_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_organisation_name(self.name)
        super().save(*args, **kwargs)
