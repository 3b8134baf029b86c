"""The scheduler of periodic jobs: the schedule is checked at start-up, each due job is enqueued
once per slot (and a missed slot once, not once per slot missed), a second scheduler waits as a
standby, and the demo starts it. Ticks take ``now`` so that nothing here sleeps."""

import datetime as dt
import logging
import re
import shlex
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from events_site.scheduler.models import PeriodicJobState, SchedulerLease
from events_site.scheduler.schedule import check_schedule, load_schedule
from events_site.scheduler.services import release_lease, tick
from registrations.enums import OrderStatus
from registrations.models import Order
from registrations.services.orders import place_order
from tests.factories import RegistrationTypeFactory
from tests.registrations.conftest import order_kwargs

ROOT = Path(__file__).resolve().parents[2]
EXPIRE = "registrations.tasks.expire_holds"
RECONCILE = "registrations.payments.tasks.reconcile_payments_task"
REMIND = "registrations.tasks.remind_unpaid_orders"
T0 = dt.datetime(2026, 12, 1, 10, 0, 30, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def db_backend(settings):
    """Enqueued tasks stay in the database (as with db_worker), so they can be counted."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "emails", "batch"],
        }
    }


@pytest.fixture
def schedule(settings):
    settings.PERIODIC_TASKS = {
        "expire_holds": {"task": EXPIRE, "every": MINUTE},
        "reconcile_payments": {"task": RECONCILE, "every": dt.timedelta(minutes=10)},
        "send_payment_reminders": {"task": REMIND, "cron": "0 * * * *"},
    }


def use_rq(settings, redis_url: str) -> None:
    settings.RQ_QUEUES = {
        name: {"URL": redis_url, "SOCKET_CONNECT_TIMEOUT": 1}
        for name in ("default", "emails", "batch")
    }
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default", "emails", "batch"],
        }
    }


def enqueued() -> dict[str, int]:
    from django_tasks_db.models import DBTaskResult

    counts: dict[str, int] = {}
    for path in DBTaskResult.objects.values_list("task_path", flat=True):
        counts[path] = counts.get(path, 0) + 1
    return counts


# --- The schedule from settings -----------------------------------------------------------------


def test_the_shipped_schedule_names_the_four_jobs_and_is_valid():
    jobs = {job.name: job for job in load_schedule()}
    assert {
        "expire_holds",
        "reconcile_payments",
        "send_payment_reminders",
        "fail_stale_print_jobs",
    } <= set(jobs)
    assert jobs["fail_stale_print_jobs"].task_path == "badges.tasks.fail_stale_print_jobs_task"
    assert jobs["expire_holds"].task_path == EXPIRE
    assert jobs["send_payment_reminders"].task_path == REMIND
    assert check_schedule() == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (["expire_holds"], "PERIODIC_TASKS must be a dict"),
        ({"": {"task": EXPIRE, "every": MINUTE}}, "the name ''"),
        ({"x" * 10_000: {"task": EXPIRE, "every": MINUTE}}, "at most 100 characters"),
        ({"bad\x00name": {"task": EXPIRE, "every": MINUTE}}, "letters, digits"),
        ({"<b>job</b>": {"task": EXPIRE, "every": MINUTE}}, "letters, digits"),
        ({"job": EXPIRE}, "PERIODIC_TASKS['job']: must be a dict"),
        ({"job": {"task": EXPIRE, "evry": MINUTE}}, "unknown key(s) 'evry'"),
        ({"job": {"task": EXPIRE}}, 'exactly one of "every"'),
        ({"job": {"task": EXPIRE, "every": MINUTE, "cron": "* * * * *"}}, 'exactly one of "every"'),
        ({"job": {"every": MINUTE}}, '"task" must be the dotted path'),
        ({"job": {"task": "registrations.tasks.no_such", "every": MINUTE}}, "cannot be imported"),
        ({"job": {"task": "no_such_module.task", "every": MINUTE}}, "cannot be imported"),
        (
            {"job": {"task": "registrations.services.orders.expire_stale_holds", "every": MINUTE}},
            "is not a task",
        ),
        (
            {"job": {"task": "registrations.tasks.send_order_email_task", "every": MINUTE}},
            "needs argument(s) order_id, template",
        ),
        ({"job": {"task": EXPIRE, "every": 60}}, '"every" must be a timedelta'),
        ({"job": {"task": EXPIRE, "every": dt.timedelta(0)}}, "at least one second"),
        ({"job": {"task": EXPIRE, "cron": "61 * * * *"}}, '"cron" must be a valid'),
        ({"job": {"task": EXPIRE, "cron": "* * * * * *"}}, "five-field"),
        ({"job": {"task": EXPIRE, "cron": "@hourly"}}, "five-field"),
        ({"job": {"task": EXPIRE, "cron": 5}}, '"cron" must be a valid'),
    ],
)
def test_a_bad_entry_stops_the_scheduler_with_one_line_naming_it(settings, entries, message):
    settings.PERIODIC_TASKS = entries
    with pytest.raises(ImproperlyConfigured) as caught:
        load_schedule()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("run_scheduler", "--once")
    [error] = check_schedule()
    assert error.id == "scheduler.E001" and message in error.msg


def test_a_task_on_a_queue_the_backend_does_not_serve_is_refused(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "emails"],
        }
    }
    settings.PERIODIC_TASKS = {"reconcile": {"task": RECONCILE, "every": MINUTE}}
    with pytest.raises(ImproperlyConfigured, match=r"PERIODIC_TASKS\['reconcile'\].*'batch'"):
        load_schedule()


def test_interval_slots_count_from_the_epoch_and_cron_slots_in_the_time_zone(settings):
    settings.TIME_ZONE = "Asia/Seoul"
    settings.PERIODIC_TASKS = {
        "ten": {"task": EXPIRE, "every": dt.timedelta(minutes=10)},
        "nine_am": {"task": EXPIRE, "cron": "0 9 * * *"},
    }
    jobs = {job.name: job for job in load_schedule()}
    now = dt.datetime(2026, 12, 1, 10, 17, 5, tzinfo=dt.UTC)
    assert jobs["ten"].latest_slot(now) == dt.datetime(2026, 12, 1, 10, 10, tzinfo=dt.UTC)
    assert jobs["ten"].next_slot(now) == dt.datetime(2026, 12, 1, 10, 20, tzinfo=dt.UTC)
    # 09:00 in Seoul is 00:00 UTC.
    assert jobs["nine_am"].latest_slot(now) == dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    assert jobs["nine_am"].next_slot(now) == dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)
    on_the_slot = dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC)
    assert jobs["nine_am"].latest_slot(on_the_slot) == on_the_slot


# --- Ticks ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tick_enqueues_each_due_job_exactly_once(db_backend, schedule):
    first = tick(holder="a", now=T0)
    assert first.leading
    assert sorted(e.name for e in first.enqueued) == [
        "expire_holds",
        "reconcile_payments",
        "send_payment_reminders",
    ]
    assert enqueued() == {EXPIRE: 1, RECONCILE: 1, REMIND: 1}

    assert tick(holder="a", now=T0 + dt.timedelta(seconds=20)).enqueued == []
    assert enqueued() == {EXPIRE: 1, RECONCILE: 1, REMIND: 1}

    # 10:01: only the every-minute job has a new slot.
    next_minute = tick(holder="a", now=T0 + dt.timedelta(seconds=30))
    assert [e.name for e in next_minute.enqueued] == ["expire_holds"]
    assert enqueued() == {EXPIRE: 2, RECONCILE: 1, REMIND: 1}
    state = PeriodicJobState.objects.get(name="expire_holds")
    assert state.last_slot == dt.datetime(2026, 12, 1, 10, 1, tzinfo=dt.UTC)
    assert state.last_result_id == next_minute.enqueued[0].result_id


@pytest.mark.django_db
def test_a_restarted_scheduler_enqueues_a_missed_slot_once_not_once_per_slot(db_backend, schedule):
    tick(holder="a", now=T0)
    # Down from 10:00:30 to 13:37 (217 minute slots, 21 ten-minute slots, 3 hourly slots missed).
    back = tick(holder="b", now=dt.datetime(2026, 12, 1, 13, 37, tzinfo=dt.UTC))
    assert back.leading  # a's lease lapsed long ago
    assert sorted(e.name for e in back.enqueued) == [
        "expire_holds",
        "reconcile_payments",
        "send_payment_reminders",
    ]
    assert enqueued() == {EXPIRE: 2, RECONCILE: 2, REMIND: 2}
    assert PeriodicJobState.objects.get(name="reconcile_payments").last_slot == dt.datetime(
        2026, 12, 1, 13, 30, tzinfo=dt.UTC
    )
    assert tick(holder="b", now=dt.datetime(2026, 12, 1, 13, 37, 59, tzinfo=dt.UTC)).enqueued == []


@pytest.mark.django_db
def test_each_enqueue_is_logged_with_its_job_task_slot_and_result(db_backend, schedule, caplog):
    with caplog.at_level(logging.INFO, logger="convene.scheduler"):
        outcome = tick(holder="a", now=T0)
    by_name = {e.name: e for e in outcome.enqueued}
    messages = [r.getMessage() for r in caplog.records if r.name == "convene.scheduler"]
    assert (
        f"Enqueued expire_holds ({EXPIRE}) for the slot 2026-12-01T10:00:00+00:00: "
        f"task result {by_name['expire_holds'].result_id}"
    ) in messages
    assert len([m for m in messages if m.startswith("Enqueued ")]) == 3


@pytest.mark.django_db
def test_a_second_scheduler_waits_as_a_standby_and_takes_over_when_the_lease_lapses(
    db_backend, schedule
):
    lease = dt.timedelta(seconds=30)
    assert tick(holder="a", now=T0, lease_for=lease).leading
    standby = tick(holder="b", now=T0 + dt.timedelta(seconds=31) - lease, lease_for=lease)
    assert not standby.leading
    assert standby.lease_holder == "a"
    # 10:01:00 is due, but a holds the lease until 10:01:00: b enqueues nothing.
    assert tick(holder="b", now=T0 + dt.timedelta(seconds=29), lease_for=lease).enqueued == []
    assert enqueued() == {EXPIRE: 1, RECONCILE: 1, REMIND: 1}
    # a stopped renewing; from 10:01:00 b leads and enqueues the 10:01 slot, once.
    takeover = tick(holder="b", now=T0 + dt.timedelta(seconds=30), lease_for=lease)
    assert takeover.leading
    assert [e.name for e in takeover.enqueued] == ["expire_holds"]
    back = tick(holder="a", now=T0 + dt.timedelta(seconds=40), lease_for=lease)
    assert not back.leading and back.lease_holder == "b"
    assert enqueued() == {EXPIRE: 2, RECONCILE: 1, REMIND: 1}


@pytest.mark.django_db
def test_a_stopping_scheduler_hands_the_lease_over_at_once(db_backend, schedule):
    tick(holder="a", now=T0)
    release_lease(holder="b", now=T0)  # not b's to release
    assert not tick(holder="b", now=T0).leading
    release_lease(holder="a", now=T0)
    assert tick(holder="b", now=T0).leading
    assert SchedulerLease.objects.get().holder == "b"


@pytest.mark.django_db
def test_a_queue_that_cannot_be_reached_leaves_the_slot_due(settings, schedule):
    use_rq(settings, "redis://127.0.0.1:1/0")  # nothing listens there
    outcome = tick(holder="a", now=T0)
    assert outcome.enqueued == []
    assert sorted(outcome.failed) == [
        "expire_holds",
        "reconcile_payments",
        "send_payment_reminders",
    ]
    assert set(PeriodicJobState.objects.values_list("last_slot", flat=True)) == {None}


@pytest.mark.redis
@pytest.mark.django_db
def test_on_rq_a_tick_puts_each_due_job_on_its_queue_once(settings, schedule):
    redis = pytest.importorskip("redis")
    redis_url = "redis://127.0.0.1:6379/12"
    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("NEEDS REDIS on 127.0.0.1:6379 (CI has it)")
    redis.Redis.from_url(redis_url).flushdb()
    use_rq(settings, redis_url)
    import django_rq

    tick(holder="a", now=T0)
    tick(holder="a", now=T0 + dt.timedelta(seconds=10))
    default, batch = django_rq.get_queue("default"), django_rq.get_queue("batch")
    assert sorted(job.func_name for job in default.get_jobs()) == [EXPIRE, REMIND]
    assert [job.func_name for job in batch.get_jobs()] == [RECONCILE]
    redis.Redis.from_url(redis_url).flushdb()


# --- The command and the demo ------------------------------------------------------------------


def demo_scheduler_command() -> list[str]:
    """The scheduler's command line in scripts/run-demo.sh, after ``manage.py``."""
    script = (ROOT / "scripts" / "run-demo.sh").read_text()
    lines = [line for line in script.splitlines() if "manage.py run_scheduler" in line]
    assert len(lines) == 1, "run-demo.sh must start the scheduler exactly once"
    words = shlex.split(lines[0].split("manage.py", 1)[1])
    ends = [n for n, word in enumerate(words) if ">" in word or word == "&"]
    return words[: ends[0]] if ends else words


def test_the_demo_starts_the_scheduler_in_the_background_instead_of_a_shell_loop():
    script = (ROOT / "scripts" / "run-demo.sh").read_text()
    [line] = [line for line in script.splitlines() if "manage.py run_scheduler" in line]
    assert line.rstrip().endswith("&")
    assert "while sleep" not in script
    assert "manage.py expire_holds" not in script


@pytest.mark.django_db(transaction=True)
def test_the_demo_scheduler_enqueues_the_jobs_and_the_worker_runs_them(db_backend):
    """run-demo.sh's own command line with --once, then db_worker as the demo runs it: a lapsed
    seat hold is released by the existing service, reached through the queue."""
    rtype = RegistrationTypeFactory(regular_price=Decimal("450.00"))
    order = place_order(**order_kwargs(rtype.congress, rtype))
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - MINUTE)
    out = StringIO()
    call_command(*demo_scheduler_command(), "--once", stdout=out)
    assert f"{len(load_schedule())} job(s) enqueued." in out.getvalue()  # every job once
    sweep = "badges.tasks.fail_stale_print_jobs_task"
    assert {EXPIRE: 1, RECONCILE: 1, REMIND: 1, sweep: 1}.items() <= enqueued().items()
    assert SchedulerLease.objects.get().expires_at <= timezone.now()  # handed over on exit

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT  # the scheduler only enqueues
    call_command("db_worker", batch=True, no_startup_delay=True, queue_name="*")
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    from django_tasks_db.models import DBTaskResult

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db
def test_a_second_run_once_while_another_scheduler_leads_enqueues_nothing(db_backend, schedule):
    tick(holder="elsewhere", now=timezone.now(), lease_for=dt.timedelta(minutes=5))
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "0 job(s) enqueued (standby: elsewhere leads)." in out.getvalue()
    assert enqueued() == {EXPIRE: 1, RECONCILE: 1, REMIND: 1}
