"""Static files in production: hashed names and compressed copies (WhiteNoise's manifest
storage), so WhiteNoise can send them cached for a year and more (issue 19)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware
print(settings.STORAGES["staticfiles"]["BACKEND"])
print(getattr(settings, "WHITENOISE_MAX_AGE", "default"))
print(WhiteNoiseMiddleware.FOREVER)
"""


def _production_settings() -> list[str]:
    env = dict(
        os.environ, DEBUG="0", SECRET_KEY="x" * 60, DJANGO_SETTINGS_MODULE="events_site.settings"
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()


def test_production_serves_hashed_compressed_static_files_cached_for_years():
    backend, max_age, forever = _production_settings()
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert max_age == "default"  # no override shortens WhiteNoise's caching of hashed names
    assert int(forever) >= 365 * 24 * 3600
