"""The demo's call for sessions: open, proposals in every state, a review in progress."""

import random

import pytest
from django.utils import timezone

from sessions import cfp_demo
from sessions.enums import ProposalStatus
from sessions.models import CallForProposals, Proposal, Review, Session
from sessions.services import cfp, cfp_decisions, cfp_review

from .test_demo import PEOPLE

pytestmark = pytest.mark.django_db


def test_the_demo_call_is_open_with_every_state_and_a_review_in_progress(congress, alice):
    from events_site.congresses.models import TeamMembership

    TeamMembership.objects.create(congress=congress, user=alice, role="reviewer")
    cfp_demo.seed_demo(congress=congress, people=PEOPLE[:40], rng=random.Random(1))
    call = CallForProposals.objects.get(congress=congress)
    assert cfp.call_is_open(call, timezone.now())
    statuses = set(Proposal.objects.filter(call=call).values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)
    assert Review.objects.filter(proposal__call=call).exists()
    assert cfp_review.active_phase(call).blind
    assert cfp_decisions.pending(call).count() == 2
    accepted = Proposal.objects.get(call=call, status=ProposalStatus.ACCEPTED)
    assert Session.objects.get(pk=accepted.session_id).unscheduled
    again = cfp_demo.seed_demo(congress=congress, people=PEOPLE[:40], rng=random.Random(1))
    assert again["proposals"] == Proposal.objects.filter(call=call).count() == 12
