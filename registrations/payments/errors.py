"""Errors a delegate, finance staff or Stripe can cause in payments (translatable messages)."""

from django.utils.translation import gettext_lazy as _

from events_site.congresses.errors import DomainError


class PaymentError(DomainError):
    code = "payment_error"


class CardPaymentsUnavailable(PaymentError):
    code = "card_payments_unavailable"
    status_code = 503

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(
            message or _("Card payment is not available at the moment; please pay by invoice."),
            code=code,
        )


class PaymentMethodOff(PaymentError):
    """The congress switched this way of paying off (its registration settings)."""

    code = "payment_method_off"
    status_code = 403


class PaymentProviderError(PaymentError):
    """Stripe refused or could not be reached; nothing was charged."""

    code = "payment_provider_error"
    status_code = 502


class RefundRefused(PaymentError):
    code = "refund_refused"


class InvalidSignature(PaymentError):
    """A webhook whose Stripe-Signature is missing, wrong or too old."""

    code = "invalid_signature"


class InvoiceError(PaymentError):
    code = "invoice_error"


class LineAlreadyDecided(PaymentError):
    """A bank statement line already recorded (or ignored): never recorded twice."""

    code = "bank_line_already_decided"
