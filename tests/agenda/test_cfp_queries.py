"""The call-for-proposals lists stay at a fixed number of queries however many proposals."""

import pytest
from django.urls import reverse

from .cfp_world import make_call, make_proposal, make_reviewer, open_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_call(congress):
    call = make_call(congress)
    for n in range(12):
        make_proposal(call, organisation=f"City {n}")
    open_phase(call, blind=True)
    return call


def test_the_committee_and_call_pages_take_a_fixed_number_of_queries(
    client, alice, busy_call, django_assert_max_num_queries
):
    client.force_login(alice)
    args = [busy_call.congress.slug, busy_call.slug]
    with django_assert_max_num_queries(30):
        assert client.get(reverse("agenda:manage_call_committee", args=args)).status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(reverse("agenda:manage_call", args=args)).status_code == 200


def test_the_reviewers_list_takes_a_fixed_number_of_queries(
    client, busy_call, django_assert_max_num_queries
):
    client.force_login(make_reviewer(busy_call.congress, "rita"))
    url = reverse("agenda:review_list", args=[busy_call.congress.slug, busy_call.slug])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
