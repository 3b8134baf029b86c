"""The demo's call for sessions: open, with proposals in every state (draft, submitted,
reviewed, pending decisions, accepted into the editor's queue, waiting list, rejected, merged,
withdrawn) and a blind review in progress. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from events_site.congresses.enums import Role
from events_site.congresses.models import Congress, TeamMembership
from registrations.models import RegistrationType

from .enums import (
    DecisionOutcome,
    InvitationStatus,
    ProposalStatus,
    QuestionKind,
    QuestionTarget,
    SessionFormat,
    SpeakerRole,
)
from .models import (
    AccessCode,
    CallForProposals,
    CfpQuestion,
    Proposal,
    ProposalPerson,
    ProposalType,
    ReviewerProfile,
    ReviewPhase,
    ScoreCategory,
    Track,
    new_code,
)
from .services import cfp_decisions, cfp_review

TITLES = (
    "Heat-resilient streets: what cities learnt in 2026",
    "Participatory budgets beyond the pilot",
    "Housing first in secondary cities",
    "Water-sensitive design for informal settlements",
    "Local finance for climate adaptation",
    "Night-time economy and safety",
    "Data commons for municipal services",
    "Migrants in the city: welcome policies that last",
    "Coastal cities and managed retreat",
    "Circular procurement in town halls",
    "Youth councils with real budgets",
    "Public space for older people",
)
# (status, pending decision) of each proposal, in the order of TITLES.
STATES = (
    (ProposalStatus.DRAFT, None),
    (ProposalStatus.SUBMITTED, None),
    (ProposalStatus.SUBMITTED, None),
    (ProposalStatus.SUBMITTED, DecisionOutcome.ACCEPT),
    (ProposalStatus.WITHDRAWN, None),
    (ProposalStatus.SUBMITTED, None),
    ("sent", DecisionOutcome.ACCEPT),
    ("sent", DecisionOutcome.WAITING_LIST),
    ("sent", DecisionOutcome.REJECT),
    ("sent", DecisionOutcome.MERGE),
    (ProposalStatus.SUBMITTED, DecisionOutcome.REJECT),
    (ProposalStatus.SUBMITTED, None),
)


def _reviewers(congress: Congress) -> list:
    ids = TeamMembership.objects.filter(
        congress=congress, role__in=[Role.REVIEWER, Role.PROGRAMME]
    ).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def seed_demo(
    *, congress: Congress, people: list[dict], rng: random.Random, slug: str = "sessions"
) -> dict:
    call = CallForProposals.objects.filter(congress=congress, slug=slug).first()
    if call is None:
        call = _seed(congress, people, rng, slug)
    return {
        "calls": CallForProposals.objects.filter(congress=congress).count(),
        "proposals": Proposal.objects.filter(call=call).count(),
        "reviews": call.proposals.filter(reviews__isnull=False).count(),
    }


def _seed(congress: Congress, people: list[dict], rng: random.Random, slug: str):
    now = timezone.now()
    speaker_type = RegistrationType.objects.filter(congress=congress, name__icontains="speaker")
    call = CallForProposals.objects.create(
        congress=congress,
        slug=slug,
        title="Call for sessions",
        description=(
            "Member cities and their partners propose parallel sessions and workshops: a "
            "moderator, speakers from several cities and regions, co-organising bodies."
        ),
        review_description=(
            "A blind first round by the programme committee's reviewers (three reviews per "
            "proposal), then the committee decides with regional and gender balance in mind."
        ),
        opens_at=now - dt.timedelta(days=30),
        deadline=now + dt.timedelta(days=21),
        require_member_organisation=False,
        collect_gender=True,
        public_abstracts=True,
        reviews_per_proposal=2,
        speaker_registration_type=speaker_type.first(),
        translations={
            "fr": {
                "title": "Appel à sessions",
                "description": (
                    "Les villes membres et leurs partenaires proposent des sessions parallèles "
                    "et des ateliers : une modération, des intervenants de plusieurs villes et "
                    "régions, des organismes co-organisateurs."
                ),
                "review_description": (
                    "Un premier tour à l'aveugle par les évaluateurs du comité de programme "
                    "(trois évaluations par proposition), puis le comité décide en tenant "
                    "compte de l'équilibre régional et de genre."
                ),
            },
            "es": {"title": "Convocatoria de sesiones"},
        },
    )
    call.tracks.set(Track.objects.filter(congress=congress))
    panel = ProposalType.objects.create(
        call=call,
        name="Panel",
        format=SessionFormat.PARALLEL,
        default_minutes=90,
        position=0,
        translations={"fr": {"name": "Table ronde"}, "es": {"name": "Mesa redonda"}},
    )
    workshop = ProposalType.objects.create(
        call=call,
        name="Workshop",
        format=SessionFormat.WORKSHOP,
        default_minutes=120,
        position=1,
        translations={"fr": {"name": "Atelier"}, "es": {"name": "Taller"}},
    )
    CfpQuestion.objects.create(
        call=call,
        target=QuestionTarget.PROPOSAL,
        text="Which Sustainable Development Goal does it serve most?",
        kind=QuestionKind.CHOICE,
        choices=["SDG 6", "SDG 11", "SDG 13", "SDG 16"],
        required_from=now - dt.timedelta(days=30),
        translations={
            "fr": {"text": "Quel objectif de développement durable sert-elle le plus ?"},
            "es": {"text": "¿A qué Objetivo de Desarrollo Sostenible contribuye más?"},
        },
    )
    CfpQuestion.objects.create(
        call=call,
        target=QuestionTarget.SPEAKER,
        text="Dietary needs",
        hidden_from_reviewers=True,
        translations={
            "fr": {"text": "Besoins alimentaires"},
            "es": {"text": "Necesidades alimentarias"},
        },
    )
    AccessCode.objects.create(
        call=call,
        code="LATE-CITIES",
        max_uses=5,
        allows_late_submission=True,
        valid_until=now + dt.timedelta(days=35),
        comment="For the regional sections that meet after the deadline.",
    )
    relevance = ScoreCategory.objects.create(call=call, name="Relevance", weight=Decimal("2"))
    quality = ScoreCategory.objects.create(
        call=call, name="Quality", weight=Decimal("1"), position=1
    )
    balance = ScoreCategory.objects.create(
        call=call, name="Diversity of voices", weight=Decimal("1"), position=2
    )
    ReviewPhase.objects.create(call=call, name="Blind review", position=0, blind=True)
    ReviewPhase.objects.create(
        call=call,
        name="Committee",
        position=1,
        blind=False,
        see_other_reviews=True,
        reviewers_may_review=False,
    )
    tracks = list(call.tracks.all())
    pool = list(people) or [
        {
            "given_name": "Ana",
            "family_name": "Lima",
            "organisation_name": "Recife",
            "country": "BR",
            "email": "ana@demo.example",
            "language": "pt",
        }
    ]
    proposals = []
    for index, (title, (status, outcome)) in enumerate(zip(TITLES, STATES, strict=True)):
        lead = pool[(index * 3) % len(pool)]
        proposal = Proposal.objects.create(
            call=call,
            code=_code(),
            title=title,
            abstract=f"{title}. Proposed by {lead['organisation_name']} with partner cities.",
            proposal_type=workshop if index % 4 == 1 else panel,
            track=tracks[index % len(tracks)] if tracks else None,
            languages=[congress.languages[index % len(congress.languages)]],
            organisation=lead["organisation_name"],
            organisation_country=lead["country"],
            proposer_name=f"{lead['given_name']} {lead['family_name']}",
            proposer_email=f"proposer{index}-{lead['email']}",
            language=lead.get("language") or "en",
            status=ProposalStatus.SUBMITTED if status == "sent" else status,
            submitted_at=None if status == ProposalStatus.DRAFT else now - dt.timedelta(days=5),
            answers={},
        )
        for position in range(3):
            person = pool[(index * 3 + position) % len(pool)]
            ProposalPerson.objects.create(
                proposal=proposal,
                role=SpeakerRole.MODERATOR if position == 0 else SpeakerRole.SPEAKER,
                name=f"{person['given_name']} {person['family_name']}",
                email=f"cfp{index}-{position}-{person['email']}",
                language=person.get("language") or "en",
                organisation=person["organisation_name"],
                country=person["country"],
                gender=rng.choice(["woman", "man", "woman", "non_binary", ""]),
                first_time=rng.random() < 0.4,
                status=rng.choice(
                    [
                        InvitationStatus.CONFIRMED,
                        InvitationStatus.CONFIRMED,
                        InvitationStatus.INVITED,
                    ]
                ),
                invited_at=None if status == ProposalStatus.DRAFT else now - dt.timedelta(days=5),
                position=position,
            )
        proposals.append((proposal, status, outcome))
    reviewers = _reviewers(congress)
    for reviewer in reviewers:
        ReviewerProfile.objects.get_or_create(congress=congress, user=reviewer)
    phase = call.review_phases.get(name="Committee")
    cfp_review.activate_phase(phase=phase, by=None)  # everyone may score: scores go in first
    phase.reviewers_may_review = True
    phase.save(update_fields=["reviewers_may_review"])
    for proposal, status, _outcome in proposals:
        if status == ProposalStatus.SUBMITTED or status == "sent":
            for reviewer in reviewers[: 1 + proposal.pk % 2]:
                cfp_review.save_review(
                    proposal=proposal,
                    reviewer=reviewer,
                    scores={c.pk: rng.randint(1, 5) for c in (relevance, quality, balance)},
                    comment="Strong regional mix." if rng.random() < 0.5 else "",
                )
    phase.reviewers_may_review = False
    phase.save(update_fields=["reviewers_may_review"])
    cfp_review.assign_automatically(call=call, by=None)
    by = reviewers[0] if reviewers else None
    # decisions to send now: acceptances first, the merge joins the first acceptance
    accepted_target = None
    for proposal, status, outcome in proposals:
        if status == "sent" and outcome in (DecisionOutcome.ACCEPT,):
            cfp_decisions.decide(proposal=proposal, by=by, outcome=outcome)
            accepted_target = proposal
    for proposal, status, outcome in proposals:
        if status == "sent" and outcome == DecisionOutcome.MERGE:
            cfp_decisions.decide(
                proposal=proposal, by=by, outcome=outcome, merge_into=accepted_target
            )
        elif status == "sent" and outcome not in (DecisionOutcome.ACCEPT,):
            cfp_decisions.decide(proposal=proposal, by=by, outcome=outcome)
    cfp_decisions.send_decisions(call=call, by=by)
    for proposal, status, outcome in proposals:  # held, not sent: the committee's next batch
        if status == ProposalStatus.SUBMITTED and outcome:
            cfp_decisions.decide(proposal=proposal, by=by, outcome=outcome)
    cfp_review.activate_phase(phase=call.review_phases.get(name="Blind review"), by=None)
    return call


def _code() -> str:
    code = new_code(8)
    while Proposal.objects.filter(code=code).exists():
        code = new_code(8)
    return code
