from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    """The site's integrity checks (``manage.py check_integrity``); no models."""

    name = "events_site.integrity"
    label = "integrity"
    verbose_name = "Integrity checks"
