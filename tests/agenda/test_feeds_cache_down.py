"""With the cache (Redis) down, feeds are built for each request instead of answering 500."""

import socket

import icalendar
import pytest
from django.test import override_settings

from tests.agenda.test_feeds import ics_url, published  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_schedule_feed_answers_with_the_cache_down(client, congress, published):  # noqa: F811
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    redis_down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    with override_settings(CACHES=redis_down):  # restored before the agenda's cache.clear()
        response = client.get(ics_url(congress))
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert "Bond workshop" in {str(event["summary"]) for event in events}
