"""The shared core: organisations, congresses, venues, rooms, organiser teams, the audit log."""

import datetime as dt
import secrets
import zoneinfo
from functools import cache

from babel.numbers import get_currency_precision, list_currencies
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import PUBLIC_STATUSES, ApiTokenStatus, CongressStatus, Role
from .translations import Translatable


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(
            _("%(value)s is not a known IANA time zone (for example Europe/Lisbon)."),
            params={"value": value},
            code="invalid_time_zone",
        )


def validate_currency(value: str) -> None:
    if value not in list_currencies():
        raise ValidationError(
            _("%(value)s is not an ISO 4217 currency code (for example EUR)."),
            params={"value": value},
            code="invalid_currency",
        )


def validate_language_codes(value: list) -> None:
    known = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one language."), code="no_languages")
    # Items may be anything JSON holds (lists, objects): only known code strings pass.
    unknown = [code for code in value if not isinstance(code, str) or code not in known]
    if unknown:
        raise ValidationError(
            _("Unknown language codes: %(codes)s."),
            params={"codes": ", ".join(map(str, unknown))},
            code="unknown_language",
        )


def _default_languages() -> list[str]:
    return ["en"]


class Organisation(models.Model):
    """An association (or one of its members) that runs congresses."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Congress(Translatable, models.Model):
    translatable_fields = ("name", "tagline", "description")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="congresses",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Used in every public address.")
    )
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("IANA time zone of the venue, e.g. Asia/Seoul."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_currency], help_text=_("ISO 4217 code.")
    )
    languages = models.JSONField(
        _("languages"),
        default=_default_languages,
        validators=[validate_language_codes],
        help_text=_('Language codes offered to delegates, e.g. ["en", "fr", "es"].'),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=CongressStatus.choices, default=CongressStatus.DRAFT
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The congress whose set-up was first copied into this one: the dashboard's "last congress".
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("set-up copied from"),
    )
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="congress-logos/", blank=True)
    timetable_slot_minutes = models.PositiveSmallIntegerField(
        _("timetable slot (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text=_(
            "The rows of the timetable editor: sessions are placed and moved by this step."
        ),
    )
    unpaid_may_book_seats = models.BooleanField(
        _("unpaid registrations may book limited seats"),
        default=False,
        help_text=_(
            "When off, only delegates whose registration is paid (or free and confirmed) can "
            "take a seat in a workshop or site visit with limited places."
        ),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_(
            "Every team member must sign in with a second factor before the congress's "
            "organiser pages and API."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="congress_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("congresses:detail", kwargs={"congress_slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("The last day cannot be before the first day.")},
                code="ends_before_start",
            )
        if self.currency:
            self.currency = self.currency.upper()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def currency_decimal_places(self) -> int:
        return get_currency_precision(self.currency)

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=n) for n in range(count)]

    @property
    def starts_at(self) -> dt.datetime:
        """Midnight of the first day in the congress's own zone (aware)."""
        return dt.datetime.combine(self.start_date, dt.time.min, tzinfo=self.tz)

    @property
    def ends_at(self) -> dt.datetime:
        """Midnight after the last day in the congress's own zone (aware)."""
        return dt.datetime.combine(
            self.end_date + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz
        )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == CongressStatus.DRAFT

    @property
    def registration_is_open(self) -> bool:
        return self.status == CongressStatus.REGISTRATION_OPEN


class Venue(models.Model):
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="venues", verbose_name=_("congress")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO code."))
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("venue")
    )
    name = models.CharField(_("name"), max_length=120)
    floor = models.CharField(_("floor"), max_length=40, blank=True)
    building = models.CharField(
        _("building"),
        max_length=120,
        blank=True,
        help_text=_("Where the room is, when the venue has several buildings or sites."),
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    accessibility_notes = models.TextField(
        _("accessibility notes"), blank=True, help_text=_("Step-free access, hearing loop...")
    )
    opens_at = models.TimeField(
        _("opens at"), null=True, blank=True, help_text=_("Daily opening, congress local time.")
    )
    closes_at = models.TimeField(
        _("closes at"), null=True, blank=True, help_text=_("Daily closing, congress local time.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_name_unique_per_venue")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("A room must close after it opens.")}, code="closes_before_opens"
            )


class TeamMembership(models.Model):
    """One role of one person in one congress's organiser team. A person may hold several."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="team", verbose_name=_("congress")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="congress_roles",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "user", "role"], name="one_role_once_per_person_and_congress"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.congress}"


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    """Entries are written once: bulk updates and deletes are refused (the database refuses
    them too, see the migration ``audit_entries_append_only``)."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    def _redact(self, **kwargs) -> int:
        """The one permitted change, for ``audit.redact`` only: replace the personal text of
        entries (``data``, ``actor_label``), stamping ``redacted_at``; who, what, when stay."""
        if set(kwargs) - {"data", "actor_label", "redacted_at"} or not kwargs.get("redacted_at"):
            raise AuditLogIsAppendOnly("A redaction changes only data and actor_label.")
        return super().update(**kwargs)

    update.queryset_only = True
    delete.queryset_only = True


class AuditEntry(models.Model):
    """Who did what, when: every state-changing service writes one. Append-only: see
    docs/security.md ("Audit log"). The links to the congress and the person are kept without a
    database constraint, so that deleting either leaves its entries as they were; the slug
    and the username at the time are copied onto the row."""

    congress = models.ForeignKey(
        Congress,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    congress_slug = models.CharField(max_length=80, blank=True, default="", db_default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=150,
        blank=True,
        help_text=_("Who acted when not a user: delegate, stripe..."),
    )
    action = models.CharField(max_length=120, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["congress", "created_at", "id"], name="audit_congress_created"),
            models.Index(fields=["actor", "created_at", "id"], name="audit_actor_created"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        kwargs["force_insert"] = True  # never an UPDATE, even with a primary key given
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


def new_invitation_secret() -> str:
    return secrets.token_urlsafe(32)


class TeamInvitation(models.Model):
    """An invitation to join a congress's team with some roles, sent by e-mail; its link
    works once, for a limited time."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("congress")
    )
    email = models.EmailField(_("e-mail"))
    roles = models.JSONField(_("roles"), default=list)
    secret = models.CharField(
        max_length=64, unique=True, default=new_invitation_secret, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")

    def __str__(self) -> str:
        return f"{self.email} – {self.congress}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.withdrawn_at is None
            and self.expires_at > timezone.now()
        )


class ApiToken(models.Model):
    """A key a program (a scanner app, a script) uses to call the API as its creator, narrowed
    to one congress and one role. Only the SHA-256 of the key is stored; ``prefix`` (its first
    characters) tells tokens apart in lists."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("congress")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("created by"),
        help_text=_("The token acts as this person, with no more than the token's role."),
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    use_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["congress", "user"])]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def is_expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def status(self, now: dt.datetime) -> ApiTokenStatus:
        if self.revoked_at is not None:
            return ApiTokenStatus.REVOKED
        if self.is_expired(now):
            return ApiTokenStatus.EXPIRED
        return ApiTokenStatus.ACTIVE
