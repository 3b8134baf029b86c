"""With the cache (Redis) down, registration still works: the cache is an optimisation, never
a reason for a 500, and capacity is decided by the database, so nothing is oversold.

The cache is a real ``RedisCache`` pointed at a port nobody listens on: every call fails the
way it fails in production when Redis is gone.
"""

import socket

import pytest
from django.urls import reverse

from registrations.models import Order
from tests.factories import RegistrationTypeFactory

from .test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    from django.core.cache import cache

    with pytest.raises(Exception, match="(?i)connect"):
        cache.get("anything")  # really down
    return settings


def test_the_register_pages_answer_and_an_order_is_placed_with_the_cache_down(
    client, congress, regtype, cache_down
):
    start = client.get(reverse("registrations:start", kwargs={"congress_slug": congress.slug}))
    assert start.status_code == 200
    page = client.get(details_url(congress), {"registration_type": "member", "delegates": 2})
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()
    placed = client.post(details_url(congress), form_data(regtype, 2))
    assert placed.status_code == 302
    assert Order.objects.get().delegates.count() == 2


def test_organiser_changes_are_saved_with_the_cache_down(congress, regtype, cache_down):
    regtype.name = "Member city"
    regtype.save()  # the page cache's invalidation must not turn this into an error
    congress.name = "Renamed"
    congress.save()
    regtype.refresh_from_db()
    assert regtype.name == "Member city"


def test_the_last_seat_is_sold_once_with_the_cache_down(client, congress, cache_down):
    rtype = RegistrationTypeFactory(congress=congress, code="last", capacity=1)
    first = client.post(details_url(congress), form_data(rtype, 1, token="tok-a"))
    second = client.post(details_url(congress), form_data(rtype, 1, token="tok-b"))
    assert first.status_code == 302
    assert second.status_code == 400
    assert "seat" in second.content.decode()
    assert Order.objects.count() == 1
