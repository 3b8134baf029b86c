"""Paid, therefore invoiced and confirmed: the one way an order becomes paid once money covers it.

Every path that sees an order's money arrive (a card payment settled, a bank transfer recorded,
a delegate cancelled so that what was received covers the new total) calls
:func:`settle_order_paid`; the reconciliation's invoicing sweep is only a safety net behind it.
"""

from __future__ import annotations

from django.db import transaction

from ...models import Order
from ...services.orders import mark_order_paid
from . import invoicing as invoice_services


def settle_order_paid(
    *, order: Order, by=None, actor_label: str = "", send_invoice: bool = True
) -> Order:
    """Mark ``order`` paid (confirmation e-mails after the commit) and issue its invoice if it
    costs anything, in one savepoint: both happen or neither does.

    Idempotent on a paid order (its current invoice is kept). Raises what ``mark_order_paid``
    raises, with nothing changed: SoldOut if the hold passed and the seats are gone,
    OrderStateError if the order cannot be paid."""
    with transaction.atomic():
        paid = mark_order_paid(order=order, by=by, actor_label=actor_label)
        if paid.total > 0:
            invoice_services.issue_invoice(
                order=paid, by=by, actor_label=actor_label, send=send_invoice
            )
    return paid
