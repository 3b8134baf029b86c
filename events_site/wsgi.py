"""WSGI entry point: ``gunicorn events_site.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")

application = get_wsgi_application()

# Work each worker would otherwise do on its first request, done once before ``--preload``
# forks them: compiling the browser rules of the sign-in history.
from events_site.congresses.sign_in_history import user_agent_parser  # noqa: E402

user_agent_parser()
