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


class WaitingListStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Seat offered")
    REDEEMED = "redeemed", _("Registered")
    EXPIRED = "expired", _("Offer expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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
