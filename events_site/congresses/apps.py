from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressesConfig(AppConfig):
    name = "events_site.congresses"
    label = "congresses"
    verbose_name = _("Congresses")
