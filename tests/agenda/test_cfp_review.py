"""Review: phases, weighted scores, conflicts of interest, automatic assignment, "save and
next" and blind redaction (no name anywhere in the reviewer's pages or JSON)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from sessions.enums import ProposalStatus
from sessions.errors import ReviewRefused
from sessions.models import Review, ReviewAssignment
from sessions.services import cfp_review

from .cfp_world import SPEAKER_NAMES, make_call, make_proposal, make_reviewer, open_phase

pytestmark = pytest.mark.django_db


def _scores(call, relevance, quality):
    first, second = call.score_categories.order_by("position", "pk")
    return {first.pk: relevance, second.pk: quality}


def test_the_score_is_the_weighted_mean_of_the_categories(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call)
    reviewer = make_reviewer(congress, "rita")
    review = cfp_review.save_review(
        proposal=proposal, reviewer=reviewer, scores=_scores(call, 5, 2), comment="Good"
    )
    assert review.score == Decimal("4.00")  # (2×5 + 1×2) / 3
    cfp_review.save_review(
        proposal=proposal, reviewer=reviewer, scores=_scores(call, 1, 1), comment="Changed"
    )
    assert Review.objects.get().score == Decimal("1.00")


def test_a_score_out_of_range_or_missing_is_refused(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call)
    reviewer = make_reviewer(congress, "rita")
    with pytest.raises(ReviewRefused, match="from 0 to 5"):
        cfp_review.save_review(
            proposal=proposal, reviewer=reviewer, scores=_scores(call, 6, 1), comment=""
        )
    with pytest.raises(ReviewRefused, match="every category"):
        cfp_review.save_review(proposal=proposal, reviewer=reviewer, scores={}, comment="")


def test_without_an_active_phase_nobody_reviews(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    reviewer = make_reviewer(congress, "rita")
    with pytest.raises(ReviewRefused):
        cfp_review.save_review(
            proposal=proposal, reviewer=reviewer, scores=_scores(call, 1, 1), comment=""
        )


def test_a_reviewer_never_reviews_their_own_organisation(congress):
    call = make_call(congress)
    own = make_proposal(call, organisation="Ville de Lyon")
    other = make_proposal(call, organisation="City of Seoul", country="KR")
    co_organised = make_proposal(
        call, organisation="Seoul", country="KR", co_organisers="VILLE DE LYON\nUN-Habitat"
    )
    open_phase(call)
    reviewer = make_reviewer(congress, "rita", organisation="ville de lyon")
    visible = {p.pk for p in cfp_review.reviewable_for(call, reviewer)}
    assert visible == {other.pk}
    with pytest.raises(ReviewRefused):
        cfp_review.save_review(
            proposal=own, reviewer=reviewer, scores=_scores(call, 1, 1), comment=""
        )
    assert co_organised.pk not in visible


def test_the_own_country_conflict_applies_only_where_the_call_asks(congress):
    call = make_call(congress)
    french = make_proposal(call, organisation="Paris", country="FR")
    open_phase(call)
    reviewer = make_reviewer(congress, "rita", country="FR")
    assert [p.pk for p in cfp_review.reviewable_for(call, reviewer)] == [french.pk]
    call.conflict_same_country = True
    call.save()
    assert cfp_review.reviewable_for(call, reviewer) == []


def test_assignment_gives_each_proposal_n_reviews_and_balances_the_load(congress):
    call = make_call(congress, reviews_per_proposal=2)
    proposals = [make_proposal(call, organisation=f"City {i}") for i in range(6)]
    reviewers = [make_reviewer(congress, f"rev{i}") for i in range(4)]
    made = cfp_review.assign_automatically(call=call, by=None)
    assert made == 12
    for proposal in proposals:
        assert ReviewAssignment.objects.filter(proposal=proposal).count() == 2
    loads = [ReviewAssignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert max(loads) - min(loads) <= 1
    assert cfp_review.assign_automatically(call=call, by=None) == 0  # already complete


def test_assignment_skips_conflicted_reviewers(congress):
    call = make_call(congress, reviews_per_proposal=2)
    lyon = make_proposal(call, organisation="Lyon")
    conflicted = make_reviewer(congress, "rita", organisation="Lyon")
    make_reviewer(congress, "rolf")
    make_reviewer(congress, "rosa")
    cfp_review.assign_automatically(call=call, by=None)
    assigned = set(
        ReviewAssignment.objects.filter(proposal=lyon).values_list("reviewer", flat=True)
    )
    assert conflicted.pk not in assigned and len(assigned) == 2


def test_an_assigned_only_phase_shows_only_the_reviewers_assignments(congress):
    call = make_call(congress)
    mine = make_proposal(call)
    make_proposal(call)
    reviewer = make_reviewer(congress, "rita")
    ReviewAssignment.objects.create(proposal=mine, reviewer=reviewer)
    open_phase(call, assigned_only=True)
    assert [p.pk for p in cfp_review.reviewable_for(call, reviewer)] == [mine.pk]


def test_save_and_next_serves_the_proposal_with_the_fewest_reviews(congress):
    call = make_call(congress)
    busy = make_proposal(call, organisation="A")
    quiet = make_proposal(call, organisation="B")
    open_phase(call)
    first = make_reviewer(congress, "rita")
    second = make_reviewer(congress, "rolf")
    cfp_review.save_review(proposal=busy, reviewer=first, scores=_scores(call, 3, 3), comment="")
    assert cfp_review.next_for(call, second).pk == quiet.pk
    cfp_review.save_review(proposal=quiet, reviewer=second, scores=_scores(call, 3, 3), comment="")
    assert cfp_review.next_for(call, second).pk == busy.pk
    cfp_review.save_review(proposal=busy, reviewer=second, scores=_scores(call, 3, 3), comment="")
    assert cfp_review.next_for(call, second) is None


NAMES = (*SPEAKER_NAMES, "Paulette Proposer", "City of Lyon", "UN-Habitat Lyon")


def _reviewer_pages(client, call, proposal, reviewer):
    client.force_login(reviewer)
    args = [call.congress.slug, call.slug]
    pages = [
        client.get(reverse("agenda:review_index", args=[call.congress.slug])),
        client.get(reverse("agenda:review_list", args=args)),
        client.get(reverse("agenda:review_proposal", args=[*args, proposal.code])),
        client.get(reverse("agenda:review_proposal_json", args=[*args, proposal.code])),
    ]
    for page in pages:
        assert page.status_code == 200
    response = client.post(
        reverse("agenda:review_proposal", args=[*args, proposal.code]),
        {f"score_{c}": v for c, v in _scores(call, 4, 4).items()} | {"action": "save"},
        follow=True,
    )
    assert response.status_code == 200
    return [p.content.decode() for p in [*pages, response]]


def test_blind_review_shows_no_name_anywhere_in_the_reviewers_pages_or_json(client, congress):
    call = make_call(congress)
    proposal = make_proposal(call, co_organisers="UN-Habitat Lyon")
    open_phase(call, blind=True, see_other_reviews=True)
    other = make_reviewer(congress, "rolf")
    cfp_review.save_review(
        proposal=proposal, reviewer=other, scores=_scores(call, 2, 2), comment=""
    )
    pages = _reviewer_pages(client, call, proposal, make_reviewer(congress, "rita"))
    for html in pages:
        for name in NAMES:
            assert name not in html
    assert "Cities and heat" in pages[2] and "Europe" in pages[2]  # the proposal, redacted
    assert '"blind": true' in pages[3]


def test_an_open_phase_shows_the_names(client, congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call, blind=False)
    pages = _reviewer_pages(client, call, proposal, make_reviewer(congress, "rita"))
    assert SPEAKER_NAMES[1] in pages[2] and "Paulette Proposer" in pages[2]


def test_a_conflicted_reviewer_gets_a_404_for_the_proposal(client, congress):
    call = make_call(congress)
    proposal = make_proposal(call, organisation="Lyon")
    open_phase(call)
    client.force_login(make_reviewer(congress, "rita", organisation="Lyon"))
    url = reverse("agenda:review_proposal", args=[congress.slug, call.slug, proposal.code])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", ["9", "-1", "abc", "3\x00", "٣"])
def test_bad_scores_on_the_review_form_get_a_message_and_save_nothing(client, congress, value):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call)
    client.force_login(make_reviewer(congress, "rita"))
    first, second = call.score_categories.order_by("position", "pk")
    response = client.post(
        reverse("agenda:review_proposal", args=[congress.slug, call.slug, proposal.code]),
        {f"score_{first.pk}": value, f"score_{second.pk}": "2", "comment": "x" * 10_000},
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_a_withdrawn_proposal_is_not_reviewed(congress):
    call = make_call(congress)
    make_proposal(call, status=ProposalStatus.WITHDRAWN)
    open_phase(call)
    assert cfp_review.reviewable_for(call, make_reviewer(congress, "rita")) == []
