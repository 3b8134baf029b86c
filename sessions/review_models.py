"""The review of proposals (models imported by ``models.py``): phases, weighted score
categories, reviews with their scores, assignments, and each reviewer's own organisation and
country (for conflicts of interest) and tracks."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress
from events_site.congresses.translations import Translatable

from .cfp_models import CallForProposals, Proposal


class ReviewPhase(models.Model):
    """A stage of a call's review; the one active phase decides who reviews and what they see."""

    call = models.ForeignKey(
        CallForProposals,
        on_delete=models.CASCADE,
        related_name="review_phases",
        verbose_name=_("call"),
    )
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=False)
    reviewers_may_review = models.BooleanField(_("reviewers score proposals"), default=True)
    proposers_may_edit = models.BooleanField(
        _("proposers may still edit"),
        default=False,
        help_text=_("Even after the deadline, while this phase is active."),
    )
    blind = models.BooleanField(
        _("blind review"), default=True, help_text=_("Reviewers never see people's names.")
    )
    see_other_reviews = models.BooleanField(_("reviewers see each other's reviews"), default=False)
    assigned_only = models.BooleanField(
        _("reviewers see only proposals assigned to them"), default=False
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("review phase")
        verbose_name_plural = _("review phases")
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=models.Q(is_active=True),
                name="one_active_review_phase_per_call",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScoreCategory(Translatable, models.Model):
    """One thing reviewers score (relevance, quality, balance), from ``min_score`` to
    ``max_score``, counting ``weight`` times in a proposal's score."""

    translatable_fields = ("name",)

    call = models.ForeignKey(
        CallForProposals,
        on_delete=models.CASCADE,
        related_name="score_categories",
        verbose_name=_("call"),
    )
    name = models.CharField(_("name"), max_length=120)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    min_score = models.SmallIntegerField(_("lowest score"), default=0)
    max_score = models.SmallIntegerField(_("highest score"), default=5)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("score category")
        verbose_name_plural = _("score categories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_score__gt=models.F("min_score")),
                name="score_category_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReviewerProfile(models.Model):
    """What conflicts of interest are checked against for one reviewer of a congress, and the
    tracks they review (none: all)."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profiles"
    )
    organisation = models.CharField(_("own organisation"), max_length=200, blank=True)
    country = CountryField(_("own country"), blank=True)
    tracks = models.ManyToManyField(
        "agenda.Track", blank=True, related_name="+", verbose_name=_("reviews only these tracks")
    )

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        constraints = [
            models.UniqueConstraint(fields=["congress", "user"], name="reviewer_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.congress_id}"


class ReviewAssignment(models.Model):
    """A proposal given to a reviewer to review (automatic or by hand)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="assignment_once_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.reviewer_id}"


class Review(models.Model):
    """One reviewer's review of one proposal; ``score`` is the weighted mean of its scores."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_reviews"
    )
    phase = models.ForeignKey(
        ReviewPhase, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="review_once_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} by {self.reviewer_id}: {self.score}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    category = models.ForeignKey(ScoreCategory, on_delete=models.CASCADE, related_name="scores")
    value = models.SmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "category"], name="score_once_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.value}"
