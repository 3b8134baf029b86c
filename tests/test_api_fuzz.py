"""Every operation of ``/api/schema/`` fuzzed by schemathesis, in-process through the WSGI app,
anonymously and with an owner's token: no answer is a 5xx, every answer's status, content type
and body are the ones the schema documents.

Bounded and repeatable for CI: a fixed seed, derandomised generation, a few examples per
operation and no example database. The schema is loaded once, at collection, from the real
``/api/schema/`` view; each operation then runs against its own fresh data (one test each).
"""

import datetime as dt

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings

from registrations.enums import OrderStatus
from sessions import services as agenda
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    RoomFactory,
    VenueFactory,
    api_key,
)

SLUG = "wcg-2027"
# What "matches the schema" means here. Left out: checks that judge API design rather than
# correctness (that a lenient API ignores an unknown query parameter, or that a request valid
# by the schema may still break a business rule and get a 400).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def _config(max_examples: int, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20271029,
            "parameters": {"path.congress_slug": SLUG},
            "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            # The coverage phase sends each parameter's boundary and wrong-typed values once
            # (it found `rooms/null%2Cnull/`); it is the costly part, so only the owner runs it.
            "phases": {"coverage": {"enabled": coverage, "unexpected-methods": []}},
        }
    )


def _load(*, max_examples: int, coverage: bool):
    # Collection runs before pytest-django's test settings; localhost is schemathesis's host.
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        return schemathesis.openapi.from_wsgi(
            "/api/schema/", WSGIHandler(), config=_config(max_examples, coverage)
        )


owner_schema = _load(max_examples=10, coverage=True)
anonymous_schema = _load(max_examples=4, coverage=False)


@pytest.fixture
def app_in_test_transaction(db, settings):
    """Requests go through the real WSGI handler but stay inside the test's transaction: the
    handler must not close the connection at the end of each request (Django's own test
    client does the same)."""
    settings.ALLOWED_HOSTS = ["localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fast_passwords(settings):
    """The personas' passwords are hashed once per operation: with the cheapest hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def congress_data(fast_passwords, congress, alice):
    """A congress with one of everything the API lists, including a speaker with a name only."""
    venue = VenueFactory(congress=congress)
    room = RoomFactory(venue=venue, opens_at=dt.time(8), closes_at=dt.time(20))
    rtype = RegistrationTypeFactory(congress=congress, code="member")
    DelegateFactory(order=OrderFactory(congress=congress), registration_type=rtype)
    DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PENDING_PAYMENT),
        registration_type=rtype,
        country="",
    )
    speaker = agenda.create_speaker(congress=congress, by=alice, name="Only A. Name")
    agenda.create_track(congress=congress, by=alice, name="Climate", slug="climate")
    starts = dt.datetime.combine(congress.start_date, dt.time(10), tzinfo=congress.tz)
    agenda.create_session(
        congress=congress,
        by=alice,
        title="Urban heat",
        room=room,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        speakers=[(speaker, "speaker")],
    )
    agenda.publish_schedule(congress=congress, by=alice)


@pytest.fixture
def owner_token(alice, congress):
    return api_key(alice, congress, role="owner")


FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


@owner_schema.parametrize()
@FUZZ
def test_api_as_an_owner(case, app_in_test_transaction, congress_data, owner_token):
    case.call_and_validate(headers={"Authorization": f"Token {owner_token}"})


@anonymous_schema.parametrize()
@FUZZ
def test_api_anonymously(case, app_in_test_transaction, congress_data):
    case.call_and_validate()


def test_each_operation_is_a_test_item_of_its_own(request):
    """xdist's loadgroup scheduling (CI) keys items by node id: equal ids would run once."""
    ids = [
        item.nodeid
        for item in request.session.items
        if item.nodeid.startswith("tests/test_api_fuzz.py::test_api_")
    ]
    if not ids:
        pytest.skip("the schemathesis items are not selected in this run")
    assert len(ids) == len(set(ids))
    assert all(nodeid.endswith("/]") for nodeid in ids)
