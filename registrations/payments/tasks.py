"""The payments wing's periodic job for the scheduler (settings.PERIODIC_TASKS names it here).

Tasks that services queue are defined beside the service they call and named here too:
``submit_refund_task`` lives in :mod:`.services.refunds`. Plain ids in, one service call each
(the same on the database worker and on RQ).
"""

from django_tasks import task

from .einvoice.transmission import send_einvoice_email_task
from .services.dunning import send_scheduled_reminders
from .services.quotes import expire_quotes, send_quote_email_task
from .services.reconciliation import reconcile_payments
from .services.refunds import submit_refund_task

__all__ = [
    "expire_quotes_task",
    "reconcile_payments_task",
    "send_einvoice_email_task",
    "send_quote_email_task",
    "send_scheduled_reminders_task",
    "submit_refund_task",
]


@task(queue_name="batch")
def expire_quotes_task() -> int:
    return expire_quotes()


@task(queue_name="batch")
def reconcile_payments_task(*, grace_minutes: int = 10) -> dict:
    return reconcile_payments(grace_minutes=grace_minutes)


@task(queue_name="batch")
def send_scheduled_reminders_task() -> dict:
    return send_scheduled_reminders()
