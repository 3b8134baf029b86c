from django.core.management.base import BaseCommand

from registrations.services.orders import send_payment_reminders


class Command(BaseCommand):
    help = "E-mail a reminder, once, to each unpaid order past the congress's reminder delay."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_payment_reminders()} reminder(s) sent.")
