"""Two schedulers ticking at once enqueue each slot once: concurrency tests in pairs on
PostgreSQL, with real threads and connections. With the locks switched off the schedulers really
enqueue the same slot twice (so the race can be seen); with them on, never. Reading the last
slot is slowed down a little in every run so that the window a race needs is wide enough."""

import datetime as dt
import threading
import time

import pytest
from django.db import close_old_connections, connection

from events_site.scheduler import services
from events_site.scheduler.schedule import load_schedule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCHEDULERS = 8
SLOTS = 5
EXPIRE = "registrations.tasks.expire_holds"
T0 = dt.datetime(2026, 12, 1, 10, 0, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def one_job_on_the_database_backend(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "emails", "batch"],
        }
    }
    settings.PERIODIC_TASKS = {"expire_holds": {"task": EXPIRE, "every": dt.timedelta(minutes=1)}}


@pytest.fixture
def slow_read(monkeypatch):
    real = services.last_slots

    def slowed(**kwargs):
        result = real(**kwargs)
        time.sleep(0.02)
        return result

    monkeypatch.setattr(services, "last_slots", slowed)


def run_schedulers(*, holders: list[str]) -> None:
    """Each scheduler ticks once in each of SLOTS minutes, all of them at the same moment."""
    schedule = load_schedule()
    barrier = threading.Barrier(len(holders))
    errors = []

    def scheduler(holder):
        try:
            for minute in range(SLOTS):
                barrier.wait()
                services.tick(
                    holder=holder,
                    now=T0 + dt.timedelta(minutes=minute),
                    lease_for=dt.timedelta(hours=1),
                    schedule=schedule,
                )
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(h,)) for h in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    assert not errors, errors


def enqueued_count() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=EXPIRE).count()


def test_without_the_locks_two_schedulers_enqueue_the_same_slot_twice(slow_read, monkeypatch):
    monkeypatch.setattr(services, "LOCKING_ENABLED", False)
    run_schedulers(holders=[f"s{n}" for n in range(SCHEDULERS)])
    assert enqueued_count() > SLOTS, "the race did not show; the paired test would prove nothing"


def test_concurrent_schedulers_enqueue_each_slot_exactly_once(slow_read):
    run_schedulers(holders=[f"s{n}" for n in range(SCHEDULERS)])
    assert enqueued_count() == SLOTS


def test_schedulers_that_all_believe_they_lead_still_enqueue_each_slot_once(slow_read):
    """A paused leader waking after its lease passed: the lease no longer separates them, the
    lock on the job's row still does."""
    run_schedulers(holders=["same-holder"] * SCHEDULERS)
    assert enqueued_count() == SLOTS
