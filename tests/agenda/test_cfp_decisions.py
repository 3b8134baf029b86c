"""Decisions: held pending, sent in bulk in each person's language; an acceptance puts a
draft session with its speakers and their unavailabilities into the editor's queue, and
confirmed speakers get the free speaker registration voucher."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations.models import SentEmail
from sessions.enums import DecisionOutcome, InvitationStatus, ProposalStatus, SessionFormat
from sessions.errors import DecisionRefused
from sessions.models import (
    Proposal,
    ProposalPersonUnavailability,
    Session,
    Speaker,
    SpeakerUnavailability,
)
from sessions.services import cfp, cfp_decisions
from tests.factories import RegistrationTypeFactory

from .cfp_world import make_call, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(congress):
    speaker_type = RegistrationTypeFactory(congress=congress, name="Speaker")
    return make_call(congress, speaker_registration_type=speaker_type)


def test_a_decision_is_held_pending_until_sent(call, alice):
    proposal = make_proposal(call)
    cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED
    assert mail.outbox == []
    assert cfp_decisions.pending(call).count() == 1


def test_sending_an_acceptance_queues_a_draft_session_with_speakers_and_vouchers(
    call, alice, django_capture_on_commit_callbacks
):
    proposal = make_proposal(call)
    people = list(proposal.people.all())
    people[2].status = InvitationStatus.INVITED  # not confirmed yet
    people[2].language = "es"
    people[2].save()
    start = timezone.now() + dt.timedelta(days=100)
    ProposalPersonUnavailability.objects.create(
        person=people[1], starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT)
    with django_capture_on_commit_callbacks(execute=True):
        assert cfp_decisions.send_decisions(call=call, by=alice) == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    session = Session.objects.get(pk=proposal.session_id)
    assert session.unscheduled and session.track_id == proposal.track_id
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=75)
    assert session.format == SessionFormat.PARALLEL
    assert [r.speaker.name for r in session.roles.order_by("position")] == [p.name for p in people]
    speaker = Speaker.objects.get(email=people[1].email)
    assert SpeakerUnavailability.objects.filter(speaker=speaker, starts_at=start).exists()
    people = list(proposal.people.order_by("position"))
    assert people[0].voucher and people[1].voucher and people[2].voucher is None
    assert people[0].voucher.registration_types.get() == call.speaker_registration_type
    assert people[0].voucher.value == 0
    to_people = {m.to[0]: m for m in mail.outbox}
    assert people[0].voucher.code in to_people[people[0].email].body
    languages = dict(SentEmail.objects.values_list("recipient", "language"))
    assert languages[people[2].email] == "es" and languages[proposal.proposer_email] == "fr"
    # in the speaker's own language: "You have not confirmed your part yet" in Spanish
    assert "Aún no ha confirmado su participación" in to_people[people[2].email].body
    assert SentEmail.objects.filter(kind="cfp_decision").count() == len(mail.outbox)
    assert cfp_decisions.pending(call).count() == 0


def test_a_speaker_confirming_after_acceptance_gets_the_voucher_then(call, alice):
    proposal = make_proposal(call)
    person = proposal.people.first()
    person.status = InvitationStatus.INVITED
    person.save()
    cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.send_decisions(call=call, by=alice)
    cfp.answer_invitation(person=person, confirm=True)
    person.refresh_from_db()
    assert person.voucher is not None


def test_the_same_person_is_one_speaker_across_proposals(call, alice):
    first = make_proposal(call, names=["Amara Okonkwo"])
    second = make_proposal(call, names=["Amara Okonkwo"])
    second.people.update(email=first.people.get().email)
    for proposal in (first, second):
        cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.send_decisions(call=call, by=alice)
    assert Speaker.objects.filter(email=first.people.get().email).count() == 1


def test_accept_as_another_format_needs_the_format_and_uses_it(call, alice):
    proposal = make_proposal(call)
    with pytest.raises(DecisionRefused):
        cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT_AS)
    cfp_decisions.decide(
        proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT_AS, format="workshop"
    )
    cfp_decisions.send_decisions(call=call, by=alice)
    assert Proposal.objects.get(pk=proposal.pk).session.format == SessionFormat.WORKSHOP


def test_merging_two_proposals_puts_both_sets_of_speakers_in_one_session(call, alice):
    kept = make_proposal(call, names=["Amara Okonkwo"])
    merged = make_proposal(call, names=["Björn Lindqvist"])
    with pytest.raises(DecisionRefused, match="first"):
        cfp_decisions.decide(
            proposal=merged, by=alice, outcome=DecisionOutcome.MERGE, merge_into=kept
        )
    cfp_decisions.decide(proposal=kept, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.decide(proposal=merged, by=alice, outcome=DecisionOutcome.MERGE, merge_into=kept)
    cfp_decisions.send_decisions(call=call, by=alice)
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.status == ProposalStatus.MERGED and merged.session_id == kept.session_id
    assert Session.objects.count() == 1
    assert sorted(s.name for s in kept.session.speakers.all()) == [
        "Amara Okonkwo",
        "Björn Lindqvist",
    ]


def test_a_sent_acceptance_cannot_be_changed_but_the_waiting_list_is_decided_again(call, alice):
    accepted, waiting = make_proposal(call), make_proposal(call)
    cfp_decisions.decide(proposal=accepted, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.decide(proposal=waiting, by=alice, outcome=DecisionOutcome.WAITING_LIST)
    cfp_decisions.send_decisions(call=call, by=alice)
    waiting.refresh_from_db()
    assert waiting.status == ProposalStatus.WAITING_LIST
    with pytest.raises(DecisionRefused):
        cfp_decisions.decide(
            proposal=Proposal.objects.get(pk=accepted.pk), by=alice, outcome=DecisionOutcome.REJECT
        )
    cfp_decisions.decide(proposal=waiting, by=alice, outcome=DecisionOutcome.ACCEPT)
    assert cfp_decisions.send_decisions(call=call, by=alice) == 1
    assert Proposal.objects.get(pk=waiting.pk).status == ProposalStatus.ACCEPTED


def test_the_committee_page_lists_by_score_and_holds_a_decision(client, call, alice):
    proposal = make_proposal(call)
    client.force_login(alice)
    url = reverse("agenda:manage_call_committee", args=[call.congress.slug, call.slug])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"proposal": proposal.code, "outcome": "maybe\x1b"})
    assert bad.status_code == 400
    assert client.post(url, {"proposal": proposal.code, "outcome": "accept"}).status_code == 302
    assert cfp_decisions.pending(call).count() == 1


def test_a_reviewer_cannot_reach_the_committee(client, call):
    from .cfp_world import make_reviewer

    client.force_login(make_reviewer(call.congress, "rita"))
    url = reverse("agenda:manage_call_committee", args=[call.congress.slug, call.slug])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("code", ["", "NOPE", "X\x00" * 5000, "<b>1</b>"])
def test_a_decision_for_no_known_proposal_is_a_clear_400(client, call, alice, code):
    client.force_login(alice)
    url = reverse("agenda:manage_call_committee", args=[call.congress.slug, call.slug])
    response = client.post(url, {"proposal": code, "outcome": "accept"})
    assert response.status_code == 400
    assert cfp_decisions.pending(call).count() == 0
