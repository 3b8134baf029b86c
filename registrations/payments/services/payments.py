"""The payment services by one name for their callers (views, api, demo, tests); each lives in
the module of its job:

- :mod:`.balances`: what an order received, refunded and owes; whether it can be paid; review flags
- :mod:`.cards`: card attempts at Stripe's edge (PaymentIntents, recovery, cancelling)
- :mod:`.webhooks`: settling what Stripe says, each event once
- :mod:`.settlement`: paid, therefore invoiced and confirmed
- :mod:`.transfers`: bank transfers and paying by invoice
- :mod:`.reconciliation`: the safety net for lost webhooks and missing invoices
"""

from .balances import (
    PAID_STATUSES,
    amount_kept,
    amount_outstanding,
    amount_received,
    amount_refunded,
    flag_for_review,
    hold_lapsed,
    method_accepted,
    payment_refusal,
    refuse_if_method_off,
)
from .cards import (
    CARD_PAYMENT_IN_PROGRESS,
    STARTING_ATTEMPT_GRACE,
    cancel_card_intent,
    cancel_open_card_payments,
    card_attempt_key,
    confirm_card_payment_with_token,
    open_card_payments,
    recover_card_attempt,
    refresh_card_payment,
    start_card_payment,
)
from .reconciliation import reconcile_payments
from .settlement import settle_order_paid
from .transfers import record_bank_transfer, request_invoice_payment
from .webhooks import METADATA_MISMATCH, process_webhook_event, settle_payment_intent

__all__ = [
    "CARD_PAYMENT_IN_PROGRESS",
    "METADATA_MISMATCH",
    "PAID_STATUSES",
    "STARTING_ATTEMPT_GRACE",
    "amount_kept",
    "amount_outstanding",
    "amount_received",
    "amount_refunded",
    "cancel_card_intent",
    "cancel_open_card_payments",
    "card_attempt_key",
    "confirm_card_payment_with_token",
    "flag_for_review",
    "hold_lapsed",
    "method_accepted",
    "open_card_payments",
    "payment_refusal",
    "process_webhook_event",
    "reconcile_payments",
    "record_bank_transfer",
    "recover_card_attempt",
    "refresh_card_payment",
    "refuse_if_method_off",
    "request_invoice_payment",
    "settle_order_paid",
    "settle_payment_intent",
    "start_card_payment",
]
