import datetime as dt
import logging
import signal
import threading

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from events_site.scheduler.schedule import load_schedule
from events_site.scheduler.services import new_holder_name, release_lease, tick

logger = logging.getLogger("convene.scheduler")


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs of settings.PERIODIC_TASKS on their schedule (the task "
        "workers run them). Run one per deployment; a second one waits as a standby."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=10.0,
            help="Longest wait in seconds between two ticks (default 10). The lease lasts 3 "
            "intervals, 30 s at least: a standby takes over within that if the leader dies.",
        )

    def handle(self, *args, once: bool, interval: float, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        try:
            schedule = load_schedule()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        holder = new_holder_name()
        lease_for = dt.timedelta(seconds=max(3 * interval, 30))
        for job in schedule:
            logger.info("Scheduled: %s", job.describe())
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        leading = None
        try:
            while True:
                now = timezone.now()
                outcome = tick(holder=holder, now=now, lease_for=lease_for, schedule=schedule)
                if outcome.leading != leading:
                    leading = outcome.leading
                    if leading:
                        logger.info("Scheduler %s holds the lease and enqueues.", holder)
                    else:
                        logger.info(
                            "Scheduler %s is a standby: %s holds the lease until %s.",
                            holder,
                            outcome.lease_holder,
                            outcome.lease_expires_at,
                        )
                if once:
                    standby = "" if outcome.leading else f" (standby: {outcome.lease_holder} leads)"
                    self.stdout.write(f"{len(outcome.enqueued)} job(s) enqueued{standby}.")
                    break
                if stop.is_set():
                    break
                next_slot = min((job.next_slot(now) for job in schedule), default=None)
                wait = interval
                if next_slot is not None:
                    wait = min(wait, (next_slot - timezone.now()).total_seconds())
                if stop.wait(max(wait, 0.5)):
                    break
                close_old_connections()  # as db_worker does: honour CONN_MAX_AGE, drop broken ones
        finally:
            release_lease(holder=holder)
