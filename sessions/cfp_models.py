"""Calls for proposals and the proposals made to them (models imported by ``models.py``).

A call (sessions, side events, posters) opens and closes on its dates, per proposal type if a
type has its own deadline. A proposal is made without an account: its proposer holds a secret
link to edit it until the deadline, withdraw it and follow its status; every person named on it
(moderator, speakers) holds their own secret link to confirm and complete their profile. The
review side (phases, scores, assignments) is in ``review_models.py``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress
from events_site.congresses.translations import Translatable, language_code

from .enums import (
    MAX_SESSION_MINUTES,
    MIN_SESSION_MINUTES,
    CallKind,
    DecisionOutcome,
    Gender,
    InvitationStatus,
    PaidSpeakerPolicy,
    ProposalStatus,
    QuestionKind,
    QuestionTarget,
    SessionFormat,
    SpeakerRole,
)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


class CallForProposals(Translatable, models.Model):
    """One call of a congress, with its dates and how its review works; its public texts in
    every language of the congress (``translations``)."""

    translatable_fields = ("title", "description", "review_description")

    congress = models.ForeignKey(
        Congress,
        on_delete=models.CASCADE,
        related_name="calls_for_proposals",
        verbose_name=_("congress"),
    )
    slug = models.SlugField(_("slug"), max_length=80, help_text=_("Used in the call's address."))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CallKind.choices, default=CallKind.SESSIONS
    )
    description = models.TextField(_("what is asked"), blank=True, max_length=10000)
    review_description = models.TextField(_("how review works"), blank=True, max_length=5000)
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("deadline"))
    tracks = models.ManyToManyField(
        "agenda.Track", blank=True, related_name="calls", verbose_name=_("tracks")
    )
    require_member_organisation = models.BooleanField(
        _("proposing organisation must be a member"),
        default=False,
        help_text=_("The proposing organisation is checked against the member list."),
    )
    collect_gender = models.BooleanField(
        _("ask speakers' gender (optional for them)"),
        default=False,
        help_text=_("Only to show the programme's balance; never shown to the public."),
    )
    conflict_same_country = models.BooleanField(
        _("reviewers never review proposals from their own country"), default=False
    )
    reviews_per_proposal = models.PositiveSmallIntegerField(
        _("reviews per proposal"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    max_speakers = models.PositiveSmallIntegerField(
        _("most people per proposal"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    public_abstracts = models.BooleanField(
        _("in the public book of abstracts"),
        default=False,
        help_text=_(
            "Its accepted proposals whose sessions are in the published programme appear in the "
            "public book of abstracts, linked from the programme."
        ),
    )
    speaker_registration_type = models.ForeignKey(
        "registrations.RegistrationType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("free registration type for confirmed speakers"),
        help_text=_("Each confirmed speaker of an accepted proposal gets a voucher for it."),
    )
    paid_speaker_policy = models.CharField(
        _("what a confirmed speaker who already paid as a delegate is offered"),
        max_length=16,
        choices=PaidSpeakerPolicy.choices,
        default=PaidSpeakerPolicy.NOTHING,
        help_text=_(
            "Shown on the speaker's link with the amount and the order; when they accept, the "
            "refund (or the change to the speaker registration type, the difference refunded) "
            "goes through the usual services."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opens_at", "title"]
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        constraints = [
            models.UniqueConstraint(fields=["congress", "slug"], name="call_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("opens_at")),
                name="call_deadline_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.deadline and self.deadline <= self.opens_at:
            raise ValidationError(
                {"deadline": _("The deadline must come after the opening.")},
                code="deadline_before_opening",
            )


class ProposalType(Translatable, models.Model):
    """A kind of proposal a call takes (a panel, a workshop, a poster), with the session format
    and duration an accepted one gets, and its own deadline if it differs from the call's."""

    translatable_fields = ("name", "description")

    call = models.ForeignKey(
        CallForProposals,
        on_delete=models.CASCADE,
        related_name="proposal_types",
        verbose_name=_("call"),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    format = models.CharField(
        _("session format"),
        max_length=24,
        choices=SessionFormat.choices,
        default=SessionFormat.PARALLEL,
    )
    default_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=90,
        validators=[MinValueValidator(MIN_SESSION_MINUTES), MaxValueValidator(MAX_SESSION_MINUTES)],
    )
    deadline = models.DateTimeField(
        _("own deadline"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the call's deadline."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("proposal type")
        verbose_name_plural = _("proposal types")

    def __str__(self) -> str:
        return self.name

    @property
    def effective_deadline(self):
        return self.deadline or self.call.deadline


class CfpQuestion(Translatable, models.Model):
    """An organiser's own question, asked of each proposal or of each speaker.

    A choice question's ``choices`` are its main-language labels and the stable values its
    answers store; their other languages are kept in ``translations`` under ``"choices"``, one
    line per choice in the same order (a blank or absent line reads the main label)."""

    translatable_fields = ("text", "help_text", "choices")

    call = models.ForeignKey(
        CallForProposals, on_delete=models.CASCADE, related_name="questions", verbose_name=_("call")
    )
    target = models.CharField(
        _("asked of"),
        max_length=12,
        choices=QuestionTarget.choices,
        default=QuestionTarget.PROPOSAL,
    )
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    kind = models.CharField(
        _("answer"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    choices = models.JSONField(_("choices"), default=_empty_list, blank=True)
    required_from = models.DateTimeField(
        _("required from"),
        null=True,
        blank=True,
        help_text=_("Empty: optional. A date in the past: required now."),
    )
    locked_after = models.DateTimeField(
        _("locked after"), null=True, blank=True, help_text=_("Answers cannot change after this.")
    )
    hidden_from_reviewers = models.BooleanField(_("hidden from reviewers"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("call question")
        verbose_name_plural = _("call questions")

    def __str__(self) -> str:
        return self.text

    def choice_labels(self, language: str | None = None) -> list[tuple[str, str]]:
        """(stored value, label in ``language``) of each choice; the main label where that
        language has none for it."""
        written = self._choice_lines(language_code(language))
        if not any(written):
            written = self._choice_lines(language_code(language).split("-")[0])
        return [
            (value, written[i] if i < len(written) and written[i] else value)
            for i, value in enumerate(self.choices or [])
        ]

    def _choice_lines(self, language: str) -> list[str]:
        return [line.strip() for line in self.translation("choices", language).split("\n")]

    def answer_label(self, value, language: str | None = None) -> str:
        """An answer as a reader of ``language`` reads it: a choice by its translated label,
        any other answer (or a choice no longer offered) as stored."""
        if self.kind == QuestionKind.CHOICE:
            return dict(self.choice_labels(language)).get(value, "" if value is None else value)
        return "" if value is None else str(value)

    def choices_missing_in(self, language: str) -> bool:
        """Some choice has no label in ``language`` (the "missing" marker)."""
        if self.kind != QuestionKind.CHOICE or not self.choices:
            return False
        written = self._choice_lines(language_code(language))
        return len(written) < len(self.choices) or not all(written[: len(self.choices)])

    def missing_translations(self, languages: list[str]) -> dict[str, list[str]]:
        missing = {}
        for code, gaps in super().missing_translations(languages).items():
            kept = [field for field in gaps if field != "choices"]
            if kept:
                missing[code] = kept
        for code in languages:
            if self.choices_missing_in(code):
                missing.setdefault(code, []).append("choices")
        return missing

    def is_required(self, now) -> bool:
        return self.required_from is not None and self.required_from <= now

    def is_locked(self, now) -> bool:
        return self.locked_after is not None and self.locked_after <= now


class AccessCode(models.Model):
    """A code that lets a proposer submit where the public cannot: after the deadline, or in
    tracks and types reserved to it; with an expiry and a number of uses."""

    call = models.ForeignKey(
        CallForProposals,
        on_delete=models.CASCADE,
        related_name="access_codes",
        verbose_name=_("call"),
    )
    code = models.CharField(_("code"), max_length=40)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("uses"), default=1, validators=[MinValueValidator(1)])
    uses = models.PositiveIntegerField(_("used"), default=0, editable=False)
    tracks = models.ManyToManyField(
        "agenda.Track", blank=True, related_name="+", verbose_name=_("only for tracks")
    )
    proposal_types = models.ManyToManyField(
        ProposalType, blank=True, related_name="access_codes", verbose_name=_("only for types")
    )
    allows_late_submission = models.BooleanField(_("allows submission after the deadline"))
    is_active = models.BooleanField(_("active"), default=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="access_code_unique"),
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")), name="access_code_within_uses"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Proposal(models.Model):
    """A session (side event, poster) proposed to a call, by a proposer without an account."""

    call = models.ForeignKey(
        CallForProposals, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("call")
    )
    code = models.CharField(_("code"), max_length=12, editable=False, unique=True)
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract"), blank=True, max_length=10000)
    proposal_type = models.ForeignKey(
        ProposalType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("format"),
    )
    track = models.ForeignKey(
        "agenda.Track",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("track"),
    )
    languages = models.JSONField(_("languages"), default=_empty_list, blank=True)
    organisation = models.CharField(_("proposing organisation"), max_length=200, blank=True)
    organisation_country = CountryField(_("country of the organisation"), blank=True)
    member_organisation = models.ForeignKey(
        "registrations.MemberOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("member organisation"),
    )
    co_organisers = models.TextField(
        _("co-organising bodies"), blank=True, max_length=2000, help_text=_("One per line.")
    )
    proposer_name = models.CharField(_("your name"), max_length=200)
    proposer_email = models.EmailField(_("your e-mail"), max_length=254)
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    answers = models.JSONField(_("answers"), default=_empty_dict, blank=True)
    access_code = models.ForeignKey(
        AccessCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("access code"),
    )
    session = models.ForeignKey(
        "agenda.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("session"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["call", "status"], name="proposal_call_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == ProposalStatus.DRAFT

    @property
    def is_accepted(self) -> bool:
        return self.status == ProposalStatus.ACCEPTED

    @property
    def awaits_decision(self) -> bool:
        """Submitted or on the waiting list: the committee may still decide on it."""
        return self.status in (ProposalStatus.SUBMITTED, ProposalStatus.WAITING_LIST)

    @property
    def is_live(self) -> bool:
        """A draft, or awaiting a decision: the proposer may still act on it."""
        return self.is_draft or self.awaits_decision

    @property
    def deadline(self):
        """When its people and content lock: its type's deadline, else the call's; a late
        submission by access code keeps the code's own date."""
        if self.access_code_id and self.access_code.allows_late_submission:
            return self.access_code.valid_until or self.call.deadline
        if self.proposal_type_id:
            return self.proposal_type.effective_deadline
        return self.call.deadline


class ProposalPerson(models.Model):
    """A moderator or speaker named on a proposal, invited by e-mail to confirm and complete
    their own profile through their own secret link. On acceptance they become (or join) the
    congress's ``Speaker`` with the same e-mail: one person across calls and sessions."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="people", verbose_name=_("proposal")
    )
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    role = models.CharField(
        _("role"), max_length=16, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254)
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    status = models.CharField(
        _("invitation"),
        max_length=12,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    first_time = models.BooleanField(_("first time speaking at this congress"), null=True)
    bio = models.TextField(_("short biography"), blank=True, max_length=2000)
    pronunciation = models.CharField(_("how to say your name"), max_length=200, blank=True)
    links = models.TextField(_("links"), blank=True, max_length=2000, help_text=_("One per line."))
    spoken_languages = models.JSONField(_("languages you speak in"), default=_empty_list)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    recording_consent = models.BooleanField(_("agrees to be recorded"), null=True)
    travel_needs = models.TextField(_("travel needs"), blank=True, max_length=2000)
    answers = models.JSONField(_("answers"), default=_empty_dict, blank=True)
    speaker = models.ForeignKey(
        "agenda.Speaker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_people",
        verbose_name=_("speaker"),
    )
    voucher = models.ForeignKey(
        "registrations.Voucher",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("speaker registration voucher"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("person on a proposal")
        verbose_name_plural = _("people on proposals")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "email"], name="person_once_per_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class ProposalPersonUnavailability(models.Model):
    """A time a person on a proposal cannot speak; copied to the speaker on acceptance, where
    the scheduling rules use it."""

    person = models.ForeignKey(
        ProposalPerson, on_delete=models.CASCADE, related_name="unavailabilities"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("unavailability of a person on a proposal")
        verbose_name_plural = _("unavailabilities of people on proposals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="proposal_unavailability_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.starts_at:%Y-%m-%d %H:%M}"


class ProposalDecision(models.Model):
    """The committee's decision on a proposal, held pending until sent in bulk (``sent_at``);
    one per proposal, changeable while pending."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="decision", verbose_name=_("proposal")
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=DecisionOutcome.choices)
    format = models.CharField(
        _("accepted as"), max_length=24, choices=SessionFormat.choices, blank=True
    )
    merge_into = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_decisions",
        verbose_name=_("merged into"),
    )
    note = models.TextField(_("note to the proposer"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["sent_at"], name="decision_pending")]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.get_outcome_display()}"
