from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


# Orders whose delegates hold seats (a hold counts only while it has not expired).
SEAT_HOLDING_STATUSES = (
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
)


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
