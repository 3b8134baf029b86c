"""Concurrent sign-ups for the last seat, with real threads and connections on PostgreSQL.

A pair (STYLE.md): with the row lock switched off the race really overbooks; with it on, the
seat limit holds. The check-then-write window is widened by a short pause after counting seats,
so the race is reproducible rather than lucky.
"""

import threading
import time

import pytest
from django.db import close_old_connections, connection

from sessions import services
from sessions.enums import SessionFormat, SignupStatus
from sessions.models import SessionSignup
from sessions.services import personal
from tests.factories import DelegateFactory, OrderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


@pytest.fixture
def workshop(congress, alice, make_session, small_room):
    session = make_session(
        title="Last seat", format=SessionFormat.WORKSHOP, capacity=1, room=small_room
    )
    services.publish_schedule(congress=congress, by=alice)
    return session


@pytest.fixture
def slow_count(monkeypatch):
    original = personal.seats_taken

    def counted_then_pause(session):
        taken = original(session)
        time.sleep(0.15)
        return taken

    monkeypatch.setattr(personal, "seats_taken", counted_then_pause)


def race(congress, workshop) -> list:
    delegates = [DelegateFactory(order=OrderFactory(congress=congress)) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list = []

    def attempt(delegate):
        try:
            barrier.wait()
            services.sign_up(delegate=delegate, session=workshop)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(d,)) for d in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_without_the_lock_concurrent_sign_ups_overbook(congress, workshop, slow_count, monkeypatch):
    monkeypatch.setattr(personal, "USE_SEAT_LOCK", False)
    errors = race(congress, workshop)
    assert not errors
    seats = SessionSignup.objects.filter(session=workshop, status=SignupStatus.SEAT).count()
    assert seats > 1, "the race did not happen: this test would prove nothing"


def test_the_lock_keeps_concurrent_sign_ups_within_capacity(congress, workshop, slow_count):
    errors = race(congress, workshop)
    assert not errors
    assert SessionSignup.objects.filter(session=workshop, status=SignupStatus.SEAT).count() == 1
    assert SessionSignup.objects.filter(session=workshop, status=SignupStatus.WAITING).count() == (
        THREADS - 1
    )


def test_a_session_lock_held_too_long_becomes_busy_and_gives_no_seat(congress, workshop, settings):
    """Through the core's lock helper: the session's row only, under the timeout, ``Busy``."""
    from django.db import transaction

    from events_site.congresses.errors import Busy
    from events_site.congresses.models import Congress

    settings.CAPACITY_LOCK_TIMEOUT_MS = 100
    delegate = DelegateFactory(order=OrderFactory(congress=congress))
    holding, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                personal.lock_session(workshop)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(10)
    try:
        with transaction.atomic():  # the congress's row is not locked with the session's
            Congress.objects.select_for_update(nowait=True).get(pk=congress.pk)
        with pytest.raises(Busy):
            services.sign_up(delegate=delegate, session=workshop)
    finally:
        release.set()
        thread.join()
    assert not SessionSignup.objects.filter(delegate=delegate).exists()
