"""Queue tasks for payments: plain ids in, one service call each (same on the DB worker and RQ)."""

from django_tasks import task


@task(queue_name="default")
def submit_refund_task(*, refund_id: int) -> str:
    from .models import Refund
    from .payment_enums import RefundState
    from .payment_errors import PaymentError
    from .services.refunds import submit_refund

    refund = Refund.objects.select_related("payment", "order").get(pk=refund_id)
    if refund.state != RefundState.PENDING or refund.provider_id:
        return "nothing_to_do"
    try:
        submit_refund(refund=refund)
    except PaymentError as exc:  # recorded as failed by the service; the reconciliation retries
        return f"failed: {exc}"
    return "submitted"


@task(queue_name="batch")
def reconcile_payments_task(*, grace_minutes: int = 10) -> dict:
    from .services.payments import reconcile_payments

    return reconcile_payments(grace_minutes=grace_minutes)
