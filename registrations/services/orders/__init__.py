"""Orders: placing them (seats, prices, vouchers, approval), paying, cancelling, expiring,
editing their delegates. One module per sub-domain; this package re-exports them all.

Lock order everywhere: the order's row first (``select_for_update``), then the capacity lock,
then waiting-list rows. E-mail goes out only after the transaction commits. An order's status
changes only through the transitions of :mod:`registrations.lifecycle`.
"""

from .cancelling import (
    cancel_locked,
    cancel_order,
    cancel_own_order,
    cancellation_deadline,
    cancellation_terms,
    seat_cancellation_fee,
)
from .deciding import (
    add_order_note,
    extend_hold,
    reject_order,
    resend_order_email,
    resendable_emails,
)
from .editing import (
    DELEGATE_FIELDS,
    edit_deadline,
    set_delegate_photo,
    update_delegate,
    update_own_delegate,
)
from .holds import (
    expire_order,
    expire_stale_holds,
    release_hold,
    release_holds,
    send_payment_reminders,
)
from .paying import approve_order, mark_order_paid, reread_for_update, retake_seats
from .placing import (
    NewDelegate,
    find_voucher,
    place_order,
    preview_order,
    seats_taken_now,
    submission_digest,
    voucher_uses,
)

__all__ = [
    "DELEGATE_FIELDS",
    "NewDelegate",
    "set_delegate_photo",
    "preview_order",
    "add_order_note",
    "extend_hold",
    "reject_order",
    "resend_order_email",
    "resendable_emails",
    "approve_order",
    "cancel_locked",
    "cancel_order",
    "cancel_own_order",
    "cancellation_deadline",
    "cancellation_terms",
    "edit_deadline",
    "expire_order",
    "expire_stale_holds",
    "find_voucher",
    "mark_order_paid",
    "place_order",
    "release_hold",
    "release_holds",
    "reread_for_update",
    "retake_seats",
    "seat_cancellation_fee",
    "seats_taken_now",
    "send_payment_reminders",
    "submission_digest",
    "update_delegate",
    "update_own_delegate",
    "voucher_uses",
]
