from django.core.management.base import BaseCommand

from registrations.services.orders import expire_stale_holds
from registrations.tasks import expire_holds


class Command(BaseCommand):
    help = "Expire pending orders whose seat hold passed (and lapsed waiting-list offers)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Run on the task queue.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            expire_holds.enqueue()
            self.stdout.write("Enqueued.")
            return
        count = expire_stale_holds()
        self.stdout.write(f"{count} order(s) expired.")
