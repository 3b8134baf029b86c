"""One tick of the scheduler: enqueue every periodic job whose slot is due, exactly once.

Two locks, both in the database (so the same on the database task backend and on RQ):
- a lease row says which scheduler process enqueues; the others wait as standbys and take
  over once the holder stops renewing it (it crashed, or stopped);
- each job's state row is locked while its slot is claimed, so even two processes that both
  believe they hold the lease (a paused holder waking after its lease passed) enqueue a slot once.
A missed slot (the scheduler was down) is enqueued once at the next tick, not once per slot missed.
"""

import datetime as dt
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import PeriodicJobState, SchedulerLease
from .schedule import PeriodicTask, load_schedule

logger = logging.getLogger("convene.scheduler")

LEASE_NAME = "scheduler"
# Switched off only by the concurrency tests, to show the race that the locks prevent.
LOCKING_ENABLED = True


@dataclass(frozen=True)
class Enqueued:
    name: str
    slot: dt.datetime
    result_id: str


@dataclass
class TickOutcome:
    leading: bool
    lease_holder: str = ""
    lease_expires_at: dt.datetime | None = None
    enqueued: list[Enqueued] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def new_holder_name() -> str:
    """A name for this scheduler process, unique even for two processes on one host."""
    return f"{socket.gethostname()[:150]}:{os.getpid()}:{secrets.token_hex(4)}"


def tick(
    *,
    holder: str,
    now: dt.datetime | None = None,
    lease_for: dt.timedelta = dt.timedelta(seconds=60),
    schedule: list[PeriodicTask] | None = None,
) -> TickOutcome:
    """Take or renew the lease for ``holder``; if it holds it, enqueue each due job once.

    A job whose enqueue fails (the queue's Redis is down) keeps its slot due and is retried at the
    next tick; the other jobs are still enqueued."""
    now = now or timezone.now()
    jobs = load_schedule() if schedule is None else schedule
    if LOCKING_ENABLED:
        lease = take_lease(holder=holder, now=now, lease_for=lease_for)
        if lease.holder != holder:
            return TickOutcome(
                leading=False, lease_holder=lease.holder, lease_expires_at=lease.expires_at
            )
    outcome = TickOutcome(leading=True, lease_holder=holder, lease_expires_at=now + lease_for)
    due = {job.name: job.latest_slot(now) for job in jobs}
    PeriodicJobState.objects.bulk_create(
        [PeriodicJobState(name=name) for name in due], ignore_conflicts=True
    )
    already = last_slots(names=list(due), lock=False)
    for job in jobs:
        slot = due[job.name]
        if already[job.name] is not None and already[job.name] >= slot:
            continue
        try:
            enqueued = enqueue_slot(job=job, slot=slot, now=now)
        except Exception:  # one broken queue must not stop the other jobs
            logger.exception("Could not enqueue %s for %s; retrying next tick.", job.name, slot)
            outcome.failed.append(job.name)
            continue
        if enqueued is not None:
            outcome.enqueued.append(enqueued)
    return outcome


def enqueue_slot(*, job: PeriodicTask, slot: dt.datetime, now: dt.datetime) -> Enqueued | None:
    """Claim ``slot`` for ``job`` and enqueue its task in one transaction: on the database backend
    the task row commits with the claim or not at all; on RQ a failed enqueue leaves the slot
    unclaimed (at worst a crash between enqueue and commit runs an idempotent job twice)."""
    with transaction.atomic():
        last = last_slots(names=[job.name], lock=LOCKING_ENABLED)[job.name]
        if last is not None and last >= slot:
            return None
        result = job.task.enqueue()
        PeriodicJobState.objects.filter(name=job.name).update(
            last_slot=slot, last_enqueued_at=now, last_result_id=str(result.id)
        )
    logger.info(
        "Enqueued %s (%s) for the slot %s: task result %s",
        job.name,
        job.task_path,
        slot.isoformat(),
        result.id,
    )
    return Enqueued(name=job.name, slot=slot, result_id=str(result.id))


def last_slots(*, names: list[str], lock: bool) -> dict[str, dt.datetime | None]:
    """The last slot enqueued per job; with ``lock``, the rows stay locked to the transaction's
    end (in name order, so two schedulers never deadlock)."""
    rows = PeriodicJobState.objects.filter(name__in=names).order_by("name")
    if lock:
        rows = rows.select_for_update()
    found = dict(rows.values_list("name", "last_slot"))
    return {name: found.get(name) for name in names}


def take_lease(*, holder: str, now: dt.datetime, lease_for: dt.timedelta) -> SchedulerLease:
    """Renew the lease if ``holder`` has it, take it if it has expired (compare-and-set: of two
    schedulers asking at once, one gets it); return the lease as it stands."""
    SchedulerLease.objects.bulk_create(
        [SchedulerLease(name=LEASE_NAME, holder="", expires_at=now)], ignore_conflicts=True
    )
    taken = (
        SchedulerLease.objects.filter(name=LEASE_NAME)
        .filter(Q(holder=holder) | Q(expires_at__lte=now))
        .update(holder=holder, expires_at=now + lease_for)
    )
    if taken:
        return SchedulerLease(name=LEASE_NAME, holder=holder, expires_at=now + lease_for)
    return SchedulerLease.objects.get(name=LEASE_NAME)


def release_lease(*, holder: str, now: dt.datetime | None = None) -> None:
    """A stopping scheduler hands over at once instead of making the standby wait for expiry."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(
        expires_at=now or timezone.now()
    )
