"""Periodic registration jobs for the task queue; each calls one service."""

from django_tasks import task

from .services.orders import expire_stale_holds, send_payment_reminders


@task(queue_name="default")
def expire_holds() -> int:
    """Expire passed seat holds and lapsed waiting-list offers (run every minute or so)."""
    return expire_stale_holds()


@task(queue_name="default")
def remind_unpaid_orders() -> int:
    return send_payment_reminders()
