from django.core.management.base import BaseCommand

from registrations.payments.services.payments import reconcile_payments
from registrations.payments.tasks import reconcile_payments_task


class Command(BaseCommand):
    help = (
        "Ask Stripe about every open card payment and pending refund and settle them; cancel "
        "intents whose payment window closed; invoice paid orders without an invoice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=10,
            help="Minutes after a seat hold ends before its intent is cancelled (default 10).",
        )
        parser.add_argument("--enqueue", action="store_true", help="Run on the task queue.")

    def handle(self, *args, grace_minutes: int, enqueue: bool = False, **options):
        if enqueue:
            reconcile_payments_task.enqueue(grace_minutes=grace_minutes)
            self.stdout.write("Enqueued.")
            return
        counts = reconcile_payments(grace_minutes=grace_minutes)
        if not counts:
            self.stdout.write("Nothing to reconcile.")
        for outcome, number in sorted(counts.items()):
            self.stdout.write(f"{outcome}: {number}")
