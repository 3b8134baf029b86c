import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges and check-in")

    def ready(self) -> None:
        # WeasyPrint reports every layout step at INFO; a 20,000-badge batch would flood the log.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
