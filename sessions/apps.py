from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    """The agenda app. Its label is ``agenda``: ``sessions`` belongs to django.contrib.sessions."""

    name = "sessions"
    label = "agenda"
    verbose_name = _("Agenda")
