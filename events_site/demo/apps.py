from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The site's own app: the demo congress generator (above every other app)."""

    name = "events_site.demo"
    label = "demo"
    verbose_name = "Demo"
