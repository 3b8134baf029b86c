"""Periodic registration jobs for the task queue; each calls one service. The e-mail tasks are
defined beside the messages they send (:mod:`.services.notifications`) and named here too, so
that a task queued under its old name still runs."""

from django_tasks import task

from .services.notifications import (
    send_delegate_cancelled_task,
    send_delegate_confirmations_task,
    send_order_email_task,
)
from .services.orders import expire_stale_holds, send_payment_reminders
from .services.personal_data import apply_retention
from .services.visa_focal_points import erase_expired_focal_points
from .services.visa_letters import apply_rules_everywhere, erase_expired_passport_data

__all__ = [
    "apply_retention_task",
    "apply_visa_letter_rules_task",
    "expire_holds",
    "remind_unpaid_orders",
    "send_delegate_cancelled_task",
    "send_delegate_confirmations_task",
    "send_order_email_task",
]


@task(queue_name="default")
def expire_holds() -> int:
    """Expire passed seat holds and lapsed waiting-list offers (run every minute or so)."""
    return expire_stale_holds()


@task(queue_name="default")
def remind_unpaid_orders() -> int:
    return send_payment_reminders()


@task(queue_name="default")
def apply_retention_task() -> int:
    """Erase the personal data past each congress's retention delay, and visa passport data
    past its stated deletion date, and the member organisations' visa focal points with it
    (daily); idempotent."""
    return (
        sum(line.count for line in apply_retention())
        + erase_expired_passport_data()
        + erase_expired_focal_points()
    )


@task(queue_name="default")
def apply_visa_letter_rules_task() -> int:
    """Approve the visa letter requests a congress's rule now covers (paid since)."""
    return apply_rules_everywhere()
