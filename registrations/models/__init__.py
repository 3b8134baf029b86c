"""Registration models, split by sub-domain. Import models from here."""

from .invoices import (  # noqa: F401
    BillingDetails,
    BillingSettings,
    Invoice,
    InvoiceCounter,
)
from .orders import Delegate, Order, RegistrationType  # noqa: F401
from .payments import Payment, Refund, StripeEvent  # noqa: F401
from .personal_data import ErasureRequest, RetentionPolicy  # noqa: F401
from .questions import Answer, Question  # noqa: F401
from .settings import RegistrationSettings  # noqa: F401
from .vouchers import MemberOrganisation, Voucher  # noqa: F401
from .waiting_list import WaitingListEntry  # noqa: F401
