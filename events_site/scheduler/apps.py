from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SchedulerConfig(AppConfig):
    name = "events_site.scheduler"
    label = "scheduler"
    verbose_name = _("Periodic jobs")

    def ready(self) -> None:
        from .schedule import check_schedule

        checks.register(check_schedule)
