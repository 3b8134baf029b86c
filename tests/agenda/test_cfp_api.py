"""The read-only calls-for-proposals API: the programme team reads everything, a reviewer only
what their active phase gives them, blind-redacted through the reviewer pages' view-model (no
name, e-mail or organisation anywhere in the raw answer)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from sessions.enums import ProposalStatus
from sessions.models import Proposal, ReviewAssignment, ReviewerProfile
from sessions.services import cfp_review
from tests.factories import TeamMembershipFactory, UserFactory, api_key

from .cfp_world import SPEAKER_NAMES, make_call, make_proposal, make_reviewer, open_phase

pytestmark = pytest.mark.django_db

NAMES = (*SPEAKER_NAMES, "Paulette Proposer", "City of Lyon", "UN-Habitat Lyon")


def _client(user, congress, role: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, congress, role)}")
    return client


def _reviewer_client(congress, username="rita", **profile) -> tuple[APIClient, object]:
    user = make_reviewer(congress, username, **profile)
    return _client(user, congress, "reviewer"), user


def _list_url(congress) -> str:
    return reverse("agenda-cfp-proposal-list", kwargs={"congress_slug": congress.slug})


def _detail_url(congress, proposal) -> str:
    return reverse(
        "agenda-cfp-proposal-detail",
        kwargs={"congress_slug": congress.slug, "proposal_code": proposal.code},
    )


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def _scores(call, first_value, second_value):
    first, second = call.score_categories.order_by("position", "pk")
    return {first.pk: first_value, second.pk: second_value}


def _secrets_and_emails(proposal) -> list[str]:
    people = list(proposal.people.all())
    return [
        proposal.proposer_email,
        proposal.secret,
        *[p.email for p in people],
        *[p.secret for p in people],
    ]


def test_a_blind_reviewer_finds_no_name_email_or_organisation_in_the_answers(client, congress):
    call = make_call(congress)
    proposal = make_proposal(call, co_organisers="UN-Habitat Lyon")
    open_phase(call, blind=True, see_other_reviews=True)
    other = make_reviewer(congress, "rolf")
    cfp_review.save_review(
        proposal=proposal, reviewer=other, scores=_scores(call, 2, 2), comment="Fine"
    )
    api, reviewer = _reviewer_client(congress)
    answers = [
        api.get(_list_url(congress)),
        api.get(_list_url(congress), {"call": call.slug, "state": "submitted"}),
        api.get(_detail_url(congress, proposal)),
    ]
    for response in answers:
        assert response.status_code == 200
        raw = response.content
        for name in (*NAMES, *_secrets_and_emails(proposal), "rolf"):
            assert name.encode() not in raw
            assert json.dumps(name).strip('"').encode() not in raw  # nor \u-escaped
    detail = answers[2].json()
    assert detail["blind"] is True and detail["title"] == "Cities and heat"
    assert [r["comment"] for r in detail["other_reviews"]] == ["Fine"]
    # The same view-model as the reviewer pages' JSON, not a second redaction.
    client.force_login(reviewer)
    page = client.get(
        reverse("agenda:review_proposal_json", args=[congress.slug, call.slug, proposal.code])
    ).json()
    assert {key: detail[key] for key in page} == page


def test_an_open_phase_shows_the_reviewer_the_names(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call, blind=False)
    api, _ = _reviewer_client(congress)
    detail = api.get(_detail_url(congress, proposal)).json()
    assert detail["proposer"] == "Paulette Proposer"
    assert [p["name"] for p in detail["people"]] == list(SPEAKER_NAMES)
    assert proposal.proposer_email.encode() not in api.get(_detail_url(congress, proposal)).content


def test_others_reviews_are_shown_only_where_the_phase_says(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call, see_other_reviews=False)
    cfp_review.save_review(
        proposal=proposal,
        reviewer=make_reviewer(congress, "rolf"),
        scores=_scores(call, 1, 1),
        comment="Hidden",
    )
    api, reviewer = _reviewer_client(congress)
    cfp_review.save_review(
        proposal=proposal, reviewer=reviewer, scores=_scores(call, 5, 5), comment="Mine"
    )
    detail = api.get(_detail_url(congress, proposal)).json()
    assert detail["other_reviews"] == []
    assert detail["my_review"]["comment"] == "Mine" and detail["my_review"]["score"] == "5.00"
    assert b"Hidden" not in api.get(_list_url(congress)).content


def test_an_assigned_only_phase_lists_only_the_assigned_proposals(congress):
    call = make_call(congress)
    mine = make_proposal(call)
    theirs = make_proposal(call)
    open_phase(call, assigned_only=True)
    api, reviewer = _reviewer_client(congress)
    ReviewAssignment.objects.create(proposal=mine, reviewer=reviewer)
    assert _codes(api.get(_list_url(congress))) == [mine.code]
    assert api.get(_detail_url(congress, theirs)).status_code == 404


def test_conflicts_of_interest_and_other_tracks_are_left_out(congress, track):
    call = make_call(congress)
    own = make_proposal(call, organisation="Ville de Lyon")
    elsewhere = make_proposal(call, organisation="Seoul", country="KR")
    in_track = make_proposal(call, organisation="Quito", country="EC", track=track)
    open_phase(call)
    api, reviewer = _reviewer_client(congress, organisation="VILLE DE LYON")
    assert set(_codes(api.get(_list_url(congress)))) == {elsewhere.code, in_track.code}
    assert api.get(_detail_url(congress, own)).status_code == 404
    ReviewerProfile.objects.get(user=reviewer).tracks.set([track])
    assert _codes(api.get(_list_url(congress))) == [in_track.code]
    assert api.get(_detail_url(congress, elsewhere)).status_code == 404


def test_without_an_active_phase_a_reviewer_sees_nothing(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    api, _ = _reviewer_client(congress)
    assert _codes(api.get(_list_url(congress))) == []
    assert api.get(_detail_url(congress, proposal)).status_code == 404


def test_the_programme_role_reads_names_emails_reviews_but_no_secret(congress, alice):
    call = make_call(congress)
    proposal = make_proposal(call)
    make_proposal(call, status=ProposalStatus.DRAFT)
    open_phase(call, blind=True)
    cfp_review.save_review(
        proposal=proposal,
        reviewer=make_reviewer(congress, "rolf"),
        scores=_scores(call, 3, 3),
        comment="Solid",
    )
    programmer = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=programmer, role="programme")
    api = _client(programmer, congress, "programme")
    response = api.get(_detail_url(congress, proposal))
    assert response.status_code == 200
    data = response.json()
    assert data["proposer_name"] == "Paulette Proposer"
    assert data["proposer_email"] == proposal.proposer_email
    assert [p["name"] for p in data["people"]] == list(SPEAKER_NAMES)
    assert data["reviews"][0]["reviewer"] == "rolf" and data["reviews"][0]["comment"] == "Solid"
    for secret in [proposal.secret, *proposal.people.values_list("secret", flat=True)]:
        assert secret.encode() not in response.content
    assert len(_codes(api.get(_list_url(congress)))) == 2
    assert _codes(api.get(_list_url(congress), {"state": "draft"})) != [proposal.code]
    calls = api.get(reverse("agenda-cfp-call-list", kwargs={"congress_slug": congress.slug}))
    assert [c["slug"] for c in calls.json()["results"]] == [call.slug]
    one = api.get(
        reverse(
            "agenda-cfp-call-detail",
            kwargs={"congress_slug": congress.slug, "call_slug": call.slug},
        )
    )
    assert one.json()["review_phases"][0]["blind"] is True


def test_the_filters_narrow_the_programme_list(congress, alice, track):
    sessions = make_call(congress)
    posters = make_call(congress, slug="posters", title="Posters")
    in_track = make_proposal(sessions, track=track)
    withdrawn = make_proposal(sessions, status=ProposalStatus.WITHDRAWN)
    poster = make_proposal(posters)
    api = _client(alice, congress, "owner")
    url = _list_url(congress)
    assert set(_codes(api.get(url, {"call": "posters"}))) == {poster.code}
    assert set(_codes(api.get(url, {"track": track.slug}))) == {in_track.code}
    assert set(_codes(api.get(url, {"state": "withdrawn"}))) == {withdrawn.code}
    assert _codes(api.get(url, {"call": "sessions", "state": "submitted", "limit": 1})) == [
        in_track.code
    ]


def test_a_token_with_a_narrower_role_is_refused_or_redacted(congress, alice, bob):
    call = make_call(congress)
    proposal = make_proposal(call)
    open_phase(call, blind=True)
    calls_url = reverse("agenda-cfp-call-list", kwargs={"congress_slug": congress.slug})
    checkin = _client(bob, congress, "checkin")
    assert checkin.get(_list_url(congress)).status_code == 403
    assert checkin.get(_detail_url(congress, proposal)).status_code == 403
    # The owner's own token with the reviewer role: no calls, and the blind view only.
    as_reviewer = _client(alice, congress, "reviewer")
    assert as_reviewer.get(calls_url).status_code == 403
    response = as_reviewer.get(_detail_url(congress, proposal))
    assert response.status_code == 200
    for name in NAMES:
        assert name.encode() not in response.content
    assert APIClient().get(_list_url(congress)).status_code == 401


def test_another_congresss_objects_are_404(congress, alice, other_congress, charlie):
    theirs = make_proposal(make_call(other_congress))
    open_phase(theirs.call)
    api = _client(alice, congress, "owner")
    assert api.get(_detail_url(congress, theirs)).status_code == 404
    call_url = reverse(
        "agenda-cfp-call-detail",
        kwargs={"congress_slug": congress.slug, "call_slug": theirs.call.slug},
    )
    assert api.get(call_url).status_code == 404
    assert _codes(api.get(_list_url(congress))) == []
    # alice's token reaches nothing in the other congress
    assert api.get(_detail_url(other_congress, theirs)).status_code == 403


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"state": "nonsense"}, 400),
        ({"state": "x" * 10_000}, 400),
        ({"call": "x" * 10_000}, 400),
        ({"track": "مدينة"}, 400),
        ({"call": "<script>alert(1)</script>"}, 400),
        ({"call": "no-such-call"}, 200),
        ({"track": "no-such-track"}, 200),
        ({"limit": "abc", "offset": "-5"}, 200),
        ({"call": "a\x00b"}, 400),
    ],
)
@pytest.mark.parametrize("role", ["owner", "reviewer"])
def test_bad_query_parameters_are_clean_400s_or_empty(congress, alice, params, status, role):
    call = make_call(congress)
    make_proposal(call)
    open_phase(call)
    api = _client(alice, congress, role)
    response = api.get(_list_url(congress), params)
    assert response.status_code == status, response.content
    if status == 200 and ("call" in params or "track" in params):
        assert response.json()["results"] == []
    api_detail = api.get(_list_url(congress) + "x" * 5000 + "/")
    assert api_detail.status_code == 404


def _count_queries(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_the_lists_take_a_fixed_number_of_queries(congress, alice):
    call = make_call(congress, reviews_per_proposal=2)
    posters = make_call(congress, slug="posters", title="Posters")
    for n in range(5):
        make_proposal(call, organisation=f"City {n}")
    open_phase(call, blind=True, see_other_reviews=True)
    open_phase(posters, blind=True)
    reviewer = make_reviewer(congress, "rita")
    others = [make_reviewer(congress, f"rev{n}") for n in range(3)]
    reviewer_api = _client(reviewer, congress, "reviewer")
    owner_api = _client(alice, congress, "owner")
    url = _list_url(congress)

    def review_all():
        for proposal in Proposal.objects.filter(call=call):
            for person in [reviewer, *others]:
                cfp_review.save_review(
                    proposal=proposal, reviewer=person, scores=_scores(call, 3, 4), comment="ok"
                )

    review_all()
    few = (_count_queries(reviewer_api, url), _count_queries(owner_api, url))
    for n in range(5, 40):
        make_proposal(call, organisation=f"City {n}")
    review_all()
    many = (_count_queries(reviewer_api, url), _count_queries(owner_api, url))
    # 40 proposals of 3 people with 4 reviews each cost no more than 5 (the first call also
    # marks the token used).
    assert many[0] <= few[0] and many[1] <= few[1]
    assert max(many) <= 25
