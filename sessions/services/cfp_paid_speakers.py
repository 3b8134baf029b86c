"""What a confirmed speaker who had already registered and paid as a delegate is offered, by
their call's policy (``CallForProposals.paid_speaker_policy``): nothing, a full refund of that
delegate registration (they then register free with their speaker voucher), keeping it, or
changing it to the call's free speaker registration type with the price difference refunded.

Accepting a refund is decided here under the person's row lock (once per order: a second answer
is refused with "already answered"); the registration is then cancelled and the money refunded
by the registrations app's own services (``cancel_delegate``, ``request_refund``), each in its
own transaction and with Stripe called only after those commit, never inside ours. Accepting a
change goes the same way through ``change_delegate_type`` (which prices the new type, issues
the credit note and says what was paid over the new total), then ``request_refund`` for that."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.mail import send_templated_email
from events_site.congresses.money import format_money
from registrations.models import Delegate, RegistrationType
from registrations.payments.selectors import paid_registrations_with_refunds
from registrations.selectors import PaidRegistration
from registrations.services.pricing import congress_today, list_price

from ..enums import InvitationStatus, PaidSpeakerOfferState, PaidSpeakerPolicy
from ..errors import PaidSpeakerOfferRefused
from ..models import PaidSpeakerOffer, ProposalPerson
from .cfp_links import person_link

EMAIL_KIND = "cfp_paid_speaker"


# Why a refund or change could not be made: the delegate's registration no longer exists.
DELEGATE_GONE = gettext_lazy("The delegate's registration no longer exists.")
# Why a refund is not offered: the order was refunded in part and cannot be cancelled.
PARTLY_REFUNDED = gettext_lazy(
    "Part of this registration has already been refunded, so it cannot be cancelled here: "
    "the organisers will settle the rest with you."
)


@dataclass(frozen=True)
class Offer:
    """One paid registration of the person as their link shows it: what the call's policy
    offers, and where the speaker's answer stands."""

    registration: PaidRegistration
    policy: str
    state: str  # PaidSpeakerOfferState; OFFERED while unanswered
    answer: PaidSpeakerOffer | None
    change: TypeChangeOffer | None = None  # under the change policy, while unanswered

    @property
    def open(self) -> bool:
        unanswered = self.state == PaidSpeakerOfferState.OFFERED
        if self.policy == PaidSpeakerPolicy.CHANGE:
            return unanswered and self.change is not None and self.change.difference > 0
        return (
            self.policy == PaidSpeakerPolicy.REFUND
            and unanswered
            and self.registration.still_refundable > 0
            and self.registration.cancellable
        )

    @property
    def partly_refunded(self) -> bool:
        """Its order already had part of it refunded: what is offered is what is left."""
        return self.registration.still_refundable < self.registration.price

    @property
    def left_to_organisers(self) -> bool:
        """Unanswered under the refund policy, but its order was refunded in part and may no
        longer be cancelled: the organisers settle it with the speaker."""
        return (
            self.policy == PaidSpeakerPolicy.REFUND
            and self.state == PaidSpeakerOfferState.OFFERED
            and self.registration.still_refundable > 0
            and not self.registration.cancellable
        )

    @property
    def nothing_left(self) -> bool:
        """Unanswered under the refund policy, but its order has already been refunded."""
        return (
            self.policy == PaidSpeakerPolicy.REFUND
            and self.state == PaidSpeakerOfferState.OFFERED
            and self.registration.still_refundable <= 0
        )

    @property
    def kept(self) -> bool:
        """The call's policy keeps the paid registration and nothing was answered under an
        earlier policy: nothing is offered."""
        return self.policy == PaidSpeakerPolicy.KEEP and self.answer is None

    @property
    def changed(self) -> bool:
        return self.state == PaidSpeakerOfferState.CHANGED

    @property
    def refunded(self) -> bool:
        return self.state == PaidSpeakerOfferState.REFUNDED

    @property
    def waiting_for_organisers(self) -> bool:
        """Accepted, but the refund or change could not be made at once."""
        return self.state == PaidSpeakerOfferState.ACCEPTED

    @property
    def declined(self) -> bool:
        return self.state == PaidSpeakerOfferState.DECLINED

    @property
    def is_change(self) -> bool:
        if self.answer is not None:
            return bool(self.answer.offered_type)
        return self.policy == PaidSpeakerPolicy.CHANGE

    @property
    def order_code(self) -> str:
        return self.registration.order_code

    @property
    def amount(self) -> Decimal:
        """What is (or was) refunded: the price (less what the order already had refunded), or
        under the change policy the difference."""
        if self.answer is not None:
            return self.answer.amount
        if self.policy == PaidSpeakerPolicy.CHANGE:
            return self.change.difference if self.change else Decimal("0.00")
        return self.registration.still_refundable

    @property
    def new_type(self) -> str:
        """The speaker registration type offered instead (change policy)."""
        if self.answer is not None:
            return self.answer.offered_type
        return self.change.registration_type.name if self.change else ""

    @property
    def currency(self) -> str:
        return self.registration.currency


@dataclass(frozen=True)
class TypeChangeOffer:
    """Under the change policy: the call's speaker registration type and what the speaker gets
    back (their price minus the type's price today, at most what the order may still have
    refunded; nothing when it costs no less)."""

    registration_type: RegistrationType
    difference: Decimal


def _type_change(call, registration: PaidRegistration) -> TypeChangeOffer | None:
    """The change the call offers for ``registration``, priced as ``change_delegate_type``
    prices it (the type's list price today); None without a speaker type."""
    rtype = call.speaker_registration_type
    if rtype is None:
        return None
    rtype.congress = call.congress
    price, _tier = list_price(rtype, congress_today(call.congress))
    return TypeChangeOffer(
        registration_type=rtype,
        difference=max(
            min(registration.price - price, registration.still_refundable), Decimal("0.00")
        ),
    )


def may_be_offered(person: ProposalPerson) -> bool:
    """A confirmed person of an accepted (sent) proposal: an offer is theirs to answer."""
    return person.status == InvitationStatus.CONFIRMED and person.proposal.is_accepted


def offers_for(person: ProposalPerson) -> list[Offer]:
    """The person's paid registrations under their call's policy, with their answers; empty
    when the call offers nothing or the person may not be offered anything yet. Answered
    offers stay listed (refunded, declined) even once the registration is no longer paid."""
    call = person.proposal.call
    if call.paid_speaker_policy == PaidSpeakerPolicy.NOTHING or not may_be_offered(person):
        return []
    answers = {a.order_code: a for a in person.paid_offers.all()}
    paid = paid_registrations_with_refunds(congress=call.congress, emails=[person.email]).get(
        person.email.strip().lower(), []
    )
    offers, seen = [], set()
    for registration in paid:
        if registration.order_code in seen:
            continue
        seen.add(registration.order_code)
        answer = answers.get(registration.order_code)
        change = None
        if call.paid_speaker_policy == PaidSpeakerPolicy.CHANGE and answer is None:
            change = _type_change(call, registration)
        offers.append(
            Offer(
                registration=registration,
                policy=call.paid_speaker_policy,
                state=answer.state if answer else PaidSpeakerOfferState.OFFERED,
                answer=answer,
                change=change,
            )
        )
    for code, answer in answers.items():
        if code not in seen:
            offers.append(
                Offer(
                    registration=_registration_of(answer),
                    policy=call.paid_speaker_policy,
                    state=answer.state,
                    answer=answer,
                )
            )
    return offers


def committee_notices(*, call, proposals, paid: dict) -> dict[int, list[tuple]]:
    """``cfp_decisions.already_paid`` with, for each paid registration, where the call's offer
    stands: (person, [(registration, state label, note)]). A refunded registration is no longer
    paid but its answer still shows. One query for every answer of the page's people."""
    policy = call.paid_speaker_policy
    people = {x.pk: (p.pk, x) for p in proposals for x in p.people.all()}
    answers: dict[tuple[int, str], PaidSpeakerOffer] = {}
    if people:
        answered = PaidSpeakerOffer.objects.filter(person_id__in=list(people))
        answers = {(a.person_id, a.order_code): a for a in answered}
    rows: dict[int, dict[int, list]] = {}
    for proposal_id, found in paid.items():
        for person, registrations in found:
            rows.setdefault(proposal_id, {})[person.pk] = list(registrations)
    for (person_id, code), answer in answers.items():
        proposal_id, _person = people[person_id]
        listed = rows.setdefault(proposal_id, {}).setdefault(person_id, [])
        if all(r.order_code != code for r in listed):
            listed.append(_registration_of(answer))
    return {
        proposal_id: [
            (
                people[person_id][1],
                [(r, *_state_label(policy, people[person_id][1], answers, r)) for r in found],
            )
            for person_id, found in by_person.items()
        ]
        for proposal_id, by_person in rows.items()
    }


def _registration_of(answer: PaidSpeakerOffer) -> PaidRegistration:
    """The registration an answer was about, as it was when answered."""
    return PaidRegistration(
        order_code=answer.order_code,
        registration_type=answer.registration_type,
        price=answer.amount,
        currency=answer.currency,
        delegate_id=answer.delegate_id or 0,
    )


def _committee_labels() -> dict[str, str]:
    return {
        PaidSpeakerOfferState.OFFERED: _("refund offered"),
        PaidSpeakerOfferState.ACCEPTED: _("refund accepted, not made yet"),
        PaidSpeakerOfferState.DECLINED: _("refund declined: keeps the registration"),
        PaidSpeakerOfferState.REFUNDED: _("refund accepted and requested"),
    }


def _change_labels() -> dict[str, str]:
    return {
        PaidSpeakerOfferState.OFFERED: _("change to the speaker type offered"),
        PaidSpeakerOfferState.ACCEPTED: _("change accepted, not made yet"),
        PaidSpeakerOfferState.DECLINED: _("change declined: keeps the registration"),
        PaidSpeakerOfferState.CHANGED: _("changed to the speaker type, difference refunded"),
    }


def _state_label(policy, person, answers, registration) -> tuple[str, str]:
    answer = answers.get((person.pk, registration.order_code))
    if answer is not None:
        labels = _change_labels() if answer.offered_type else _committee_labels()
        return labels[answer.state], answer.refund_note
    if policy == PaidSpeakerPolicy.REFUND:
        if registration.still_refundable <= 0:
            return _("already refunded: nothing left to offer"), ""
        if not registration.cancellable:
            return _("refunded in part: to be settled by the organisers"), ""
        if may_be_offered(person):
            return _committee_labels()[PaidSpeakerOfferState.OFFERED], ""
        return _("refund offered once accepted and confirmed"), ""
    if policy == PaidSpeakerPolicy.CHANGE:
        if may_be_offered(person):
            return _change_labels()[PaidSpeakerOfferState.OFFERED], ""
        return _("change offered once accepted and confirmed"), ""
    if policy == PaidSpeakerPolicy.KEEP:
        return _("keeps the registration (the call's policy)"), ""
    return "", ""


def _open_offer(person: ProposalPerson, order_code: str) -> PaidRegistration:
    """Under the person's lock: the registration of ``order_code`` the call still offers to
    refund (or change), or the refusal that says why not."""
    call = person.proposal.call
    if call.paid_speaker_policy not in (PaidSpeakerPolicy.REFUND, PaidSpeakerPolicy.CHANGE):
        raise PaidSpeakerOfferRefused(_("This call offers no refund of a paid registration."))
    if (
        call.paid_speaker_policy == PaidSpeakerPolicy.CHANGE
        and call.speaker_registration_type_id is None
    ):
        raise PaidSpeakerOfferRefused(_("This call has no speaker registration type to change to."))
    if not may_be_offered(person):
        raise PaidSpeakerOfferRefused(
            _("The offer is open once the proposal is accepted and you have confirmed.")
        )
    answered = PaidSpeakerOffer.objects.filter(person=person, order_code=order_code).first()
    if answered is not None:
        raise PaidSpeakerOfferRefused(
            _("You have already answered this offer: %(state)s.")
            % {"state": answered.get_state_display()}
        )
    paid = paid_registrations_with_refunds(congress=call.congress, emails=[person.email])
    for registration in paid.get(person.email.strip().lower(), []):
        if registration.order_code == order_code:
            if call.paid_speaker_policy == PaidSpeakerPolicy.CHANGE:
                change = _type_change(call, registration)
                if change is None or change.difference <= 0:
                    raise PaidSpeakerOfferRefused(
                        _(
                            "The speaker registration type costs no less than yours: there "
                            "is no difference to refund."
                        )
                    )
            elif registration.still_refundable <= 0:
                raise PaidSpeakerOfferRefused(
                    _("This registration has already been refunded: there is nothing to refund.")
                )
            elif not registration.cancellable:
                raise PaidSpeakerOfferRefused(PARTLY_REFUNDED)
            return registration
    raise PaidSpeakerOfferRefused(
        _("This registration is no longer paid: there is nothing to refund.")
    )


def _answer(person: ProposalPerson, order_code: str, state: str) -> PaidSpeakerOffer:
    with transaction.atomic():
        current = (
            ProposalPerson.objects.select_for_update(of=("self",))
            .select_related("proposal__call__congress", "proposal__call__speaker_registration_type")
            .get(pk=person.pk)
        )
        registration = _open_offer(current, order_code)
        call = current.proposal.call
        amount, offered_type = registration.still_refundable, ""
        if call.paid_speaker_policy == PaidSpeakerPolicy.CHANGE:
            change = _type_change(call, registration)
            amount, offered_type = change.difference, change.registration_type.name[:200]
        try:
            with transaction.atomic():
                offer = PaidSpeakerOffer.objects.create(
                    person=current,
                    delegate_id=registration.delegate_id or None,
                    order_code=registration.order_code,
                    registration_type=registration.registration_type[:200],
                    amount=amount,
                    currency=registration.currency,
                    state=state,
                    answered_at=timezone.now(),
                    offered_type=offered_type,
                )
        except IntegrityError as exc:  # pragma: no cover - the person's row lock
            raise PaidSpeakerOfferRefused(_("You have already answered this offer.")) from exc
        audit.record(
            action=(
                "convene.cfp.paid_speaker_offer_accepted"
                if state == PaidSpeakerOfferState.ACCEPTED
                else "convene.cfp.paid_speaker_offer_declined"
            ),
            congress=current.proposal.call.congress,
            actor_label="speaker",
            target=current,
            data={
                "proposal": current.proposal.code,
                "order": offer.order_code,
                "amount": str(offer.amount),
                "currency": offer.currency,
                "offered_type": offer.offered_type,
            },
        )
    return offer


def decline_paid_speaker_offer(*, person: ProposalPerson, order_code: str) -> PaidSpeakerOffer:
    """The speaker keeps their paid registration as it is; nothing is refunded or changed.
    Answered once."""
    return _answer(person, order_code, PaidSpeakerOfferState.DECLINED)


def accept_paid_speaker_offer(*, person: ProposalPerson, order_code: str) -> PaidSpeakerOffer:
    """The speaker takes the refund: their answer is recorded once (a second is refused), then
    the delegate registration is cancelled and its price refunded through the registrations
    app's services. If those refuse (the order changed meanwhile), the answer stays "accepted"
    with the reason, for the organisers to finish by hand from the committee page. Under the
    change policy the registration is changed to the speaker type instead (:func:`_change`)."""
    offer = _answer(person, order_code, PaidSpeakerOfferState.ACCEPTED)
    if offer.offered_type:
        return _change(offer)
    return _refund(offer)


def _refund(offer: PaidSpeakerOffer) -> PaidSpeakerOffer:
    from registrations.payments.services.order_changes import cancel_delegate
    from registrations.payments.services.refunds import (
        RefundRefused,
        refundable_amount,
        request_refund,
    )

    person = offer.person
    congress = person.proposal.call.congress
    reason = _("Speaker of %(code)s: refund of the delegate registration") % {
        "code": person.proposal.code
    }
    try:
        delegate = Delegate.objects.select_related("order").get(pk=offer.delegate_id)
        # a refund the organisers made since the answer leaves less (or nothing) to give back:
        # nothing left, and the registration is not cancelled either
        if refundable_amount(delegate.order) <= 0:
            raise RefundRefused(
                _("The order has already been refunded in full: nothing was refunded.")
            )
        cancel_delegate(delegate=delegate, actor_label="speaker", reason=reason)
        delegate.order.refresh_from_db()
        amount = min(offer.amount, refundable_amount(delegate.order))
        request_refund(order=delegate.order, amount=amount, reason=reason)
        if amount != offer.amount:
            PaidSpeakerOffer.objects.filter(pk=offer.pk).update(amount=amount)
            offer.amount = amount
    except (Delegate.DoesNotExist, DomainError) as error:
        note = str(error)[:300] if isinstance(error, DomainError) else str(DELEGATE_GONE)
        PaidSpeakerOffer.objects.filter(pk=offer.pk).update(refund_note=note)
        audit.record(
            action="convene.cfp.paid_speaker_refund_failed",
            congress=congress,
            actor_label="speaker",
            target=person,
            data={"order": offer.order_code, "error": note},
        )
        offer.refresh_from_db()
        return offer
    with transaction.atomic():
        changed = PaidSpeakerOffer.objects.filter(
            pk=offer.pk, state=PaidSpeakerOfferState.ACCEPTED
        ).update(state=PaidSpeakerOfferState.REFUNDED, refunded_at=timezone.now())
        if changed:
            audit.record(
                action="convene.cfp.paid_speaker_refunded",
                congress=congress,
                actor_label="speaker",
                target=person,
                data={"order": offer.order_code, "amount": str(offer.amount)},
            )
            send_templated_email(
                to=[person.email],
                template="agenda/emails/paid_speaker_refund",
                language=person.language or person.proposal.language,
                log={"congress_id": congress.pk, "kind": EMAIL_KIND, "sent_by_id": None},
                context={
                    "name": person.name,
                    "congress_name": congress.name,
                    "order_code": offer.order_code,
                    "amount": format_money(
                        offer.amount,
                        offer.currency,
                        locale=person.language or person.proposal.language,
                    ),
                    "voucher_code": person.voucher.code if person.voucher_id else "",
                    "link": person_link(person),
                },
            )
    offer.refresh_from_db()
    return offer


def _change_failed(offer: PaidSpeakerOffer, note: str) -> PaidSpeakerOffer:
    """The answer stays "accepted" with why the change or its refund was not made."""
    person = offer.person
    PaidSpeakerOffer.objects.filter(pk=offer.pk).update(refund_note=note[:300])
    audit.record(
        action="convene.cfp.paid_speaker_change_failed",
        congress=person.proposal.call.congress,
        actor_label="speaker",
        target=person,
        data={"order": offer.order_code, "to": offer.offered_type, "error": note[:300]},
    )
    offer.refresh_from_db()
    return offer


def _change(offer: PaidSpeakerOffer) -> PaidSpeakerOffer:
    """Change the accepted registration to the call's speaker type with the registrations app's
    ``change_delegate_type`` (seat, price, credit note), then refund what the order now holds
    over its total with ``request_refund``; each commits on its own, Stripe after the rows."""
    from registrations.payments.services.delegate_changes import change_delegate_type
    from registrations.payments.services.refunds import request_refund

    person = offer.person
    call = person.proposal.call
    congress = call.congress
    reason = _("Speaker of %(code)s: changed to the speaker registration type") % {
        "code": person.proposal.code
    }
    rtype = call.speaker_registration_type
    try:
        if rtype is None:
            raise PaidSpeakerOfferRefused(
                _("This call has no speaker registration type to change to.")
            )
        delegate = Delegate.objects.select_related("order__congress").get(pk=offer.delegate_id)
        change = change_delegate_type(delegate=delegate, registration_type=rtype, reason=reason)
    except (Delegate.DoesNotExist, DomainError) as error:
        return _change_failed(
            offer, str(error) if isinstance(error, DomainError) else str(DELEGATE_GONE)
        )
    refundable = change.settlement.refundable
    if refundable > 0:
        try:
            request_refund(order=change.delegate.order, amount=refundable, reason=reason)
        except DomainError as error:
            return _change_failed(
                offer,
                _("Changed to %(type)s, but the refund was refused: %(error)s")
                % {"type": rtype.name, "error": error},
            )
    note = "" if refundable > 0 else _("Nothing was paid over the new total: nothing refunded.")
    with transaction.atomic():
        changed = PaidSpeakerOffer.objects.filter(
            pk=offer.pk, state=PaidSpeakerOfferState.ACCEPTED
        ).update(
            state=PaidSpeakerOfferState.CHANGED,
            amount=refundable,
            refund_note=note,
            refunded_at=timezone.now(),
        )
        if changed:
            audit.record(
                action="convene.cfp.paid_speaker_changed",
                congress=congress,
                actor_label="speaker",
                target=person,
                data={
                    "order": offer.order_code,
                    "from": offer.registration_type,
                    "to": rtype.code,
                    "refunded": str(refundable),
                },
            )
            language = person.language or person.proposal.language
            send_templated_email(
                to=[person.email],
                template="agenda/emails/paid_speaker_change",
                language=language,
                log={"congress_id": congress.pk, "kind": EMAIL_KIND, "sent_by_id": None},
                context={
                    "name": person.name,
                    "congress_name": congress.name,
                    "order_code": offer.order_code,
                    "new_type": rtype.name,
                    "amount": format_money(refundable, offer.currency, locale=language),
                    "link": person_link(person),
                },
            )
    offer.refresh_from_db()
    return offer
