"""A confirmed speaker who already registered and paid as a delegate is offered what their call's
policy says: nothing, a full refund through the refund service (once), or keeping it; the
committee page shows where each offer stands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import Refund
from registrations.payments.enums import RefundState
from registrations.payments.services import payments as payment_services
from sessions.enums import (
    InvitationStatus,
    PaidSpeakerOfferState,
    PaidSpeakerPolicy,
    ProposalStatus,
)
from sessions.errors import PaidSpeakerOfferRefused
from sessions.models import PaidSpeakerOffer
from sessions.services import cfp_paid_speakers
from tests.factories import DelegateFactory, OrderFactory, RegistrationTypeFactory

from .cfp_world import make_call, make_proposal

pytestmark = pytest.mark.django_db


def paid_order(congress, email, alice, *, price="450.00", others=0):
    """An order paid by bank transfer with the speaker's delegate (and ``others`` more)."""
    price = Decimal(price)
    order = OrderFactory(
        congress=congress, status=OrderStatus.PENDING_PAYMENT, total=price * (1 + others)
    )
    rtype = RegistrationTypeFactory(congress=congress, capacity=10, name="Delegate")
    delegate = DelegateFactory(order=order, registration_type=rtype, price=price, email=email)
    for _ in range(others):
        DelegateFactory(order=order, registration_type=rtype, price=price)
    payment_services.record_bank_transfer(
        order=order, amount=price * (1 + others), received_on=dt.date(2027, 3, 1), by=alice
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order, delegate


@pytest.fixture
def speaker(congress, alice):
    """A confirmed speaker of an accepted proposal of a refund-policy call, with a paid order."""
    call = make_call(congress, paid_speaker_policy=PaidSpeakerPolicy.REFUND)
    proposal = make_proposal(call, status=ProposalStatus.ACCEPTED, names=("Amara Okonkwo",))
    person = proposal.people.get()
    order, delegate = paid_order(congress, person.email.upper(), alice)
    return person, order, delegate


def page(client, person):
    congress = person.proposal.call.congress
    response = client.get(reverse("agenda:cfp_person", args=[congress.slug, person.secret]))
    assert response.status_code == 200
    return response.content.decode()


def committee_page(client, person, organiser) -> str:
    """The committee page of the person's call, as ``organiser`` reads it."""
    call = person.proposal.call
    client.force_login(organiser)
    response = client.get(
        reverse("agenda:manage_call_committee", args=[call.congress.slug, call.slug])
    )
    assert response.status_code == 200
    return response.content.decode()


def answer_url(person, order_code, answer="accept"):
    name = f"agenda:cfp_person_paid_offer_{answer}"
    return reverse(name, args=[person.proposal.call.congress.slug, person.secret, order_code])


def test_a_call_that_offers_nothing_shows_no_offer_and_refuses_an_answer(client, speaker):
    person, order, _ = speaker
    call = person.proposal.call
    call.paid_speaker_policy = PaidSpeakerPolicy.NOTHING
    call.save()
    html = page(client, person)
    assert 'id="paid-offer"' not in html and order.code not in html
    assert client.post(answer_url(person, order.code)).status_code == 404
    with pytest.raises(PaidSpeakerOfferRefused):
        cfp_paid_speakers.accept_paid_speaker_offer(person=person, order_code=order.code)
    assert not Refund.objects.exists() and not PaidSpeakerOffer.objects.exists()


def test_a_keep_policy_tells_the_speaker_their_registration_stays_without_buttons(client, speaker):
    person, order, _ = speaker
    person.proposal.call.paid_speaker_policy = PaidSpeakerPolicy.KEEP
    person.proposal.call.save()
    html = page(client, person)
    assert "This registration stays yours" in html and order.code in html
    assert 'id="paid-offer-accept"' not in html
    assert client.post(answer_url(person, order.code)).status_code == 302
    assert not Refund.objects.exists()


def test_the_offer_names_the_order_and_the_amount_in_the_locale(client, speaker):
    person, order, _ = speaker
    html = page(client, person)
    assert f'id="paid-offer-{order.code}"' in html and 'data-state="offered"' in html
    assert "€450.00" in html and "full refund of €450.00" in html
    assert 'id="paid-offer-accept"' in html
    french = client.get(
        reverse("agenda:cfp_person", args=[person.proposal.call.congress.slug, person.secret]),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert "450,00\xa0€" in french or "450,00 €" in french


def test_accepting_cancels_the_registration_and_refunds_its_price_exactly_once(
    client, speaker, django_capture_on_commit_callbacks, mailoutbox
):
    person, order, delegate = speaker
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(answer_url(person, order.code))
    assert response.status_code == 302 and response["Location"].endswith("#paid-offer")
    refund = Refund.objects.get()
    assert (refund.order_id, refund.amount, refund.state) == (
        order.pk,
        Decimal("450.00"),
        RefundState.SUCCEEDED,  # a bank transfer's refund is recorded at once (finance)
    )
    order.refresh_from_db()
    delegate.refresh_from_db()
    assert delegate.is_cancelled and order.status == OrderStatus.REFUNDED
    offer = PaidSpeakerOffer.objects.get()
    assert offer.state == PaidSpeakerOfferState.REFUNDED and offer.amount == Decimal("450.00")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "convene.cfp.paid_speaker_offer_accepted",
        "convene.cfp.paid_speaker_refunded",
        "convene.refund.requested",
    } <= actions
    assert any(person.email in m.to and order.code in m.subject for m in mailoutbox)
    # a second POST: nothing more is refunded, the page says it is done
    again = client.post(answer_url(person, order.code), follow=True)
    assert "You have already answered this offer" in again.content.decode()
    assert Refund.objects.count() == 1 and PaidSpeakerOffer.objects.count() == 1
    html = page(client, person)
    assert 'data-state="refunded"' in html and 'id="paid-offer-accept"' not in html


def test_only_the_speakers_own_delegate_is_refunded_on_a_shared_order(client, speaker, alice):
    person, _order, _ = speaker
    order, delegate = paid_order(
        person.proposal.call.congress, "other-" + person.email, alice, price="300.00", others=2
    )
    delegate.email = person.email
    delegate.save()
    client.post(answer_url(person, order.code))
    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("300.00")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    assert order.delegates.filter(is_cancelled=False).count() == 2


def test_declining_refunds_nothing_and_is_final(client, speaker):
    person, order, delegate = speaker
    assert client.post(answer_url(person, order.code, "decline")).status_code == 302
    assert PaidSpeakerOffer.objects.get().state == PaidSpeakerOfferState.DECLINED
    assert not Refund.objects.exists()
    delegate.refresh_from_db()
    assert not delegate.is_cancelled
    client.post(answer_url(person, order.code))
    assert not Refund.objects.exists()
    assert 'data-state="declined"' in page(client, person)


def test_an_answer_given_before_the_call_switched_to_keep_is_still_told(
    client, speaker, django_capture_on_commit_callbacks
):
    """The organisers set "keep" after the speaker accepted the refund: the link tells what
    happened to the registration, not that it stays theirs."""
    person, order, _delegate = speaker
    with django_capture_on_commit_callbacks(execute=True):
        client.post(answer_url(person, order.code))
    call = person.proposal.call
    call.paid_speaker_policy = PaidSpeakerPolicy.KEEP
    call.save(update_fields=["paid_speaker_policy"])
    html = page(client, person)
    assert 'data-state="refunded"' in html and "You accepted the refund" in html
    assert "This registration stays yours" not in html


def test_no_offer_before_the_speaker_confirms(client, speaker):
    person, order, _ = speaker
    person.status = InvitationStatus.INVITED
    person.save()
    assert 'id="paid-offer"' not in page(client, person)
    assert client.post(answer_url(person, order.code)).status_code == 404
    assert not Refund.objects.exists()


def test_another_persons_link_cannot_answer_for_this_order(client, speaker, congress):
    person, order, _ = speaker
    other = make_proposal(
        person.proposal.call, status=ProposalStatus.ACCEPTED, names=("Björn Lindqvist",)
    ).people.get()
    assert client.post(answer_url(other, order.code)).status_code == 404
    other_congress_slug = "another-congress"
    url = reverse(
        "agenda:cfp_person_paid_offer_accept", args=[other_congress_slug, person.secret, order.code]
    )
    assert client.post(url).status_code == 404
    assert not Refund.objects.exists() and not PaidSpeakerOffer.objects.exists()


@pytest.mark.parametrize("code", ["NOPE", "A\x00B", "x" * 300])
def test_an_unknown_or_hostile_order_code_is_a_404(client, speaker, code):
    person, _, _ = speaker
    response = client.post(answer_url(person, "PLACEHOLDER").replace("PLACEHOLDER", code))
    assert response.status_code in (400, 404)
    assert not Refund.objects.exists()


def test_an_answer_needs_a_post(client, speaker):
    person, order, _ = speaker
    assert client.get(answer_url(person, order.code)).status_code == 405


def test_the_programme_team_sets_the_policy_on_the_call_form_and_bad_choices_are_refused(
    client, alice, congress
):
    call = make_call(congress)
    client.force_login(alice)
    url = reverse("agenda:manage_call", args=[congress.slug, call.slug])
    form = client.get(url).context["call_form"]
    data = {name: form[name].value() or "" for name in form.fields if name not in ("tracks",)}
    data["part"] = "call"
    for name in ("opens_at", "deadline"):
        data[name] = form[name].value().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {**data, "paid_speaker_policy": "everything"})
    assert response.status_code == 400
    assert "Select a valid choice. everything is not one of" in response.content.decode()
    response = client.post(url, {**data, "paid_speaker_policy": "refund\x00"})
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    call.refresh_from_db()
    assert call.paid_speaker_policy == PaidSpeakerPolicy.NOTHING
    response = client.post(url, {**data, "paid_speaker_policy": "refund"})
    assert response.status_code == 302, response.content.decode()[:2000]
    call.refresh_from_db()
    assert call.paid_speaker_policy == PaidSpeakerPolicy.REFUND


def test_the_committee_shows_each_offers_state_in_fixed_queries(
    client, alice, congress, django_assert_max_num_queries
):
    call = make_call(congress, paid_speaker_policy=PaidSpeakerPolicy.REFUND)
    people = []
    for n in range(12):
        proposal = make_proposal(
            call, status=ProposalStatus.ACCEPTED, names=(f"Speaker {n}",), title=f"Session {n}"
        )
        person = proposal.people.get()
        order, _ = paid_order(congress, person.email, alice)
        people.append((person, order))
    (first, first_order), (second, second_order) = people[0], people[1]
    client.post(answer_url(first, first_order.code))
    client.post(answer_url(second, second_order.code, "decline"))
    client.force_login(alice)
    url = reverse("agenda:manage_call_committee", args=[congress.slug, call.slug])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    html = response.content.decode()
    assert html.count("refund offered") == 10
    assert "refund accepted and requested" in html
    assert "refund declined: keeps the registration" in html


def test_a_registration_refunded_in_part_is_left_to_the_organisers_without_an_offer(
    client, speaker, alice
):
    """The only seat of an order the organisers already refunded in part: the registrations
    app does not cancel such an order, so no refund is offered and an answer is refused."""
    from registrations.payments.services.refunds import request_refund

    person, order, delegate = speaker
    request_refund(order=order, amount=Decimal("400.00"), by=alice, reason="Earlier")
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_REFUNDED
    html = page(client, person)
    assert "€450.00" in html and "the organisers will settle the rest with you" in html
    assert 'id="paid-offer-accept"' not in html and "full refund" not in html
    response = client.post(answer_url(person, order.code), follow=True)
    assert "the organisers will settle the rest with you" in response.content.decode()
    assert not PaidSpeakerOffer.objects.exists()
    assert Refund.objects.filter(order=order).count() == 1
    delegate.refresh_from_db()
    assert not delegate.is_cancelled
    committee = committee_page(client, person, alice)
    assert "refunded in part: to be settled by the organisers" in committee


def test_on_a_shared_order_refunded_in_part_only_what_is_left_is_offered_and_refunded(
    client, speaker, alice
):
    from registrations.payments.services.refunds import request_refund

    person, _order, _ = speaker
    order, delegate = paid_order(
        person.proposal.call.congress, "other-" + person.email, alice, price="300.00", others=2
    )
    delegate.email = person.email
    delegate.save()
    request_refund(order=order, amount=Decimal("750.00"), by=alice, reason="Earlier")
    html = page(client, person)
    assert f'id="paid-offer-{order.code}"' in html
    assert "refund of what is left, €150.00" in html
    client.post(answer_url(person, order.code))
    offer = PaidSpeakerOffer.objects.get(order_code=order.code)
    assert offer.state == PaidSpeakerOfferState.REFUNDED and offer.amount == Decimal("150.00")
    assert sorted(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [
        Decimal("150.00"),
        Decimal("750.00"),
    ]
    delegate.refresh_from_db()
    assert delegate.is_cancelled
    assert order.delegates.filter(is_cancelled=False).count() == 2


def test_an_order_refunded_in_full_after_the_answer_is_not_cancelled_and_nothing_is_refunded(
    client, speaker, alice, monkeypatch
):
    """The organisers refund the order between the answer and the refund: the registration is
    not cancelled, the answer stays accepted with the reason."""
    from registrations.payments.services import refunds

    person, order, delegate = speaker
    real = cfp_paid_speakers._refund

    def organisers_refund_first(offer):
        refunds.request_refund(order=order, amount=Decimal("450.00"), by=alice, reason="All")
        return real(offer)

    monkeypatch.setattr(cfp_paid_speakers, "_refund", organisers_refund_first)
    response = client.post(answer_url(person, order.code), follow=True)
    assert "the organisers will complete it" in response.content.decode()
    offer = PaidSpeakerOffer.objects.get()
    assert offer.state == PaidSpeakerOfferState.ACCEPTED
    assert "already been refunded in full" in offer.refund_note
    delegate.refresh_from_db()
    assert not delegate.is_cancelled
    assert list(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [
        Decimal("450.00")
    ]


def test_a_refund_the_registrations_app_refuses_leaves_the_answer_accepted_with_the_reason(
    client, speaker, alice, monkeypatch
):
    from registrations.payments.errors import RefundRefused
    from registrations.payments.services import refunds

    person, order, delegate = speaker

    def refuse(**kwargs):
        raise RefundRefused("The payment provider refused: <b>card expired</b>")

    monkeypatch.setattr(refunds, "request_refund", refuse)
    response = client.post(answer_url(person, order.code), follow=True)
    assert "the organisers will complete it" in response.content.decode()
    offer = PaidSpeakerOffer.objects.get()
    assert offer.state == PaidSpeakerOfferState.ACCEPTED and "card expired" in offer.refund_note
    assert not Refund.objects.filter(order=order).exists()
    assert AuditEntry.objects.filter(action="convene.cfp.paid_speaker_refund_failed").exists()
    committee = committee_page(client, person, alice)
    assert "refund accepted, not made yet" in committee
    assert "&lt;b&gt;card expired&lt;/b&gt;" in committee and "<b>card expired" not in committee


# The change policy: the paid registration becomes the call's speaker type, the difference refunded


@pytest.fixture
def changing_speaker(speaker):
    """The same speaker under a change-policy call whose speaker type costs €100.00."""
    person, order, delegate = speaker
    call = person.proposal.call
    call.speaker_registration_type = RegistrationTypeFactory(
        congress=call.congress, name="Speaker", capacity=5, regular_price=Decimal("100.00")
    )
    call.paid_speaker_policy = PaidSpeakerPolicy.CHANGE
    call.save()
    return person, order, delegate


def test_a_change_offer_names_the_new_type_and_the_difference(client, changing_speaker):
    person, order, _ = changing_speaker
    html = page(client, person)
    assert f'id="paid-offer-{order.code}"' in html and 'data-state="offered"' in html
    assert "change this registration to “Speaker”" in html
    assert "refund the difference of €350.00" in html and "€450.00" in html
    assert "Change it to “Speaker” and refund €350.00" in html
    assert 'id="paid-offer-decline"' in html


def test_accepting_the_change_changes_the_type_once_and_refunds_the_difference(
    client, changing_speaker, django_capture_on_commit_callbacks, mailoutbox
):
    from registrations.models import Invoice
    from registrations.payments.enums import InvoiceKind

    person, order, delegate = changing_speaker
    speaker_type = person.proposal.call.speaker_registration_type
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(answer_url(person, order.code), follow=True)
    assert "Your registration is now “Speaker”" in response.content.decode()
    delegate.refresh_from_db()
    order.refresh_from_db()
    assert (delegate.registration_type_id, delegate.price) == (speaker_type.pk, Decimal("100.00"))
    assert not delegate.is_cancelled and order.total == Decimal("100.00")
    assert order.status == OrderStatus.PAID  # paid in full for its new total: still enters
    assert order.needs_review  # the change service's "overpaid" flag, for finance to clear
    refund = Refund.objects.get()
    assert (refund.order_id, refund.amount, refund.state) == (
        order.pk,
        Decimal("350.00"),
        RefundState.SUCCEEDED,
    )
    notes = Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT_NOTE)
    assert sum(-note.gross for note in notes) == Decimal("350.00")
    offer = PaidSpeakerOffer.objects.get()
    assert (offer.state, offer.amount, offer.offered_type, offer.refund_note) == (
        PaidSpeakerOfferState.CHANGED,
        Decimal("350.00"),
        "Speaker",
        "",
    )
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("convene.delegate.type_changed") == 1
    assert {
        "convene.cfp.paid_speaker_offer_accepted",
        "convene.cfp.paid_speaker_changed",
        "convene.refund.requested",
    } <= set(actions)
    # In French, as the speaker reads it.
    mail = [m for m in mailoutbox if person.email in m.to and "type intervenant" in m.subject]
    language = person.language or person.proposal.language
    assert language == "fr"  # the e-mail is written in the speaker's language and locale
    assert len(mail) == 1 and "350,00\xa0€" in mail[0].body and "« Speaker »" in mail[0].body
    # a second POST: told, and nothing more changes or is refunded
    again = client.post(answer_url(person, order.code), follow=True)
    assert "You have already answered this offer" in again.content.decode()
    assert Refund.objects.count() == 1 and PaidSpeakerOffer.objects.count() == 1
    assert AuditEntry.objects.filter(action="convene.delegate.type_changed").count() == 1
    html = page(client, person)
    assert 'data-state="changed"' in html and 'id="paid-offer-accept"' not in html
    assert "is now “Speaker” and €350.00 is being refunded" in html


def test_declining_the_change_changes_nothing(client, changing_speaker):
    person, order, delegate = changing_speaker
    type_before = delegate.registration_type_id
    assert client.post(answer_url(person, order.code, "decline")).status_code == 302
    assert PaidSpeakerOffer.objects.get().state == PaidSpeakerOfferState.DECLINED
    client.post(answer_url(person, order.code))
    delegate.refresh_from_db()
    order.refresh_from_db()
    assert (delegate.registration_type_id, delegate.price) == (type_before, Decimal("450.00"))
    assert order.status == OrderStatus.PAID and order.total == Decimal("450.00")
    assert not Refund.objects.exists()
    assert not AuditEntry.objects.filter(action="convene.delegate.type_changed").exists()
    assert 'data-state="declined"' in page(client, person)


def test_a_change_the_registrations_app_refuses_is_recorded_with_its_reason(
    client, changing_speaker, alice
):
    person, order, delegate = changing_speaker
    speaker_type = person.proposal.call.speaker_registration_type
    speaker_type.is_active = False
    speaker_type.save()
    response = client.post(answer_url(person, order.code), follow=True)
    assert "the change could not be made at once" in response.content.decode()
    offer = PaidSpeakerOffer.objects.get()
    assert offer.state == PaidSpeakerOfferState.ACCEPTED
    assert offer.refund_note == "This registration type is not on sale."
    delegate.refresh_from_db()
    assert delegate.price == Decimal("450.00") and not Refund.objects.exists()
    assert AuditEntry.objects.filter(action="convene.cfp.paid_speaker_change_failed").exists()
    committee = committee_page(client, offer.person, alice)
    assert "change accepted, not made yet" in committee and offer.refund_note in committee


def test_no_change_is_offered_when_the_speaker_type_costs_no_less(client, changing_speaker):
    person, order, delegate = changing_speaker
    speaker_type = person.proposal.call.speaker_registration_type
    speaker_type.regular_price = Decimal("450.00")
    speaker_type.save()
    html = page(client, person)
    assert order.code in html and 'id="paid-offer-accept"' not in html
    client.post(answer_url(person, order.code))
    assert not PaidSpeakerOffer.objects.exists() and not Refund.objects.exists()
    delegate.refresh_from_db()
    assert delegate.price == Decimal("450.00")


def test_the_committee_shows_the_change_offer_and_its_outcome(client, changing_speaker, alice):
    person, order, _ = changing_speaker
    call = person.proposal.call
    client.force_login(alice)
    url = reverse("agenda:manage_call_committee", args=[call.congress.slug, call.slug])
    assert "change to the speaker type offered" in client.get(url).content.decode()
    client.logout()
    client.post(answer_url(person, order.code))
    client.force_login(alice)
    assert "changed to the speaker type, difference refunded" in client.get(url).content.decode()


def call_form_data(client, url):
    form = client.get(url).context["call_form"]
    data = {name: form[name].value() or "" for name in form.fields if name not in ("tracks",)}
    data["part"] = "call"
    for name in ("opens_at", "deadline"):
        data[name] = form[name].value().strftime("%Y-%m-%dT%H:%M")
    return data


def test_the_call_form_refuses_the_change_policy_without_a_speaker_type(client, alice, congress):
    call = make_call(congress)
    client.force_login(alice)
    url = reverse("agenda:manage_call", args=[congress.slug, call.slug])
    data = call_form_data(client, url)
    response = client.post(
        url, {**data, "paid_speaker_policy": "change", "speaker_registration_type": ""}
    )
    assert response.status_code == 400
    errors = response.context["call_form"].errors
    assert "A change to the speaker registration type needs one" in response.content.decode()
    assert "A change to the speaker registration type needs one" in errors["paid_speaker_policy"][0]
    call.refresh_from_db()
    assert call.paid_speaker_policy == PaidSpeakerPolicy.NOTHING
    speaker_type = RegistrationTypeFactory(congress=congress, name="Speaker", complimentary=True)
    response = client.post(
        url,
        {**data, "paid_speaker_policy": "change", "speaker_registration_type": speaker_type.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    call.refresh_from_db()
    assert call.paid_speaker_policy == PaidSpeakerPolicy.CHANGE
    assert call.speaker_registration_type == speaker_type
