from django.db import models
from django.utils.translation import gettext_lazy as _

# The order's statuses live with their transitions and named sets in the lifecycle module.
from .lifecycle import OrderStatus  # noqa: F401


class DelegateRole(models.TextChoices):
    DELEGATE = "delegate", _("Delegate")
    SPEAKER = "speaker", _("Speaker")
    PRESS = "press", _("Press")
    EXHIBITOR = "exhibitor", _("Exhibitor")
    STAFF = "staff", _("Staff")


class OrganisationType(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    REGIONAL_GOVERNMENT = "regional_government", _("Regional government")
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    ASSOCIATION = "association", _("Association of local governments")
    INTERNATIONAL = "international", _("International organisation")
    BUSINESS = "business", _("Business")
    NGO = "ngo", _("NGO or civil society")
    ACADEMIA = "academia", _("Academia or research")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class PriceTier(models.TextChoices):
    EARLY_BIRD = "early_bird", _("Early bird")
    REGULAR = "regular", _("Regular")
    ON_SITE = "on_site", _("On site")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes or no")
    COUNTRY = "country", _("Country")
    DATE = "date", _("Date")


class VoucherKind(models.TextChoices):
    PERCENTAGE = "percentage", _("Percentage off")
    FIXED = "fixed", _("Fixed amount off")
    SET_PRICE = "set_price", _("Set price")


class VoucherStatus(models.TextChoices):
    """Where a voucher stands for the organisers' list (computed, not stored): each voucher is
    in exactly one, checked in this order: inactive, expired, used up, else active."""

    ACTIVE = "active", _("Active")
    USED_UP = "used_up", _("Used up")
    EXPIRED = "expired", _("Expired")
    INACTIVE = "inactive", _("Inactive")


class WaitingListStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Seat offered")
    REDEEMED = "redeemed", _("Registered")
    EXPIRED = "expired", _("Offer expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMOVED = "removed", _("Removed by the organisers")


class PersonalDataKind(models.TextChoices):
    """What an answer holds, for retention: ordinary answers are kept with the registration,
    the others are erased on the congress's retention schedule (and on erasure)."""

    ORDINARY = "", _("Ordinary")
    IDENTITY_DOCUMENT = "identity_document", _("Passport or ID document number")
    PHONE_NUMBER = "phone_number", _("Phone number")
    SENSITIVE = "sensitive", _("Sensitive (health, beliefs...)")


class ErasureRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an organiser")
    DONE = "done", _("Carried out")


class MailKey(models.TextChoices):
    """The automatic e-mails an organiser may reword per congress and language (each value is
    also the name of its default template pair under ``registrations/emails/``)."""

    CONFIRMATION = "confirmation", _("Registration confirmed")
    APPROVED = "approved", _("Registration approved")
    PAYMENT_REMINDER = "payment_reminder", _("Payment reminder")
    WAITING_LIST_OFFER = "waiting_list_offer", _("Waiting-list offer")
    REFUND = "refund", _("Refund made")


class BulkKind(models.TextChoices):
    """What a bulk job does to each item (orders, or delegates for ``CANCEL_DELEGATES``)."""

    APPROVE = "approve", _("Approve orders")
    REJECT = "reject", _("Reject orders")
    CANCEL_ORDERS = "cancel_orders", _("Cancel orders")
    CANCEL_DELEGATES = "cancel_delegates", _("Cancel delegates")


class BulkJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")


class BulkItemOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class EmailStatus(models.TextChoices):
    """Where one logged e-mail stands: queued until a worker claims it (sending), then sent or
    failed (with the error)."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxAudience(models.TextChoices):
    """Who an outbox message goes to: each delegate of the filter, or the contacts of their
    orders (one message per address either way)."""

    DELEGATES = "delegates", _("The delegates")
    CONTACTS = "contacts", _("The contacts of their orders")


class VisaLetterStatus(models.TextChoices):
    """requested -> approved -> issued; refused from requested or approved; revoked from
    approved or issued (the verification page then says so)."""

    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class CertificateKind(models.TextChoices):
    ATTENDANCE = "attendance", _("Certificate of attendance")
    SPEAKING = "speaking", _("Certificate of speaking")


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


class NameOrder(models.TextChoices):
    """How a delegate's full name is written: by the name's culture unless they choose."""

    AUTO = "auto", _("As usual for my name")
    GIVEN_FIRST = "given_first", _("Given name first")
    FAMILY_FIRST = "family_first", _("Family name first")


class AfterPlacing(models.TextChoices):
    """What the registration form's summary leads to once the order is placed."""

    PAY = "pay", _("Pay now (card or bank transfer)")
    QUOTE = "quote", _("Get a quote first (my public body orders against one)")
