"""The payments wing's queue tasks, each defined beside the service it calls (plain ids in, the
same on the database worker and on RQ); named here for the scheduler and operators."""

from .services.reconciliation import reconcile_payments_task
from .services.refunds import submit_refund_task

__all__ = ["reconcile_payments_task", "submit_refund_task"]
