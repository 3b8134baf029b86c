"""The settings ``bench/congress_day.py`` runs the site with: the production settings,
unchanged, plus the bench's URLs (``congress_day_urls``: the site's and one trivial view).
Used only by the bench, with ``bench/`` on the path."""

from events_site.settings import *  # noqa: F403 - the production settings, unchanged

ROOT_URLCONF = "congress_day_urls"
