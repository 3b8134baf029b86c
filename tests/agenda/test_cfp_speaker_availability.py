"""A person on a proposal states through their own link when they cannot speak: in the
congress's zone, within the congress, refused clearly otherwise; the statement reaches the
speaker record the scheduling rules read, before and after acceptance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions.enums import DecisionOutcome, InvitationStatus, ProposalStatus
from sessions.errors import ProposalRefused
from sessions.models import (
    ProposalPersonUnavailability,
    Session,
    Speaker,
    SpeakerUnavailability,
)
from sessions.services import cfp_decisions, check_session
from sessions.services.cfp_speaker import (
    MAX_GAPS,
    add_person_unavailability,
    remove_person_unavailability,
)

from .cfp_world import make_call, make_proposal
from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(congress):
    return make_proposal(make_call(congress)).people.order_by("position")[1]


def add_url(person):
    return reverse(
        "agenda:cfp_person_unavailability", args=[person.proposal.call.congress.slug, person.secret]
    )


def post_gap(client, person, starts, ends, note=""):
    return client.post(
        add_url(person), {"gap-starts_at": starts, "gap-ends_at": ends, "gap-note": note}
    )


def test_the_link_names_the_congress_zone_and_saves_a_time_read_in_it(client, congress, person):
    page = client.get(reverse("agenda:cfp_person", args=[congress.slug, person.secret]))
    assert "Asia/Seoul" in page.content.decode()
    assert 'id="unavailability-form"' in page.content.decode()
    response = post_gap(client, person, "2027-05-11T09:00", "2027-05-11T12:30", "Train")
    assert response.status_code == 302 and response["Location"].endswith("#unavailability")
    gap = ProposalPersonUnavailability.objects.get(person=person)
    assert gap.starts_at == at(congress, 1, 9) and gap.ends_at == at(congress, 1, 12, 30)
    assert gap.starts_at.astimezone(dt.UTC).hour == 0  # 09:00 in Seoul is midnight UTC
    assert gap.note == "Train"
    assert AuditEntry.objects.filter(action="convene.cfp.unavailability_added").exists()
    page = client.get(reverse("agenda:cfp_person", args=[congress.slug, person.secret]))
    assert "09:00" in page.content.decode() and "12:30" in page.content.decode()


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2027-05-11T12:00", "2027-05-11T09:00", "must be after its start"),
        ("2027-05-11T09:00", "2027-05-11T09:00", "must be after its start"),
        ("2027-05-09T20:00", "2027-05-10T10:00", "during the congress"),
        ("2027-05-13T20:00", "2027-05-14T01:00", "during the congress"),
        ("2031-01-01T09:00", "2031-01-01T10:00", "during the congress"),
        ("not a date", "2027-05-11T10:00", "Enter a valid date/time"),
        ("2027-05-11T09:00\x00", "2027-05-11T10:00", "NUL character"),
        ("<script>alert(1)</script>", "2027-05-11T10:00", "Enter a valid date/time"),
        ("", "", "This field is required"),
    ],
)
def test_bad_times_are_refused_with_a_message_and_save_nothing(
    client, person, starts, ends, message
):
    response = post_gap(client, person, starts, ends)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert not ProposalPersonUnavailability.objects.exists()


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("on a plane\x00", "NUL character"),
        ("on a plane\x1b", "control character"),
        ("x" * 10_000, "at most 200 characters"),
    ],
)
def test_a_hostile_note_is_refused(client, person, note, message):
    response = post_gap(client, person, "2027-05-11T09:00", "2027-05-11T10:00", note)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProposalPersonUnavailability.objects.exists()


def test_notes_in_any_script_and_markup_are_kept_as_text(client, person):
    note = "<b>سفر</b> 移動中 यात्रा"
    assert post_gap(client, person, "2027-05-11T09:00", "2027-05-11T10:00", note).status_code == 302
    assert ProposalPersonUnavailability.objects.get().note == note
    page = client.get(
        reverse("agenda:cfp_person", args=[person.proposal.call.congress.slug, person.secret])
    )
    assert "&lt;b&gt;سفر&lt;/b&gt; 移動中 यात्रा" in page.content.decode()


def test_an_hour_the_clocks_skip_is_refused_and_a_repeated_one_read_first(client, congress, person):
    congress.time_zone = "Europe/Paris"
    congress.start_date, congress.end_date = dt.date(2027, 3, 27), dt.date(2027, 3, 29)
    congress.save()
    response = post_gap(client, person, "2027-03-28T02:30", "2027-03-28T04:00")
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.content.decode()
    assert post_gap(client, person, "2027-03-28T03:00", "2027-03-28T04:00").status_code == 302
    gap = ProposalPersonUnavailability.objects.get()
    assert gap.starts_at.astimezone(dt.UTC) == dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)


def test_the_same_time_twice_and_too_many_times_are_refused(congress, person):
    add_person_unavailability(
        person=person, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10)
    )
    with pytest.raises(ProposalRefused, match="already given"):
        add_person_unavailability(
            person=person, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10)
        )
    for n in range(1, MAX_GAPS):
        start = at(congress, 0, 0) + dt.timedelta(minutes=n)
        add_person_unavailability(
            person=person, starts_at=start, ends_at=start + dt.timedelta(minutes=1)
        )
    with pytest.raises(ProposalRefused, match="as many unavailable times"):
        add_person_unavailability(
            person=person, starts_at=at(congress, 2, 9), ends_at=at(congress, 2, 10)
        )


def test_a_declined_or_withdrawn_person_cannot_add_times(congress, person):
    person.status = InvitationStatus.DECLINED
    person.save()
    with pytest.raises(ProposalRefused, match="closed"):
        add_person_unavailability(
            person=person, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10)
        )
    person.status = InvitationStatus.CONFIRMED
    person.save()
    person.proposal.status = ProposalStatus.WITHDRAWN
    person.proposal.save()
    with pytest.raises(ProposalRefused, match="closed"):
        add_person_unavailability(
            person=person, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10)
        )


def test_another_persons_time_or_another_congress_is_not_found(
    client, congress, person, other_congress
):
    gap = add_person_unavailability(
        person=person, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10)
    )
    neighbour = person.proposal.people.order_by("position")[0]
    url = reverse(
        "agenda:cfp_person_unavailability_remove", args=[congress.slug, neighbour.secret, gap.pk]
    )
    assert client.post(url).status_code == 404
    foreign = reverse("agenda:cfp_person_unavailability", args=[other_congress.slug, person.secret])
    assert client.post(foreign, {}).status_code == 404
    wrong = reverse("agenda:cfp_person_unavailability", args=[congress.slug, "x" * 43])
    assert client.post(wrong, {}).status_code == 404
    assert client.get(add_url(person)).status_code == 405
    assert ProposalPersonUnavailability.objects.filter(pk=gap.pk).exists()


def _accept(call, proposal, alice):
    cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.send_decisions(call=call, by=alice)
    proposal.refresh_from_db()
    return Session.objects.get(pk=proposal.session_id)


def test_a_time_given_before_acceptance_makes_the_scheduled_session_conflict(
    congress, person, alice
):
    add_person_unavailability(
        person=person, starts_at=at(congress, 1, 9), ends_at=at(congress, 1, 12)
    )
    session = _accept(person.proposal.call, person.proposal, alice)
    session.unscheduled = False
    session.starts_at, session.ends_at = at(congress, 1, 11), at(congress, 1, 12, 15)
    conflicts = check_session(session)
    assert any(person.name in str(c.message) for c in conflicts), conflicts


def test_after_acceptance_the_speaker_follows_additions_and_removals(
    client, congress, person, alice
):
    _accept(person.proposal.call, person.proposal, alice)
    person.refresh_from_db()
    speaker = Speaker.objects.get(pk=person.speaker_id)
    organisers_own = SpeakerUnavailability.objects.create(
        speaker=speaker, starts_at=at(congress, 2, 14), ends_at=at(congress, 2, 15)
    )
    assert post_gap(client, person, "2027-05-12T09:00", "2027-05-12T10:00").status_code == 302
    assert SpeakerUnavailability.objects.filter(
        speaker=speaker, starts_at=at(congress, 2, 9)
    ).exists()
    gap = ProposalPersonUnavailability.objects.get(person=person)
    url = reverse(
        "agenda:cfp_person_unavailability_remove", args=[congress.slug, person.secret, gap.pk]
    )
    assert client.post(url).status_code == 302
    assert list(SpeakerUnavailability.objects.filter(speaker=speaker)) == [organisers_own]
    assert not ProposalPersonUnavailability.objects.exists()


def test_a_time_stated_on_another_proposal_of_the_same_speaker_stays(congress, alice):
    call = make_call(congress)
    first = make_proposal(call, names=["Amara Okonkwo"])
    second = make_proposal(call, names=["Amara Okonkwo"])
    second.people.update(email=first.people.get().email)
    for proposal in (first, second):
        cfp_decisions.decide(proposal=proposal, by=alice, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.send_decisions(call=call, by=alice)
    one, two = first.people.get(), second.people.get()
    gap = add_person_unavailability(
        person=one, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10)
    )
    add_person_unavailability(person=two, starts_at=at(congress, 0, 9), ends_at=at(congress, 0, 10))
    remove_person_unavailability(gap=gap)
    assert SpeakerUnavailability.objects.filter(speaker_id=two.speaker_id).count() == 1
