"""The organisers' form of a congress's registration settings: the model's rules, the edit
fingerprint, money in the congress's currency and times in its zone (the view activates it)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import LocalDateTimeInput, ModelForm
from events_site.congresses.models import Congress

from .models import RegistrationSettings
from .models.settings import seat_cap_refusal
from .services.setup import SETTINGS_FIELDS

# The page's sections, in order: a heading and the fields under it.
SECTIONS = (
    (
        _("Capacity and seat holds"),
        ("total_capacity", "hold_minutes", "max_delegates_per_order", "approval_payment_days"),
    ),
    (
        _("Deadlines and cancellation"),
        ("edit_deadline", "cancellation_deadline", "cancellation_fee"),
    ),
    (_("Waiting list"), ("waiting_list_enabled", "waiting_list_offer_hours")),
    (_("Reminders"), ("reminder_after_hours",)),
    (
        _("Seat hoarding"),
        (
            "max_unpaid_orders_per_email",
            "max_unpaid_orders_per_address",
            "max_unpaid_seats_per_email",
            "max_unpaid_seats_per_address",
            "last_seats_threshold",
            "last_seats_per_address",
        ),
    ),
)

HELP_TEXTS = {
    "total_capacity": _(
        "Seats for the whole congress, across every registration type. When they are taken, "
        "new delegates are refused (or offered the waiting list). Empty means unlimited."
    ),
    "max_delegates_per_order": _(
        "The most delegates one person may register in a single order (a delegation)."
    ),
    "approval_payment_days": _(
        "For registration types that need approval: how many days a delegate has to pay "
        "once approved, before the seats are released."
    ),
    "edit_deadline": _(
        "Until then delegates may change their own details from their order page. Empty "
        "means until the congress starts."
    ),
    "cancellation_deadline": _(
        "Until then delegates may cancel from their order page and are refunded what they "
        "paid less the fee below. Empty means until the congress starts."
    ),
    "waiting_list_enabled": _(
        "When the congress or a registration type is full, delegates may join a waiting list "
        "and are offered a freed seat in turn."
    ),
    "waiting_list_offer_hours": _(
        "How long a delegate offered a freed seat has to take it before it goes to the next "
        "person on the list."
    ),
    "reminder_after_hours": _(
        "Delegates who have not paid get one reminder e-mail this many hours after ordering."
    ),
    "max_unpaid_orders_per_email": _(
        "A new order is refused while one e-mail address already has this many unpaid orders "
        "holding seats. Empty means no cap."
    ),
    "max_unpaid_orders_per_address": _(
        "A new order is refused while one network address already has this many unpaid "
        "orders holding seats (offices and venues share one address: keep it generous). "
        "Empty means no cap."
    ),
}

LIMITS = {  # generous upper bounds, so a typo does not become a year-long hold
    "total_capacity": 1_000_000,
    "hold_minutes": 7 * 24 * 60,
    "max_delegates_per_order": 1000,
    "approval_payment_days": 365,
    "waiting_list_offer_hours": 24 * 30,
    "reminder_after_hours": 24 * 60,
    "max_unpaid_orders_per_email": 1000,
    "max_unpaid_orders_per_address": 100_000,
    "max_unpaid_seats_per_email": 10_000,
    "max_unpaid_seats_per_address": 100_000,
    "last_seats_threshold": 100_000,
    "last_seats_per_address": 100_000,
}
AT_LEAST_ONE = (
    "hold_minutes",
    "max_delegates_per_order",
    "waiting_list_offer_hours",
    "reminder_after_hours",
    "max_unpaid_orders_per_email",
    "max_unpaid_orders_per_address",
    "max_unpaid_seats_per_email",
    "max_unpaid_seats_per_address",
    "last_seats_threshold",
    "last_seats_per_address",
)


class RegistrationSettingsForm(ModelForm):
    """Datetimes are read and shown in the current time zone: the view activates the
    congress's own, whatever the organiser's browser says."""

    fingerprint = FingerprintField()

    class Meta:
        model = RegistrationSettings
        fields = list(SETTINGS_FIELDS)

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        for name in ("edit_deadline", "cancellation_deadline"):
            field = self.fields[name]
            field.widget = LocalDateTimeInput()
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        for name, text in HELP_TEXTS.items():
            self.fields[name].help_text = text
        for name in ("edit_deadline", "cancellation_deadline"):
            self.fields[name].help_text = _("%(text)s Time in %(zone)s.") % {
                "text": HELP_TEXTS[name],
                "zone": congress.time_zone,
            }
        for name, limit in LIMITS.items():
            self.fields[name].max_value = limit
            self.fields[name].widget.attrs["max"] = limit
            self.fields[name].validators.append(MaxValueValidator(limit))
        for name in AT_LEAST_ONE:
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1
            self.fields[name].validators.append(MinValueValidator(1))
        default = settings.SEAT_HOLD_MINUTES
        hold = self.fields["hold_minutes"]
        hold.widget.attrs["placeholder"] = str(default)
        hold.help_text = _(
            "How long seats are kept for a delegate who is paying; when it runs out unpaid, "
            "the seats go back on sale. Empty means the site default, %(minutes)s minutes."
        ) % {"minutes": default}
        fee = self.fields["cancellation_fee"]
        places = congress.currency_decimal_places
        fee.label = _("Cancellation fee per delegate (%(currency)s)") % {
            "currency": congress.currency
        }
        fee.help_text = _(
            "Kept from the refund of each delegate who cancels before the deadline, in "
            "%(currency)s. 0 means a full refund."
        ) % {"currency": congress.currency}
        fee.decimal_places = places
        fee.validators += [
            DecimalValidator(12, places),
            MinValueValidator(Decimal("0")),
            MaxValueValidator(Decimal("1000000")),
        ]
        fee.widget.attrs["min"] = "0"
        fee.widget.attrs["step"] = str(Decimal(1).scaleb(-places)) if places else "1"
        if not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, SETTINGS_FIELDS)

    def clean(self):
        cleaned = super().clean()
        refusal = seat_cap_refusal(
            cleaned.get("max_unpaid_seats_per_email"), cleaned.get("max_delegates_per_order")
        )
        if refusal:
            self.add_error("max_unpaid_seats_per_email", refusal)
        return cleaned

    def sections(self):
        """The form's fields grouped under their headings, for the template."""
        return [(heading, [self[name] for name in names]) for heading, names in SECTIONS]

    def settings_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}
