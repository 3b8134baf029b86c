"""Several desks scan the same badge at the same moment: exactly one checks the person in.

A pair (STYLE.md): the first test shows the race is real when the compare-and-set guard is
replaced by a naive read-then-write; the second that the guard prevents it. Real threads, real
PostgreSQL connections.
"""

import threading

import pytest
from django.db import connection

from badges import services
from badges.models import Badge, CheckIn
from tests.badges.conftest import make_delegate
from tests.factories import UserFactory

DESKS = 4

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_desks(badge, users):
    results, errors = [], []
    start = threading.Barrier(len(users))

    def desk(user, number):
        try:
            start.wait()
            results.append(services.check_in(badge=badge, by=user, desk=str(number)))
        except Exception as exc:  # surface it in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(u, n)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


@pytest.fixture
def setup(congress):
    delegate = make_delegate(congress)
    badge = services.badge_for(delegate=delegate)
    users = [UserFactory() for _ in range(DESKS)]
    return badge, users


def test_without_the_guard_two_desks_check_the_same_person_in(setup, monkeypatch):
    badge, users = setup
    read_done = threading.Barrier(DESKS)

    def naive_claim(*, badge_id, at, by, desk):
        current = Badge.objects.get(pk=badge_id)  # read ...
        read_done.wait()  # ... every desk has read "not checked in" ...
        if current.checked_in_at is None:  # ... and each decides alone
            current.checked_in_at, current.checked_in_by, current.checked_in_desk = at, by, desk
            current.save(update_fields=["checked_in_at", "checked_in_by", "checked_in_desk"])
            return True
        return False

    monkeypatch.setattr(services, "_claim", naive_claim)
    results = _run_desks(badge, users)
    assert sum(r.checked_in for r in results) == DESKS  # everyone "checked in": the race is real
    assert CheckIn.objects.filter(badge=badge).count() == DESKS


def test_with_the_guard_exactly_one_desk_checks_in(setup, monkeypatch):
    badge, users = setup
    real_claim = services._claim
    together = threading.Barrier(DESKS)

    def claim_together(**kwargs):
        together.wait()  # all desks reach the compare-and-set at the same moment
        return real_claim(**kwargs)

    monkeypatch.setattr(services, "_claim", claim_together)
    results = _run_desks(badge, users)
    assert sum(r.checked_in for r in results) == 1
    assert sum(r.already for r in results) == DESKS - 1
    assert CheckIn.objects.filter(badge=badge).count() == 1
    winner = next(r for r in results if r.checked_in)
    badge.refresh_from_db()
    assert badge.checked_in_by == winner.badge.checked_in_by
