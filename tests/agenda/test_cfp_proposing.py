"""Proposing without an account: deadlines, access codes, drafts and submission, locked
co-speakers, invitations, withdrawal, balance indicators; and the public pages' bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrations.models import MemberOrganisation
from sessions.enums import InvitationStatus, ProposalStatus, SpeakerRole
from sessions.errors import ProposalIncomplete, ProposalRefused
from sessions.models import AccessCode, Proposal, ProposalPerson, ReviewPhase
from sessions.services import cfp

from .cfp_world import make_call, make_proposal

pytestmark = pytest.mark.django_db


def _start(call, **extra):
    fields = {"proposer_name": "Paulette", "proposer_email": "p@example.org", "language": "fr"}
    return cfp.start_proposal(call=call, **{**fields, **extra})


def _complete(proposal):
    return cfp.update_proposal(
        proposal=proposal,
        title="Heat",
        abstract="About heat.",
        proposal_type=proposal.call.proposal_types.first(),
        languages=["en"],
    )


def test_a_call_not_yet_open_refuses_a_proposal(congress):
    call = make_call(congress, opens_in=2, deadline_in=10)
    with pytest.raises(ProposalRefused, match="not open yet"):
        _start(call)


def test_after_the_deadline_a_proposal_is_refused_and_a_draft_cannot_be_submitted(congress):
    call = make_call(congress)
    draft = _start(call)
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.opens_at = timezone.now() - dt.timedelta(days=20)
    call.save()
    with pytest.raises(ProposalRefused, match="deadline"):
        _start(call)
    with pytest.raises(ProposalRefused):
        cfp.submit_proposal(proposal=Proposal.objects.get(pk=draft.pk))


def test_a_type_with_its_own_earlier_deadline_is_closed_while_the_call_is_open(congress):
    call = make_call(congress)
    panel = call.proposal_types.first()
    panel.deadline = timezone.now() - dt.timedelta(hours=1)
    panel.save()
    with pytest.raises(ProposalRefused, match="format") as refused:
        _start(call, proposal_type=panel)
    assert refused.value.field == "proposal_type"


def test_a_late_access_code_opens_a_closed_call_once_per_use(congress):
    call = make_call(congress, opens_in=-20, deadline_in=-1)
    AccessCode.objects.create(call=call, code="LATE-1", max_uses=1, allows_late_submission=True)
    proposal = _start(call, access_code="late-1")
    assert proposal.access_code.code == "LATE-1"
    assert AccessCode.objects.get(code="LATE-1").uses == 1
    with pytest.raises(ProposalRefused, match="used up"):
        _start(call, access_code="LATE-1")


def test_an_expired_or_unknown_access_code_is_refused_on_its_field(congress):
    call = make_call(congress, opens_in=-20, deadline_in=-1)
    AccessCode.objects.create(
        call=call,
        code="OLD",
        allows_late_submission=True,
        valid_until=timezone.now() - dt.timedelta(minutes=1),
    )
    with pytest.raises(ProposalRefused, match="expired") as refused:
        _start(call, access_code="OLD")
    assert refused.value.field == "access_code"
    with pytest.raises(ProposalRefused, match="not valid"):
        _start(call, access_code="NOPE\x00")


def test_an_access_code_limited_to_a_track_refuses_another(congress, track):
    from sessions.models import Track

    other = Track.objects.create(congress=congress, name="Water", slug="water")
    call = make_call(congress)
    code = AccessCode.objects.create(call=call, code="CLIMATE", allows_late_submission=False)
    code.tracks.set([track])
    with pytest.raises(ProposalRefused, match="track"):
        _start(call, access_code="CLIMATE", track=other)
    assert _start(call, access_code="CLIMATE", track=track).access_code_id == code.pk


def test_a_draft_missing_parts_cannot_be_submitted_and_says_which(congress):
    call = make_call(congress)
    draft = _start(call)
    with pytest.raises(ProposalIncomplete) as incomplete:
        cfp.submit_proposal(proposal=draft)
    assert {"title", "abstract", "proposal_type", "languages", "people"} <= set(
        incomplete.value.errors
    )
    assert Proposal.objects.get(pk=draft.pk).status == ProposalStatus.DRAFT


def test_the_member_list_check_finds_the_organisation_whatever_its_accents(congress):
    MemberOrganisation.objects.create(congress=congress, name="Ville de Montréal", country="CA")
    call = make_call(congress, require_member_organisation=True)
    draft = _start(call, organisation="VILLE DE MONTREAL")
    assert draft.member_organisation.name == "Ville de Montréal"
    other = _start(call, organisation="Somewhere Else")
    other = _complete(other)
    cfp.add_person(proposal=other, name="S", email="s@example.org", role=SpeakerRole.SPEAKER)
    with pytest.raises(ProposalIncomplete) as incomplete:
        cfp.submit_proposal(proposal=other)
    assert set(incomplete.value.errors) == {"organisation"}


def test_submission_invites_every_person_by_email_with_their_own_link(
    congress, django_capture_on_commit_callbacks
):
    call = make_call(congress)
    draft = _complete(_start(call))
    cfp.add_person(proposal=draft, name="Amara", email="AMARA@example.org", role="moderator")
    cfp.add_person(proposal=draft, name="Björn", email="bjorn@example.org", role="speaker")
    assert mail.outbox == []  # a draft invites nobody
    with django_capture_on_commit_callbacks(execute=True):
        cfp.submit_proposal(proposal=draft)
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["amara@example.org", "bjorn@example.org", "p@example.org"]
    person = ProposalPerson.objects.get(email="amara@example.org")
    invitation = next(m for m in mail.outbox if m.to == ["amara@example.org"])
    assert person.secret in invitation.body
    assert draft.secret not in invitation.body  # the proposer's link stays the proposer's


def test_co_speakers_lock_at_the_deadline_even_when_a_phase_reopens_editing(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.opens_at = timezone.now() - dt.timedelta(days=20)
    call.save()
    ReviewPhase.objects.create(call=call, name="Edits", is_active=True, proposers_may_edit=True)
    proposal = Proposal.objects.get(pk=proposal.pk)
    with pytest.raises(ProposalRefused, match="locked"):
        cfp.add_person(proposal=proposal, name="Late", email="late@example.org")
    with pytest.raises(ProposalRefused, match="locked"):
        cfp.remove_person(person=proposal.people.first())
    cfp.update_proposal(proposal=proposal, title="A better title")  # the phase allows this
    assert Proposal.objects.get(pk=proposal.pk).title == "A better title"


def test_without_such_a_phase_nothing_changes_after_the_deadline(congress):
    call = make_call(congress)
    proposal = make_proposal(call)
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.opens_at = timezone.now() - dt.timedelta(days=20)
    call.save()
    with pytest.raises(ProposalRefused):
        cfp.update_proposal(proposal=Proposal.objects.get(pk=proposal.pk), title="Changed")


def test_a_withdrawn_proposal_can_no_longer_change(congress):
    proposal = make_proposal(make_call(congress))
    cfp.withdraw_proposal(proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.WITHDRAWN
    with pytest.raises(ProposalRefused):
        cfp.update_proposal(proposal=Proposal.objects.get(pk=proposal.pk), title="Back")


def test_the_balance_counts_regions_members_and_first_time_speakers(congress):
    call = make_call(congress, collect_gender=True)
    member = MemberOrganisation.objects.create(congress=congress, name="City of Lyon")
    proposal = make_proposal(call, member_organisation=member)
    people = list(proposal.people.all())
    people[0].gender, people[0].first_time = "woman", True
    people[0].save()
    people[2].country = "KR"
    people[2].save()
    balance = cfp.call_balance(call)
    assert balance.people == 3
    assert balance.members == 3 and balance.non_members == 0
    assert balance.first_time == 1
    assert balance.genders == {"woman": 1}
    assert balance.regions == {"150": 2, "142": 1}  # Europe, Asia (CLDR)
    assert balance.languages == {"en": 1}


# --- the pages ---------------------------------------------------------------------------


def test_the_public_call_page_says_what_is_asked_and_by_when(client, congress):
    call = make_call(congress, description="Sessions by cities.")
    response = client.get(reverse("agenda:cfp_call", args=[congress.slug, call.slug]))
    assert response.status_code == 200
    assert "Sessions by cities." in response.content.decode()
    assert congress.time_zone in response.content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Heat\x00", "NUL character"),
        ("Heat\x07", "control character"),
        ("x" * 10_000, "at most 300"),
    ],
)
def test_bad_input_on_the_proposal_form_gets_a_message_and_saves_nothing(
    client, congress, value, message
):
    call = make_call(congress)
    response = client.post(
        reverse("agenda:cfp_call", args=[congress.slug, call.slug]),
        {"title": value, "proposer_name": "P", "proposer_email": "p@example.org", "language": "en"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_markup_and_other_scripts_are_kept_as_text(client, congress):
    call = make_call(congress)
    title = "<script>alert(1)</script> 城市与热浪 مدن"
    response = client.post(
        reverse("agenda:cfp_call", args=[congress.slug, call.slug]),
        {
            "title": title,
            "proposer_name": "李",
            "proposer_email": "p@example.org",
            "language": "en",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.title == title
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "城市与热浪 مدن" in page


def test_submitting_an_incomplete_draft_shows_messages_beside_the_fields(client, congress):
    call = make_call(congress)
    proposal = _start(call)
    url = reverse("agenda:cfp_proposal", args=[congress.slug, proposal.secret])
    response = client.post(
        url,
        {
            "proposer_name": "P",
            "proposer_email": "p@example.org",
            "language": "en",
            "action": "submit",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This is needed before you submit." in page
    assert "Name at least one speaker." in page
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_a_wrong_or_foreign_secret_is_a_404(client, congress, other_congress):
    proposal = make_proposal(make_call(congress))
    assert client.get(f"/{congress.slug}/proposals/{'x' * 43}/").status_code == 404
    foreign = reverse("agenda:cfp_proposal", args=[other_congress.slug, proposal.secret])
    assert client.get(foreign).status_code == 404


def test_a_person_confirms_and_completes_the_profile_through_their_link(client, congress):
    proposal = make_proposal(make_call(congress))
    person = proposal.people.first()
    person.status = InvitationStatus.INVITED
    person.save()
    url = reverse("agenda:cfp_person", args=[congress.slug, person.secret])
    assert client.post(url, {"answer": "confirm"}).status_code == 302
    response = client.post(
        url, {"bio": "Urbanist\x1b", "organisation": "Lyon", "recording_consent": "true"}
    )
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    response = client.post(
        url,
        {"bio": "Urbaniste à Lyon", "organisation": "Lyon", "spoken_languages": ["fr", "en"]},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == InvitationStatus.CONFIRMED
    assert person.bio == "Urbaniste à Lyon" and person.spoken_languages == ["fr", "en"]


def test_adding_a_person_with_a_bad_email_says_so_and_adds_nobody(client, congress):
    proposal = _start(make_call(congress))
    url = reverse("agenda:cfp_person_add", args=[congress.slug, proposal.secret])
    response = client.post(
        url,
        {"name": "X", "email": "not-an-email", "role": "speaker", "language": "en"},
        follow=True,
    )
    assert "valid email" in response.content.decode()
    assert not ProposalPerson.objects.exists()
