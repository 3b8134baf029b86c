"""``manage.py fail_stale_print_jobs``: the periodic sweep for print jobs whose worker is gone."""

from django.core.management.base import BaseCommand

from ... import services


class Command(BaseCommand):
    help = (
        "Mark print jobs failed whose worker stopped beating (BADGES_PRINT_JOB_STALE_AFTER), "
        "that ran past their time limit or that no worker started (BADGES_PRINT_JOB_TIME_LIMIT). "
        "Run it every few minutes from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        failed = services.fail_stale_print_jobs()
        self.stdout.write(f"{failed} stale print job(s) marked failed.")
