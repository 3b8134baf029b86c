"""Periodic registration jobs for the task queue; each calls one service."""

from decimal import Decimal

from django_tasks import task

from .models import Delegate, Order
from .services import notifications
from .services.orders import expire_stale_holds, send_payment_reminders


@task(queue_name="default")
def expire_holds() -> int:
    """Expire passed seat holds and lapsed waiting-list offers (run every minute or so)."""
    return expire_stale_holds()


@task(queue_name="default")
def remind_unpaid_orders() -> int:
    return send_payment_reminders()


@task(queue_name="emails")
def send_order_email_task(*, order_id: int, template: str) -> None:
    """Render (in the order's language) and send one of the order's e-mails."""
    order = Order.objects.select_related("congress").filter(pk=order_id).first()
    if order is not None:
        notifications.send_order_email(order=order, template=template)


@task(queue_name="emails")
def send_delegate_confirmations_task(*, order_id: int) -> None:
    """Each delegate's own confirmation, in the delegate's language."""
    order = Order.objects.select_related("congress").filter(pk=order_id).first()
    if order is not None:
        notifications.send_delegate_confirmations(order=order)


@task(queue_name="emails")
def send_delegate_cancelled_task(*, delegate_id: int, fee: str) -> None:
    """One delegate cancelled out of a delegation: the contact's and the delegate's e-mails."""
    delegate = (
        Delegate.objects.select_related("order__congress", "registration_type")
        .filter(pk=delegate_id)
        .first()
    )
    if delegate is not None:
        notifications.send_delegate_cancelled(delegate=delegate, fee=Decimal(fee))
