"""Breaks and the contributions of session blocks (models imported by ``models.py``).

A break (coffee, lunch, a plenary block) occupies all rooms or some for its time: no session can
be placed over it there. A contribution is one short talk inside a session block (a paper
session, a panel), in the block's order, lasting its own minutes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress, Room

from .enums import MAX_SESSION_MINUTES, BreakKind


class Break(models.Model):
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="breaks", verbose_name=_("congress")
    )
    code = models.CharField(_("code"), max_length=12, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=BreakKind.choices, default=BreakKind.COFFEE
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    all_rooms = models.BooleanField(_("in all rooms"), default=True)
    rooms = models.ManyToManyField(
        Room, blank=True, related_name="agenda_breaks", verbose_name=_("rooms")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "code"]
        verbose_name = _("break")
        verbose_name_plural = _("breaks")
        constraints = [
            models.UniqueConstraint(fields=["congress", "code"], name="break_code_unique"),
        ]
        indexes = [models.Index(fields=["congress", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": _("A break must end after it starts.")}, code="end_before_start"
            )


class Contribution(models.Model):
    session = models.ForeignKey(
        "agenda.Session",
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("session"),
    )
    code = models.CharField(_("code"), max_length=12, editable=False)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True, max_length=10000)
    minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)],
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    speakers = models.ManyToManyField(
        "agenda.Speaker", blank=True, related_name="contributions", verbose_name=_("speakers")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(fields=["session", "code"], name="contribution_code_unique"),
        ]

    def __str__(self) -> str:
        return self.title
