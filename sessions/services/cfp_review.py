"""The review of a call's proposals: what the active phase lets a reviewer see and do, weighted
scores, conflicts of interest, automatic assignment and "save and next".

Blind review is a view-model, not a template's care: :func:`reviewer_view` builds the only
object reviewer pages and the reviewer API read, and in a blind phase it holds no person's or
organisation's name at all (so no template can leak one).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.enums import Role
from events_site.congresses.models import TeamMembership
from registrations.models.vouchers import normalise_organisation_name
from registrations.regions import area_name, region_of

from ..enums import REVIEWABLE_STATUSES, InvitationStatus, QuestionTarget
from ..errors import ReviewRefused
from ..models import (
    CallForProposals,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewPhase,
    ReviewScore,
    ScoreCategory,
)

TWO_PLACES = Decimal("0.01")


def active_phase(call: CallForProposals) -> ReviewPhase | None:
    return call.review_phases.filter(is_active=True).first()


def activate_phase(*, phase: ReviewPhase, by) -> ReviewPhase:
    """Make ``phase`` the call's one active phase."""
    with transaction.atomic():
        ReviewPhase.objects.filter(call=phase.call, is_active=True).exclude(pk=phase.pk).update(
            is_active=False
        )
        ReviewPhase.objects.filter(pk=phase.pk).update(is_active=True)
        phase.is_active = True
        audit.record(
            action="convene.cfp.phase_activated",
            congress=phase.call.congress,
            actor=by,
            target=phase,
            data={"phase": phase.name},
        )
    return phase


def profile_of(call: CallForProposals, user) -> ReviewerProfile | None:
    return (
        ReviewerProfile.objects.filter(congress=call.congress, user=user)
        .prefetch_related("tracks")
        .first()
    )


def reviewers_of(call: CallForProposals) -> list:
    ids = TeamMembership.objects.filter(congress=call.congress, role=Role.REVIEWER).values(
        "user_id"
    )
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


# --- conflicts of interest ---------------------------------------------------------------


def _organisations_of(proposal: Proposal) -> set[str]:
    names = [proposal.organisation, *proposal.co_organisers.splitlines()]
    names += [person.organisation for person in proposal.people.all()]
    if proposal.member_organisation_id:
        names.append(proposal.member_organisation.name)
    return {key for key in (normalise_organisation_name(n) for n in names if n) if key}


def _countries_of(proposal: Proposal) -> set[str]:
    found = {str(proposal.organisation_country or "")}
    found |= {str(person.country or "") for person in proposal.people.all()}
    return found - {""}


def has_conflict(proposal: Proposal, profile: ReviewerProfile | None) -> bool:
    """A reviewer never reviews a proposal of their own organisation (proposing, co-organising
    or a speaker's) nor, where the call says so, one from their own country."""
    if profile is None:
        return False
    own = normalise_organisation_name(profile.organisation or "")
    if own and own in _organisations_of(proposal):
        return True
    country = str(profile.country or "")
    return bool(
        proposal.call.conflict_same_country and country and country in _countries_of(proposal)
    )


def _in_tracks(proposal: Proposal, profile: ReviewerProfile | None) -> bool:
    if profile is None:
        return True
    tracks = {track.pk for track in profile.tracks.all()}
    return not tracks or proposal.track_id in tracks


# --- what a reviewer may see -------------------------------------------------------------


def _candidates(call: CallForProposals):
    return (
        Proposal.objects.filter(call=call, status__in=REVIEWABLE_STATUSES)
        .select_related("call", "track", "proposal_type", "member_organisation")
        .prefetch_related("people", "call__questions")
        .annotate(review_count=Count("reviews", distinct=True))
        .order_by("review_count", "pk")
    )


def reviewable_for(call: CallForProposals, user, *, phase: ReviewPhase | None = None) -> list:
    """The proposals ``user`` may review now: the phase's scope (all or assigned), their
    tracks, no conflict of interest. Fewest reviews first."""
    phase = phase or active_phase(call)
    if phase is None or not phase.reviewers_may_review:
        return []
    profile = profile_of(call, user)
    proposals = _candidates(call)
    if phase.assigned_only:
        proposals = proposals.filter(assignments__reviewer=user)
    return [p for p in proposals if _in_tracks(p, profile) and not has_conflict(p, profile)]


def check_may_review(proposal: Proposal, user) -> ReviewPhase:
    phase = active_phase(proposal.call)
    if phase is None or not phase.reviewers_may_review:
        raise ReviewRefused(_("No review phase is open for this call."))
    if proposal.pk not in {p.pk for p in reviewable_for(proposal.call, user, phase=phase)}:
        raise ReviewRefused(_("You cannot review this proposal."))
    return phase


def next_for(call: CallForProposals, user) -> Proposal | None:
    """ "Save and next": the proposal with the fewest reviews this reviewer has not reviewed."""
    done = set(
        Review.objects.filter(proposal__call=call, reviewer=user).values_list(
            "proposal_id", flat=True
        )
    )
    for proposal in reviewable_for(call, user):
        if proposal.pk not in done:
            return proposal
    return None


@dataclass
class PersonView:
    role: str
    name: str  # empty in a blind phase
    organisation: str
    region: str
    confirmed: bool


@dataclass
class ReviewerView:
    """A proposal as a reviewer sees it: in a blind phase, no name of anyone."""

    code: str
    title: str
    abstract: str
    format: str
    track: str
    languages: list[str]
    blind: bool
    proposer: str = ""
    organisation: str = ""
    co_organisers: str = ""
    people: list[PersonView] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    review_count: int = 0

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "abstract": self.abstract,
            "format": self.format,
            "track": self.track,
            "languages": self.languages,
            "blind": self.blind,
            "proposer": self.proposer,
            "organisation": self.organisation,
            "co_organisers": self.co_organisers,
            "people": [person.__dict__ for person in self.people],
            "answers": [list(pair) for pair in self.answers],
            "reviews": self.review_count,
        }


def reviewer_view(proposal: Proposal, phase: ReviewPhase) -> ReviewerView:
    blind = phase.blind
    questions = [
        q
        for q in proposal.call.questions.all()
        if q.target == QuestionTarget.PROPOSAL and not q.hidden_from_reviewers
    ]
    view = ReviewerView(
        code=proposal.code,
        title=proposal.title,
        abstract=proposal.abstract,
        format=proposal.proposal_type.translated("name") if proposal.proposal_type_id else "",
        track=proposal.track.translated("name") if proposal.track_id else "",
        languages=list(proposal.languages or []),
        blind=blind,
        review_count=getattr(proposal, "review_count", 0),
        answers=[
            (q.translated("text"), q.answer_label(proposal.answers.get(str(q.pk), "")))
            for q in questions
        ],
    )
    if not blind:
        view.proposer = proposal.proposer_name
        view.organisation = proposal.organisation
        view.co_organisers = proposal.co_organisers
    for person in proposal.people.all():
        if person.status == InvitationStatus.DECLINED:
            continue
        region = region_of(person.country)
        view.people.append(
            PersonView(
                role=person.get_role_display(),
                name="" if blind else person.name,
                organisation="" if blind else person.organisation,
                region=area_name(region) if region else "",
                confirmed=person.status == InvitationStatus.CONFIRMED,
            )
        )
    return view


def reviews_seen(
    proposals: list[Proposal], user, phase: ReviewPhase
) -> tuple[dict[int, Review], dict[int, list[Review]]]:
    """The reviewer's own review of each proposal, and the other reviewers' where the phase
    shows them (never who wrote them when blind), in one query for any number of proposals."""
    reviews = Review.objects.filter(proposal__in=[p.pk for p in proposals])
    if not phase.see_other_reviews:
        reviews = reviews.filter(reviewer=user)
    mine: dict[int, Review] = {}
    others: dict[int, list[Review]] = defaultdict(list)
    for review in reviews.prefetch_related("scores__category").order_by("pk"):
        if review.reviewer_id == user.pk:
            mine[review.proposal_id] = review
        else:
            others[review.proposal_id].append(review)
    return mine, others


def others_reviews(proposal: Proposal, user, phase: ReviewPhase) -> list[Review]:
    """Other reviewers' reviews, where the phase shows them (never who wrote them when blind)."""
    if not phase.see_other_reviews:
        return []
    return reviews_seen([proposal], user, phase)[1].get(proposal.pk, [])


# --- scores ------------------------------------------------------------------------------


def weighted_score(values: dict[ScoreCategory, int]) -> Decimal | None:
    weight = sum((c.weight for c in values), Decimal(0))
    if not values or weight == 0:
        return None
    total = sum((c.weight * Decimal(v) for c, v in values.items()), Decimal(0))
    return (total / weight).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def save_review(*, proposal: Proposal, reviewer, scores: dict[int, int], comment: str) -> Review:
    """Write (or change) ``reviewer``'s review: a score in every category, within its range."""
    phase = check_may_review(proposal, reviewer)
    categories = list(proposal.call.score_categories.all())
    values: dict[ScoreCategory, int] = {}
    for category in categories:
        value = scores.get(category.pk)
        if value is None:
            raise ReviewRefused(_("Give a score in every category."))
        if not category.min_score <= value <= category.max_score:
            raise ReviewRefused(
                _("A score of “%(name)s” is from %(low)s to %(high)s.")
                % {"name": category.name, "low": category.min_score, "high": category.max_score}
            )
        values[category] = value
    with transaction.atomic():
        review, created = Review.objects.select_for_update().get_or_create(
            proposal=proposal, reviewer=reviewer, defaults={"phase": phase}
        )
        review.phase = phase
        review.comment = comment
        review.score = weighted_score(values)
        review.save()
        for category, value in values.items():
            ReviewScore.objects.update_or_create(
                review=review, category=category, defaults={"value": value}
            )
        audit.record(
            action="convene.cfp.review_saved",
            congress=proposal.call.congress,
            actor=reviewer,
            target=review,
            data={"proposal": proposal.code, "score": str(review.score), "new": created},
        )
    return review


# --- assignment ----------------------------------------------------------------------------


def assign_automatically(*, call: CallForProposals, by) -> int:
    """Give each reviewable proposal up to ``reviews_per_proposal`` reviewers, each time the
    least loaded reviewer who may review it (tracks, no conflict). Existing assignments stay;
    the number of assignments made is returned."""
    reviewers = reviewers_of(call)
    profiles = {
        p.user_id: p
        for p in ReviewerProfile.objects.filter(congress=call.congress).prefetch_related("tracks")
    }
    load: Counter = Counter(
        dict(
            ReviewAssignment.objects.filter(proposal__call=call)
            .values_list("reviewer_id")
            .annotate(n=Count("pk"))
        )
    )
    for reviewer in reviewers:
        load.setdefault(reviewer.pk, 0)
    assigned: dict[int, set[int]] = defaultdict(set)
    for proposal_id, reviewer_id in ReviewAssignment.objects.filter(
        proposal__call=call
    ).values_list("proposal_id", "reviewer_id"):
        assigned[proposal_id].add(reviewer_id)
    made = 0
    with transaction.atomic():
        for proposal in _candidates(call).order_by("pk"):
            wanted = call.reviews_per_proposal - len(assigned[proposal.pk])
            eligible = [
                r
                for r in reviewers
                if r.pk not in assigned[proposal.pk]
                and _in_tracks(proposal, profiles.get(r.pk))
                and not has_conflict(proposal, profiles.get(r.pk))
            ]
            eligible.sort(key=lambda r: (load[r.pk], r.pk))
            for reviewer in eligible[: max(wanted, 0)]:
                try:
                    with transaction.atomic():
                        ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)
                except IntegrityError:  # assigned by hand meanwhile
                    continue
                assigned[proposal.pk].add(reviewer.pk)
                load[reviewer.pk] += 1
                made += 1
        audit.record(
            action="convene.cfp.reviewers_assigned",
            congress=call.congress,
            actor=by,
            target=call,
            data={"assignments": made},
        )
    return made


def review_progress(call: CallForProposals) -> dict[int, int]:
    """Reviews per reviewable proposal (id -> count)."""
    return dict(
        Proposal.objects.filter(call=call, status__in=REVIEWABLE_STATUSES)
        .annotate(n=Count("reviews", filter=Q(reviews__score__isnull=False)))
        .values_list("pk", "n")
    )
