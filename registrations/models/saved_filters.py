"""A named set of filters of the organisers' delegate list, kept per person and congress and
shown to the whole team if its owner shares it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

NAME_MAX_LENGTH = 80
QUERY_MAX_LENGTH = 2000


class SavedDelegateFilter(models.Model):
    """The list's query string (filters, sort, columns; never a page number) under a name."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="saved_delegate_filters",
        verbose_name=_("congress"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_delegate_filters",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    query = models.CharField(_("filters"), max_length=QUERY_MAX_LENGTH, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "owner", "name"], name="saveddelegatefilter_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
