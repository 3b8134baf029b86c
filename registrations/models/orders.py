"""Registration types, orders and delegates: what the other apps build on."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress
from events_site.congresses.private_files import get_private_storage
from events_site.congresses.translations import Translatable

from .. import lifecycle
from ..enums import DelegateRole, NameOrder, OrganisationType
from ..lifecycle import OrderStatus
from ..names import full_name
from ..search_keys import DELEGATE_SEARCH_FIELDS, delegate_search_text


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_order_code() -> str:
    """A short, unambiguous public reference (for bank transfers, the phone, the desk)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class RegistrationType(Translatable, models.Model):
    translatable_fields = ("name", "description")

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="registration_types",
        verbose_name=_("congress"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    default_role = models.CharField(
        _("default role"),
        max_length=16,
        choices=DelegateRole.choices,
        default=DelegateRole.DELEGATE,
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Empty means limited only by the congress."),
    )
    requires_approval = models.BooleanField(_("requires approval"), default=False)
    complimentary = models.BooleanField(
        _("complimentary"), default=False, help_text=_("Free; needs a voucher or an invitation.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    requires_membership = models.BooleanField(
        _("member rate"),
        default=False,
        help_text=_(
            "Delegates' organisations are checked against the member list; "
            "those not on it wait for approval."
        ),
    )
    regular_price = models.DecimalField(
        _("regular price"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    early_bird_price = models.DecimalField(
        _("early-bird price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    early_bird_until = models.DateField(
        _("early bird until"), null=True, blank=True, help_text=_("Last day, congress time.")
    )
    on_site_price = models.DecimalField(
        _("on-site price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    on_site_from = models.DateField(
        _("on-site price from"),
        null=True,
        blank=True,
        help_text=_("First day of the on-site price; empty means the congress's first day."),
    )
    sales_start = models.DateTimeField(_("sales start"), null=True, blank=True)
    sales_end = models.DateTimeField(_("sales end"), null=True, blank=True)

    class Meta:
        ordering = ["congress", "position", "name"]
        verbose_name = _("registration type")
        verbose_name_plural = _("registration types")
        constraints = [
            models.UniqueConstraint(fields=["congress", "code"], name="regtype_code_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.early_bird_price is not None and not self.early_bird_until:
            errors["early_bird_until"] = _("An early-bird price needs a last day.")
        if self.sales_start and self.sales_end and self.sales_end <= self.sales_start:
            errors["sales_end"] = _("Sales must end after they start.")
        for name in ("regular_price", "early_bird_price", "on_site_price"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("A price cannot be negative.")
        if errors:
            raise ValidationError(errors)


class Order(models.Model):
    """One purchase: a single delegate or a whole delegation, paid once."""

    congress = models.ForeignKey(
        Congress, on_delete=models.PROTECT, related_name="orders", verbose_name=_("congress")
    )
    code = models.CharField(_("reference"), max_length=12, unique=True, default=new_order_code)
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    email = models.EmailField(_("contact e-mail"))
    language = models.CharField(_("language"), max_length=10, default="en")
    total = models.DecimalField(
        _("total"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    hold_expires_at = models.DateTimeField(_("seats held until"), null=True, blank=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.TextField(_("review reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    # SHA-256 of what was submitted with the idempotency key: a resubmission with another body
    # is told that the order exists rather than silently given it.
    submission_digest = models.CharField(max_length=64, blank=True, editable=False)
    voucher = models.ForeignKey(
        "registrations.Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("voucher"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    # What the organisers told the registrant with their decision: the reason for a rejection
    # (shown on the registrant's page and in the e-mail) or the message sent with an approval.
    decision_reason = models.TextField(_("reason given with the decision"), blank=True)
    cancellation_fee = models.DecimalField(
        _("cancellation fee"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    reminder_sent_at = models.DateTimeField(_("payment reminder sent at"), null=True, blank=True)
    # Invoiced to a public body that pays after the event: its delegates may enter while the
    # order waits for the money (lifecycle.delegate_standing reads it; set when invoiced).
    admitted_on_invoice = models.BooleanField(
        _("invoiced – unpaid, admitted"), default=False, editable=False
    )
    # Who placed an unpaid hold, for the hoarding caps and the organisers' review: the client
    # address (an IPv6 one as its /64 network) and the e-mail address in a normalised form.
    # Personal data, so kept only while the order is unpaid: lifecycle.apply clears both the
    # moment the order is paid, cancelled, expired or refunded.
    hold_address = models.CharField(_("placed from"), max_length=64, blank=True, editable=False)
    hold_email = models.CharField(
        _("placed by (normalised e-mail)"), max_length=254, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["congress", "status"]),
            models.Index(
                fields=["congress", "hold_address"],
                condition=~models.Q(hold_address=""),
                name="order_hold_address_idx",
            ),
            models.Index(
                fields=["congress", "hold_email"],
                condition=~models.Q(hold_email=""),
                name="order_hold_email_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        """The delegate's secret self-service link; the secret is the last path segment."""
        return reverse(
            "registrations:order",
            kwargs={"congress_slug": self.congress.slug, "code": self.code, "secret": self.secret},
        )

    @property
    def is_pending_payment(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT

    @property
    def is_paid(self) -> bool:
        return self.status in lifecycle.PAID_STATUSES


class Delegate(models.Model):
    """One person attending. Badges, check-in and the personal agenda hang from here."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="delegates", verbose_name=_("order")
    )
    registration_type = models.ForeignKey(
        RegistrationType,
        on_delete=models.PROTECT,
        related_name="delegates",
        verbose_name=_("registration type"),
    )
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    given_name = models.CharField(_("given name"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120)
    name_order = models.CharField(
        _("name order"),
        max_length=16,
        choices=NameOrder.choices,
        default=NameOrder.AUTO,
        blank=True,
        help_text=_(
            "How your full name is written on your badge and in e-mails. Usually, family name "
            "first for Chinese, Japanese, Korean, Hungarian and Vietnamese names."
        ),
    )
    badge_name = models.CharField(
        _("name on badge"), max_length=200, blank=True, help_text=_("As it should be printed.")
    )
    # A name written in another script, as staff would type it (the desk search finds it).
    name_latin = models.CharField(
        _("name in Latin letters"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only if your name is written in another script (Arabic, Chinese, Cyrillic...): "
            "how to type it in Latin letters. Left empty, we suggest one."
        ),
    )
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("organisation type"), max_length=32, choices=OrganisationType.choices, blank=True
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("preferred language"), max_length=10, default="en")
    role = models.CharField(
        _("role"), max_length=16, choices=DelegateRole.choices, default=DelegateRole.DELEGATE
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    # Optional, for the check-in desk to tell homonyms apart; kept outside MEDIA_URL and shown
    # only to check-in staff (badges' delegate_photo view); erased with the delegate.
    photo = models.ImageField(
        _("photo"),
        upload_to="delegates/",
        storage=get_private_storage,
        blank=True,
        help_text=_("Optional: helps the check-in desk recognise you. Only check-in staff see it."),
    )
    needs_visa_letter = models.BooleanField(_("needs a visa invitation letter"), default=False)
    listed_publicly = models.BooleanField(_("appears in the delegate list"), default=False)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    price_tier = models.CharField(_("price tier"), max_length=16, blank=True)
    voucher = models.ForeignKey(
        "registrations.Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("voucher"),
        help_text=_("Each delegate priced with a voucher uses it once."),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once by the erasure service: the person's data was replaced by a pseudonym.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # The searched fields normalised (``search_keys.delegate_search_text``): the organisers'
    # list and the check-in desk find "Lefèvre" by "lefevre" with a plain LIKE on any database
    # (on PostgreSQL a trigram index serves it). Kept by ``save()``; bulk writers call
    # ``refresh_search_text()`` themselves.
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return self.printed_name

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(DELEGATE_SEARCH_FIELDS):
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        self.search_text = delegate_search_text(self)

    @property
    def full_name(self) -> str:
        """Given and family name in the order of the name's culture or the delegate's choice."""
        return full_name(
            self.given_name,
            self.family_name,
            country=getattr(self.country, "code", self.country) or "",
            order=self.name_order,
        )

    @property
    def printed_name(self) -> str:
        return self.badge_name or self.full_name

    @property
    def congress(self) -> Congress:
        return self.order.congress

    @property
    def may_enter(self) -> bool:
        """Paid (or free and confirmed), approved, not cancelled: decided by the lifecycle."""
        return lifecycle.may_enter(self)


class OrderNote(models.Model):
    """An organiser's internal note on an order: never shown to the registrant."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="notes", verbose_name=_("order")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.text[:60]
