"""A speaker of an accepted proposal who already registered and paid as a delegate is shown on
the committee page with their order, so the organiser can act (no refund is made here)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from registrations.lifecycle import OrderStatus
from registrations.selectors import paid_registrations_by_email
from sessions.enums import DecisionOutcome, InvitationStatus, ProposalStatus
from sessions.services import cfp_decisions
from tests.factories import CongressFactory, DelegateFactory, OrderFactory

from .cfp_world import make_call, make_proposal

pytestmark = pytest.mark.django_db


def _paid(congress, email, *, status=OrderStatus.PAID, price=Decimal("450.00"), **fields):
    order = OrderFactory(congress=congress, status=status)
    return DelegateFactory(order=order, email=email, price=price, **fields)


@pytest.fixture
def call(congress):
    return make_call(congress)


def _committee(client, congress, call) -> str:
    url = reverse("agenda:manage_call_committee", args=[congress.slug, call.slug])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_selector_finds_only_paid_priced_live_registrations(congress):
    other_congress = CongressFactory(slug="other-2027")
    kept = _paid(congress, "Amara@Example.org")
    _paid(congress, "amara@example.org", price=Decimal("0.00"))  # free: a speaker's voucher
    _paid(congress, "amara@example.org", status=OrderStatus.PENDING_PAYMENT)
    _paid(congress, "amara@example.org", status=OrderStatus.REFUNDED)
    _paid(congress, "amara@example.org", is_cancelled=True)
    _paid(other_congress, "amara@example.org")
    found = paid_registrations_by_email(
        congress=congress, emails=["AMARA@example.org", "nobody@example.org", "a\x00b"]
    )
    assert list(found) == ["amara@example.org"]
    assert [r.order_code for r in found["amara@example.org"]] == [kept.order.code]


def test_the_committee_shows_the_paid_order_of_an_accepted_speaker(client, alice, congress, call):
    proposal = make_proposal(call, status=ProposalStatus.ACCEPTED, names=("Amara Okonkwo",))
    person = proposal.people.get()
    delegate = _paid(congress, person.email.upper())
    client.force_login(alice)
    html = _committee(client, congress, call)
    assert "already registered and paid" in html
    assert delegate.order.code in html
    order_url = reverse("registrations:manage_order", args=[congress.slug, delegate.order.code])
    assert order_url in html


def test_a_held_acceptance_shows_it_too_but_a_rejection_or_a_decline_does_not(
    client, alice, congress, call
):
    accepting = make_proposal(call, names=("Amara Okonkwo",), title="Accepting")
    rejecting = make_proposal(call, names=("Björn Lindqvist",), title="Rejecting")
    declined = make_proposal(
        call, status=ProposalStatus.ACCEPTED, names=("Chen Xiaoming",), title="Declined"
    )
    declined.people.update(status=InvitationStatus.DECLINED)
    cfp_decisions.decide(proposal=accepting, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.decide(proposal=rejecting, by=alice, outcome=DecisionOutcome.REJECT)
    codes = {}
    for p in (accepting, rejecting, declined):
        codes[p.title] = _paid(congress, p.people.get().email).order.code
    client.force_login(alice)
    html = _committee(client, congress, call)
    assert codes["Accepting"] in html
    assert codes["Rejecting"] not in html
    assert codes["Declined"] not in html


def test_hostile_names_are_escaped_and_queries_stay_fixed(
    client, alice, congress, call, django_assert_max_num_queries
):
    for n in range(15):
        proposal = make_proposal(
            call,
            status=ProposalStatus.ACCEPTED,
            names=(f"<script>x{n}</script> ليلى",),
            title=f"Session {n}",
        )
        _paid(congress, proposal.people.get().email)
    client.force_login(alice)
    url = reverse("agenda:manage_call_committee", args=[congress.slug, call.slug])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    html = response.content.decode()
    assert html.count("already registered and paid") == 15
    assert "<script>x1</script>" not in html and "&lt;script&gt;x1&lt;/script&gt; ليلى" in html
