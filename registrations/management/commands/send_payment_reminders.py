from django.core.management.base import BaseCommand

from registrations.services.orders import send_payment_reminders
from registrations.tasks import remind_unpaid_orders


class Command(BaseCommand):
    help = "E-mail a reminder, once, to each unpaid order past the congress's reminder delay."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Run on the task queue.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            remind_unpaid_orders.enqueue()
            self.stdout.write("Enqueued.")
            return
        self.stdout.write(f"{send_payment_reminders()} reminder(s) sent.")
