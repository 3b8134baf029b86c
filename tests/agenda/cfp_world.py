"""A call for proposals with types, tracks, score categories, a phase and reviewers, for the
call-for-proposals tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from sessions.enums import InvitationStatus, ProposalStatus, SessionFormat, SpeakerRole
from sessions.models import (
    CallForProposals,
    Proposal,
    ProposalPerson,
    ProposalType,
    ReviewerProfile,
    ReviewPhase,
    ScoreCategory,
)
from sessions.services import cfp_review
from tests.factories import TeamMembershipFactory, UserFactory

SPEAKER_NAMES = ("Amara Okonkwo", "Björn Lindqvist", "Chen Xiaoming")


def make_call(congress, *, opens_in=-10, deadline_in=10, **fields) -> CallForProposals:
    now = timezone.now()
    call = CallForProposals.objects.create(
        congress=congress,
        slug=fields.pop("slug", "sessions"),
        title=fields.pop("title", "Call for sessions"),
        opens_at=now + dt.timedelta(days=opens_in),
        deadline=now + dt.timedelta(days=deadline_in),
        **fields,
    )
    ProposalType.objects.create(
        call=call, name="Panel", format=SessionFormat.PARALLEL, default_minutes=75
    )
    ScoreCategory.objects.create(call=call, name="Relevance", weight=Decimal("2"))
    ScoreCategory.objects.create(call=call, name="Quality", weight=Decimal("1"))
    return call


def make_proposal(
    call,
    *,
    status=ProposalStatus.SUBMITTED,
    organisation="City of Lyon",
    country="FR",
    names=SPEAKER_NAMES,
    **fields,
) -> Proposal:
    proposal = Proposal.objects.create(
        call=call,
        code=fields.pop("code", None) or services_code(),
        title=fields.pop("title", "Cities and heat"),
        abstract="How cities adapt to heat waves.",
        proposal_type=call.proposal_types.first(),
        languages=["en"],
        organisation=organisation,
        organisation_country=country,
        proposer_name="Paulette Proposer",
        proposer_email=f"proposer-{services_code().lower()}@example.org",
        language="fr",
        status=status,
        submitted_at=timezone.now() if status != ProposalStatus.DRAFT else None,
        **fields,
    )
    for position, name in enumerate(names):
        ProposalPerson.objects.create(
            proposal=proposal,
            name=name,
            email=f"{name.split()[0].lower()}-{proposal.code.lower()}@example.org",
            role=SpeakerRole.MODERATOR if position == 0 else SpeakerRole.SPEAKER,
            country=country,
            organisation=organisation,
            status=InvitationStatus.CONFIRMED,
            position=position,
        )
    return proposal


def services_code() -> str:
    from sessions.models import new_code

    return new_code(8)


def make_reviewer(congress, username, *, organisation="", country=""):
    user = UserFactory(username=username)
    TeamMembershipFactory(congress=congress, user=user, role="reviewer")
    ReviewerProfile.objects.create(
        congress=congress, user=user, organisation=organisation, country=country
    )
    return user


def open_phase(call, **fields) -> ReviewPhase:
    phase = ReviewPhase.objects.create(call=call, name="First round", **fields)
    return cfp_review.activate_phase(phase=phase, by=None)


def accept_and_publish(proposal, *, by, room):
    """Accept ``proposal``, place its session at 10:00 on the first day, confirm and publish."""
    from sessions import services
    from sessions.enums import DecisionOutcome, SessionStatus
    from sessions.models import Session
    from sessions.services import cfp_decisions
    from sessions.services.editor import place_session

    congress = proposal.call.congress
    cfp_decisions.decide(proposal=proposal, by=by, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.send_decisions(call=proposal.call, by=by)
    proposal.refresh_from_db()
    session = Session.objects.get(pk=proposal.session_id)
    start = dt.datetime.combine(congress.start_date, dt.time(10))
    place_session(session=session, by=by, room=room, start=start, minutes=60)
    services.update_session(session=session, by=by, status=SessionStatus.CONFIRMED)
    services.publish_schedule(congress=congress, by=by)
    return session
