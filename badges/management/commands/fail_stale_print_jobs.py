"""``manage.py fail_stale_print_jobs``: the periodic sweep for print jobs whose worker is gone."""

from django.core.management.base import BaseCommand

from ... import printing
from ...tasks import fail_stale_print_jobs_task


class Command(BaseCommand):
    help = (
        "Mark print jobs failed whose worker stopped beating (BADGES_PRINT_JOB_STALE_AFTER), "
        "that ran past their time limit or that no worker started (BADGES_PRINT_JOB_TIME_LIMIT). "
        "Run it every few minutes from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Run on the task queue.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            fail_stale_print_jobs_task.enqueue()
            self.stdout.write("Enqueued.")
            return
        failed = printing.fail_stale_print_jobs()
        self.stdout.write(f"{failed} stale print job(s) marked failed.")
