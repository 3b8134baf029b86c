"""The programme of a congress: tracks, sessions, speakers, published versions, personal agendas.

Organisers edit sessions (the draft); the public only ever reads a ``ScheduleVersion`` snapshot.
Session and speaker codes are short, random and never reused, so feed UIDs stay stable.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress, Room
from events_site.congresses.translations import Translatable

from .enums import (
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    SIGN_UP_FORMATS,
    DoorRefusal,
    SessionFormat,
    SessionStatus,
    SignupStatus,
    SpeakerRole,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 6) -> str:
    """A short, unambiguous code; uniqueness per congress is checked by the caller."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_agenda_token() -> str:
    return secrets.token_urlsafe(32)


def _empty_list() -> list:
    return []


colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Give the colour as #RRGGBB, for example #1f77b4.")
)


class Track(Translatable, models.Model):
    translatable_fields = ("name", "description")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("congress")
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, help_text=_("Used in filters and feeds."))
    colour = models.CharField(
        _("colour"), max_length=7, default="#2f6f9f", validators=[colour_validator]
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["congress", "slug"], name="track_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class FormatSetting(Translatable, models.Model):
    """A congress's own default duration (and optional name and description) for one of the
    fixed session formats; a format without a row uses the site default (``enums``)."""

    translatable_fields = ("display_name", "description")

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="format_settings",
        verbose_name=_("congress"),
    )
    format = models.CharField(_("format"), max_length=24, choices=SessionFormat.choices)
    default_minutes = models.PositiveIntegerField(
        _("default duration (minutes)"),
        validators=[MinValueValidator(MIN_SESSION_MINUTES), MaxValueValidator(MAX_SESSION_MINUTES)],
    )
    display_name = models.CharField(
        _("name at this congress"),
        max_length=80,
        blank=True,
        help_text=_("Leave empty to use the standard name."),
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        ordering = ["format"]
        verbose_name = _("format setting")
        verbose_name_plural = _("format settings")
        constraints = [
            models.UniqueConstraint(fields=["congress", "format"], name="format_setting_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_format_display()


class Tag(models.Model):
    """A label organisers put on sessions (a theme, a goal, an audience); delegates filter the
    public agenda by it."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="tags", verbose_name=_("congress")
    )
    name = models.CharField(_("name"), max_length=40)
    slug = models.SlugField(_("slug"), max_length=80, help_text=_("Used in filters and feeds."))
    colour = models.CharField(_("colour"), max_length=7, blank=True, validators=[colour_validator])

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["congress", "slug"], name="tag_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("congress")
    )
    code = models.CharField(_("code"), max_length=12, editable=False)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(
        _("e-mail"),
        max_length=254,
        blank=True,
        help_text=_("The same person across calls and sessions is found by it."),
    )
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    bio = models.TextField(_("short biography"), blank=True, max_length=2000)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    recording_allowed = models.BooleanField(
        _("agrees to be recorded"),
        default=True,
        help_text=_(
            "Off: no session of this speaker is recorded or streamed, whatever the session says."
        ),
    )
    delegate = models.ForeignKey(
        "registrations.Delegate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_profiles",
        verbose_name=_("registered as delegate"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.UniqueConstraint(fields=["congress", "code"], name="speaker_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Session(Translatable, models.Model):
    """One item of the programme (the organisers' draft). Never deleted: cancel it instead."""

    translatable_fields = ("title", "abstract")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("congress")
    )
    code = models.CharField(_("code"), max_length=12, editable=False)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True, max_length=10000)
    format = models.CharField(
        _("format"), max_length=24, choices=SessionFormat.choices, default=SessionFormat.PARALLEL
    )
    track = models.ForeignKey(
        Track,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("track"),
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_sessions",
        verbose_name=_("room"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    languages = models.JSONField(
        _("languages"), default=_empty_list, blank=True, help_text=_("Spoken languages.")
    )
    interpretation_languages = models.JSONField(
        _("interpretation into"), default=_empty_list, blank=True
    )
    captioning = models.BooleanField(_("live captioning"), default=False)
    recording_allowed = models.BooleanField(
        _("recording allowed"),
        default=True,
        help_text=_("The speakers agree to this session being recorded and streamed."),
    )
    capacity = models.PositiveIntegerField(
        _("sign-up capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Seats delegates can sign up for (workshops, site visits)."),
    )
    expected_attendance = models.PositiveIntegerField(
        _("expected attendance"), null=True, blank=True
    )
    attendance_scanning = models.BooleanField(
        _("scan delegates into the room"),
        default=False,
        help_text=_(
            "Staff scan badges at the door; with a sign-up capacity, only delegates with a "
            "seat come in. Gives the attendance list (and certificates of attendance)."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    unscheduled = models.BooleanField(
        _("in the queue"),
        default=False,
        help_text=_(
            "Waiting in the timetable editor's queue: its times only keep its length; it takes "
            "no room or speaker's time and is not published until it is placed."
        ),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="sessions", verbose_name=_("tags"))
    speakers = models.ManyToManyField(
        Speaker, through="SessionSpeaker", related_name="sessions", verbose_name=_("speakers")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "room__position", "code"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["congress", "code"], name="session_code_unique"),
        ]
        indexes = [models.Index(fields=["congress", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "agenda:session", kwargs={"congress_slug": self.congress.slug, "code": self.code}
        )

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": _("A session must end after it starts.")}, code="end_before_start"
            )

    @property
    def needs_sign_up(self) -> bool:
        return self.format in SIGN_UP_FORMATS

    @property
    def requires_seat(self) -> bool:
        """Only delegates with a seat (a sign-up) come in: the session limits its sign-ups."""
        return self.capacity is not None


class SessionSpeaker(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roles")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(
        _("role"), max_length=16, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("speaker role")
        verbose_name_plural = _("speaker roles")
        constraints = [
            models.UniqueConstraint(fields=["session", "speaker"], name="speaker_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"


class ScheduleVersion(models.Model):
    """A published, immutable state of the programme: what the public pages and feeds read."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="schedule_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    changelog = models.JSONField(_("changes"), default=_empty_list)
    snapshot = models.JSONField(_("snapshot"), default=dict)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="schedule_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.congress} v{self.number}"


class ChangeNotice(models.Model):
    """A delegate was e-mailed the changes of one published version (so never twice)."""

    version = models.ForeignKey(
        ScheduleVersion, on_delete=models.CASCADE, related_name="change_notices"
    )
    delegate = models.ForeignKey(
        "registrations.Delegate", on_delete=models.CASCADE, related_name="change_notices"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "delegate"], name="change_notice_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}: {self.delegate_id}"


class PersonalAgenda(models.Model):
    """A delegate's own agenda and its calendar subscription token (revocable, regenerable)."""

    delegate = models.OneToOneField(
        "registrations.Delegate", on_delete=models.CASCADE, related_name="personal_agenda"
    )
    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="personal_agendas"
    )
    feed_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, default=new_agenda_token
    )
    token_created_at = models.DateTimeField(null=True, blank=True)
    sessions = models.ManyToManyField(Session, through="AgendaItem", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text=_("Last change of its sessions."))

    class Meta:
        verbose_name = _("personal agenda")
        verbose_name_plural = _("personal agendas")

    def __str__(self) -> str:
        return f"{self.delegate}"


class AgendaItem(models.Model):
    agenda = models.ForeignKey(PersonalAgenda, on_delete=models.CASCADE, related_name="items")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agenda", "session"], name="session_once_per_agenda"),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_id}: {self.session_id}"


class SessionSignup(models.Model):
    """A seat (or a place on the waiting list) in a capacity-limited session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    delegate = models.ForeignKey(
        "registrations.Delegate", on_delete=models.CASCADE, related_name="session_signups"
    )
    status = models.CharField(max_length=16, choices=SignupStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["session", "delegate"], name="signup_once_per_session"),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.delegate} – {self.session.code} ({self.get_status_display()})"


class SpeakerUnavailability(models.Model):
    """A time a speaker cannot speak (travel, another commitment). The scheduling rules refuse
    a session of theirs that overlaps it; the timetable editor shades it while one is dragged."""

    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.CASCADE,
        related_name="unavailabilities",
        verbose_name=_("speaker"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("speaker unavailability")
        verbose_name_plural = _("speaker unavailabilities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="unavailability_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class SessionAttendance(models.Model):
    """A delegate scanned into a session's room (once per session): the attendance list, and
    what certificates of attendance will read."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    delegate = models.ForeignKey(
        "registrations.Delegate",
        on_delete=models.CASCADE,
        related_name="session_attendances",
        verbose_name=_("delegate"),
    )
    at = models.DateTimeField(_("came in at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scanned by"),
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "delegate"], name="attendance_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} – {self.session.code}"


class AttendanceRefusal(models.Model):
    """A badge a session's door refused (no seat, may not enter, a code that opens nothing):
    the organiser reads them beside the attendance list. ``scanned`` keeps a code that opens
    nothing as read (200 characters at most) and a badge code only as its first characters."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="door_refusals", verbose_name=_("session")
    )
    delegate = models.ForeignKey(
        "registrations.Delegate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delegate"),
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scanned by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=DoorRefusal.choices)
    scanned = models.CharField(_("scanned"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("refusal at a session's door")
        verbose_name_plural = _("refusals at a session's door")
        indexes = [models.Index(fields=["session", "-at"], name="doorrefusal_recent")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} – {self.session.code}"


class WidgetSettings(models.Model):
    """Where the congress's programme widget may be embedded: the origins (``https://host``)
    whose pages may frame ``/<congress>/widget/`` (its ``frame-ancestors``). None: only this
    site may frame it."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="widget_settings"
    )
    allowed_origins = models.JSONField(_("sites that may embed the programme"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme widget settings")
        verbose_name_plural = _("programme widget settings")

    def __str__(self) -> str:
        return f"{self.congress}: {', '.join(self.allowed_origins) or '-'}"


# Breaks and block contributions live in their own file; imported here so Django finds them.
from .block_models import Break, Contribution  # noqa: E402, F401

# Calls for proposals and their review live in their own files; imported here likewise.
from .cfp_models import (  # noqa: E402, F401
    AccessCode,
    CallForProposals,
    CfpQuestion,
    Proposal,
    ProposalDecision,
    ProposalPerson,
    ProposalPersonUnavailability,
    ProposalType,
)
from .paid_speaker_models import PaidSpeakerOffer  # noqa: E402, F401
from .review_models import (  # noqa: E402, F401
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewPhase,
    ReviewScore,
    ScoreCategory,
)
from .slides_models import SessionSlides  # noqa: E402, F401
