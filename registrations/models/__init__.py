"""Registration models, split by sub-domain. Import models from here."""

from .bank_statements import BankCsvMapping, BankStatement, BankStatementLine  # noqa: F401
from .bulk import BulkJob, BulkJobItem  # noqa: F401
from .documents import (  # noqa: F401
    Certificate,
    DocumentSettings,
    VisaFocalPoint,
    VisaLetterRequest,
)
from .emails import OutboxMessage, SentEmail  # noqa: F401
from .invoices import (  # noqa: F401
    BillingDetails,
    BillingSettings,
    Invoice,
    InvoiceCounter,
    InvoiceReminder,
)
from .mail_templates import MailTemplate  # noqa: F401
from .orders import Delegate, Order, OrderNote, RegistrationType  # noqa: F401
from .payments import Payment, Refund, StripeEvent  # noqa: F401
from .personal_data import ErasureRequest, RetentionPolicy  # noqa: F401
from .questions import Answer, Question  # noqa: F401
from .quotes import Quote  # noqa: F401
from .saved_filters import SavedDelegateFilter  # noqa: F401
from .settings import RegistrationSettings  # noqa: F401
from .vouchers import MemberOrganisation, Voucher  # noqa: F401
from .waiting_list import WaitingListEntry  # noqa: F401
