"""Errors a buyer or organiser can cause in registration; each carries a translatable message."""

from django.utils.translation import gettext_lazy as _

from events_site.congresses.errors import Busy, DomainError

__all__ = [
    "Busy",
    "RegistrationError",
    "SoldOut",
    "OrderStateError",
    "RegistrationClosed",
    "VoucherInvalid",
    "VoucherExhausted",
    "VoucherRequired",
    "VoucherRefused",
    "DeadlinePassed",
    "OfferInvalid",
    "OfferRefused",
    "OrderAlreadyPlaced",
    "TooManyUnpaidOrders",
]


class RegistrationError(DomainError):
    """Base of every registration rule a request can break."""

    code = "registration_error"


class SoldOut(RegistrationError):
    code = "sold_out"

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message or _("Sorry, there are no seats left."), code=code)


class OrderStateError(RegistrationError):
    """The order is not in a state that allows this action (e.g. paying a cancelled order)."""

    code = "order_state"


class RegistrationClosed(RegistrationError):
    code = "registration_closed"


class VoucherInvalid(RegistrationError):
    code = "voucher_invalid"


class VoucherExhausted(RegistrationError):
    code = "voucher_exhausted"


class VoucherRequired(RegistrationError):
    code = "voucher_required"


class VoucherRefused(RegistrationError):
    """An organiser's change to a voucher that its uses (or another voucher) forbid: a code
    taken, a maximum below the uses already made, a delete of a used voucher. ``field`` is the
    form field the message belongs to (None: the whole form)."""

    code = "voucher_refused"
    status_code = 409

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class DeadlinePassed(RegistrationError):
    code = "deadline_passed"


class OfferInvalid(RegistrationError):
    code = "offer_invalid"


class OfferRefused(RegistrationError):
    """An organiser's waiting-list action the entry's state or the seats forbid (an offer with
    no seat free, an extension of a lapsed offer whose seat has gone). ``field``: the form field
    the message belongs to (None: the whole form)."""

    code = "offer_refused"
    status_code = 409

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class OrderAlreadyPlaced(RegistrationError):
    """A form's one-time token came back with a different body: its order exists already and
    the changes are not in it. ``order`` is that first order."""

    code = "order_already_placed"
    status_code = 409

    def __init__(self, order, message=None):
        super().__init__(
            message
            or _("This order was already placed. The changes you made since were not added to it.")
        )
        self.order = order


class TooManyUnpaidOrders(RegistrationError):
    """The e-mail address or client address already has as many unpaid orders holding seats as
    the congress allows (seat hoarding). ``field`` is the form field the message belongs to."""

    code = "too_many_unpaid_orders"
    status_code = 409

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field
