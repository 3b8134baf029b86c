"""Slides a speaker uploads for their session, before it or after it (imported by
``models.py``). The file went through the upload pipeline: its type comes from its content and
its name is random; the public downloads it by the row's own code, never by an id."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import SlidesMoment

MAX_SLIDES_TITLE = 200


def new_slides_code() -> str:
    return secrets.token_urlsafe(12)


class SessionSlides(models.Model):
    session = models.ForeignKey(
        "agenda.Session", on_delete=models.CASCADE, related_name="slides", verbose_name=_("session")
    )
    speaker = models.ForeignKey(
        "agenda.Speaker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slides",
        verbose_name=_("uploaded by"),
    )
    code = models.CharField(max_length=24, unique=True, default=new_slides_code, editable=False)
    title = models.CharField(_("title"), max_length=MAX_SLIDES_TITLE, blank=True)
    file = models.FileField(_("file"), upload_to="slides/", max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    moment = models.CharField(_("when"), max_length=8, choices=SlidesMoment.choices)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("slides")
        verbose_name_plural = _("slides")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.title or self.code}"

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].upper() if self.file else ""
