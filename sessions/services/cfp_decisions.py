"""The committee's decisions: held pending on each proposal, then sent in bulk, each person
in their own language. Sending an acceptance puts a draft session with its speakers (one
``Speaker`` per person, found by e-mail across calls), duration, format, track and the
speakers' unavailabilities into the timetable editor's queue, and gives each confirmed
speaker a voucher for the call's free speaker registration type."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.mail import send_templated_emails
from registrations.enums import VoucherKind
from registrations.services.vouchers import create_voucher

from ..enums import (
    OUTCOME_STATUS,
    REVIEWABLE_STATUSES,
    DecisionOutcome,
    InvitationStatus,
    ProposalStatus,
    SessionStatus,
)
from ..errors import DecisionRefused
from ..models import (
    CallForProposals,
    Proposal,
    ProposalDecision,
    ProposalPerson,
    Session,
    SessionSpeaker,
    Speaker,
    SpeakerUnavailability,
    new_code,
)
from .cfp_links import person_link, proposal_link

EMAIL_KIND = "cfp_decision"


def ranked(call: CallForProposals):
    """The committee's list: reviewable and decided proposals, best mean score first."""
    return (
        Proposal.objects.filter(call=call)
        .exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
        .select_related("proposal_type", "track", "decision", "member_organisation")
        .prefetch_related("people")
        .annotate(
            mean_score=Avg("reviews__score"),
            review_count=Count("reviews", filter=Q(reviews__score__isnull=False), distinct=True),
        )
        .order_by("-mean_score", "pk")
    )


ACCEPTING_OUTCOMES = (DecisionOutcome.ACCEPT, DecisionOutcome.ACCEPT_AS)


def is_accepted_or_accepting(proposal: Proposal) -> bool:
    """Accepted, or with a decision held that accepts it (as it is or as another format)."""
    if proposal.is_accepted:
        return True
    decision = getattr(proposal, "decision", None)
    return decision is not None and decision.outcome in ACCEPTING_OUTCOMES


def already_paid(*, congress, proposals) -> dict[int, list[tuple[ProposalPerson, list]]]:
    """For each accepted (or being accepted) proposal of ``proposals`` (people prefetched), its
    people who did not decline and already registered and paid as a delegate of the congress,
    with those paid registrations (``registrations.selectors.PaidRegistration``). Read-only:
    what the call offers them is ``cfp_paid_speakers``'s. One query for all."""
    from registrations.payments.selectors import paid_registrations_with_refunds

    accepted = [p for p in proposals if is_accepted_or_accepting(p)]
    people = {
        p.pk: [x for x in p.people.all() if x.status != InvitationStatus.DECLINED] for p in accepted
    }
    if not accepted:
        return {}
    paid = paid_registrations_with_refunds(
        congress=congress,
        emails=[x.email for group in people.values() for x in group],
    )
    found: dict[int, list[tuple[ProposalPerson, list]]] = {}
    for proposal in accepted:
        rows = [
            (x, paid[x.email.lower()]) for x in people[proposal.pk] if paid.get(x.email.lower())
        ]
        if rows:
            found[proposal.pk] = rows
    return found


def decide(
    *,
    proposal: Proposal,
    by,
    outcome: str,
    format: str = "",
    merge_into: Proposal | None = None,
    note: str = "",
) -> ProposalDecision:
    """Hold a decision pending (replacing an unsent one)."""
    if proposal.status not in REVIEWABLE_STATUSES:
        raise DecisionRefused(_("Only submitted proposals can be decided."))
    if outcome not in DecisionOutcome.values:
        raise DecisionRefused(_("Choose a decision."))
    if outcome == DecisionOutcome.ACCEPT_AS and not format:
        raise DecisionRefused(_("Choose the format it is accepted as."))
    if outcome == DecisionOutcome.MERGE:
        if (
            merge_into is None
            or merge_into.pk == proposal.pk
            or merge_into.call_id != proposal.call_id
        ):
            raise DecisionRefused(_("Choose another proposal of this call to merge into."))
        held = ProposalDecision.objects.filter(proposal=merge_into, sent_at__isnull=True).first()
        accepting = (DecisionOutcome.ACCEPT, DecisionOutcome.ACCEPT_AS)
        if merge_into.status != ProposalStatus.ACCEPTED and not (
            held and held.outcome in accepting
        ):
            raise DecisionRefused(_("Accept the proposal it is merged into first."))
    with transaction.atomic():
        existing = ProposalDecision.objects.select_for_update().filter(proposal=proposal).first()
        if existing is not None and existing.sent_at is not None:
            if proposal.status != ProposalStatus.WAITING_LIST:
                raise DecisionRefused(_("The decision on this proposal has already been sent."))
            existing.sent_at = None  # off the waiting list: a new decision
        decision = existing or ProposalDecision(proposal=proposal)
        decision.outcome = outcome
        decision.format = format if outcome == DecisionOutcome.ACCEPT_AS else ""
        decision.merge_into = merge_into if outcome == DecisionOutcome.MERGE else None
        decision.note = note
        decision.decided_by = by
        decision.decided_at = timezone.now()
        decision.save()
        audit.record(
            action="convene.cfp.decision_held",
            congress=proposal.call.congress,
            actor=by,
            target=proposal,
            data={"proposal": proposal.code, "outcome": outcome},
        )
    return decision


def pending(call: CallForProposals):
    return ProposalDecision.objects.filter(proposal__call=call, sent_at__isnull=True)


def send_decisions(*, call: CallForProposals, by) -> int:
    """Send every pending decision of ``call``: acceptances first (merges need their
    session), each proposer and person e-mailed in their language; the number sent."""
    order = {DecisionOutcome.ACCEPT: 0, DecisionOutcome.ACCEPT_AS: 0, DecisionOutcome.MERGE: 1}
    messages: list[dict] = []
    with transaction.atomic():
        decisions = sorted(
            pending(call).select_for_update(of=("self",)).select_related("proposal", "merge_into"),
            key=lambda d: (order.get(d.outcome, 2), d.pk),
        )
        at = timezone.now()
        for decision in decisions:
            proposal = Proposal.objects.select_for_update().get(pk=decision.proposal_id)
            proposal.status = OUTCOME_STATUS[decision.outcome]
            if decision.outcome in (DecisionOutcome.ACCEPT, DecisionOutcome.ACCEPT_AS):
                proposal.session = _draft_session(proposal, decision, by)
            elif decision.outcome == DecisionOutcome.MERGE:
                target = Proposal.objects.get(pk=decision.merge_into_id)
                if target.session_id is None:
                    raise DecisionRefused(_("Accept the proposal it is merged into first."))
                _add_speakers(target.session, proposal)
                proposal.session = target.session
            proposal.save(update_fields=["status", "session", "updated_at"])
            decision.sent_at = at
            decision.save(update_fields=["sent_at"])
            messages += _messages(proposal, decision, by)
            audit.record(
                action="convene.cfp.decision_sent",
                congress=call.congress,
                actor=by,
                target=proposal,
                data={"proposal": proposal.code, "outcome": decision.outcome},
            )
        send_templated_emails(messages=messages)
    return len(decisions)


def _speaker_for(person: ProposalPerson, congress) -> Speaker:
    """The congress's one speaker record for this person (same e-mail), made if new."""
    if person.speaker_id:
        return person.speaker
    speaker = Speaker.objects.filter(congress=congress, email__iexact=person.email).first()
    if speaker is None:
        code = new_code()
        while Speaker.objects.filter(congress=congress, code=code).exists():
            code = new_code()
        speaker = Speaker(congress=congress, code=code)
    from .cfp_links import _copy_to_speaker

    _copy_to_speaker(person, speaker)
    person.speaker = speaker
    person.save(update_fields=["speaker"])
    for gap in person.unavailabilities.all():
        SpeakerUnavailability.objects.get_or_create(
            speaker=speaker,
            starts_at=gap.starts_at,
            ends_at=gap.ends_at,
            defaults={"note": gap.note},
        )
    return speaker


def _add_speakers(session: Session, proposal: Proposal) -> None:
    position = session.roles.count()
    for person in proposal.people.exclude(status=InvitationStatus.DECLINED):
        speaker = _speaker_for(person, session.congress)
        _, made = SessionSpeaker.objects.get_or_create(
            session=session, speaker=speaker, defaults={"role": person.role, "position": position}
        )
        position += made


def _draft_session(proposal: Proposal, decision: ProposalDecision, by) -> Session:
    congress = proposal.call.congress
    proposal_type = proposal.proposal_type
    minutes = proposal_type.default_minutes if proposal_type else 60
    start = dt.datetime.combine(
        congress.start_date, dt.time(9), zoneinfo.ZoneInfo(congress.time_zone)
    )
    code = new_code()
    while Session.objects.filter(congress=congress, code=code).exists():
        code = new_code()
    session = Session.objects.create(
        congress=congress,
        code=code,
        title=proposal.title,
        abstract=proposal.abstract,
        format=decision.format or (proposal_type.format if proposal_type else "parallel"),
        track=proposal.track,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        languages=list(proposal.languages or []),
        status=SessionStatus.DRAFT,
        unscheduled=True,
    )
    _add_speakers(session, proposal)
    audit.record(
        action="convene.agenda.session_created",
        congress=congress,
        actor=by,
        target=session,
        data={"code": session.code, "title": session.title, "proposal": proposal.code},
    )
    return session


def _voucher_for(person: ProposalPerson, call: CallForProposals, by) -> str:
    if person.voucher_id:
        return person.voucher.code
    if call.speaker_registration_type_id is None:
        return ""
    voucher = create_voucher(
        congress=call.congress,
        by=by,
        kind=VoucherKind.SET_PRICE,
        value=Decimal("0"),
        max_uses=1,
        registration_types=[call.speaker_registration_type],
        comment=_("Speaker of %(code)s") % {"code": person.proposal.code},
    )
    person.voucher = voucher
    person.save(update_fields=["voucher"])
    return voucher.code


def speaker_confirmed(*, person: ProposalPerson, by=None) -> str:
    """A speaker of an accepted proposal who confirms gets the voucher then (its code)."""
    proposal = person.proposal
    if proposal.status != ProposalStatus.ACCEPTED or person.status != InvitationStatus.CONFIRMED:
        return ""
    with transaction.atomic():
        return _voucher_for(person, proposal.call, by)


def _messages(proposal: Proposal, decision: ProposalDecision, by) -> list[dict]:
    congress = proposal.call.congress
    log = {"congress_id": congress.pk, "kind": EMAIL_KIND, "sent_by_id": getattr(by, "pk", None)}
    accepted = proposal.status == ProposalStatus.ACCEPTED
    base = {
        "title": proposal.title,
        "congress_name": congress.name,
        "outcome": decision.get_outcome_display(),
        "note": decision.note,
    }
    messages = [
        {
            "to": [proposal.proposer_email],
            "template": "agenda/emails/proposal_decision",
            "language": proposal.language,
            "log": log,
            "context": {
                **base,
                "name": proposal.proposer_name,
                "link": proposal_link(proposal),
            },
        }
    ]
    for person in proposal.people.exclude(status=InvitationStatus.DECLINED):
        if person.email.lower() == proposal.proposer_email.lower() and not accepted:
            continue
        confirmed = person.status == InvitationStatus.CONFIRMED
        voucher = _voucher_for(person, proposal.call, by) if accepted and confirmed else ""
        messages.append(
            {
                "to": [person.email],
                "template": "agenda/emails/proposal_decision",
                "language": person.language or proposal.language,
                "log": log,
                "context": {
                    **base,
                    "name": person.name,
                    "voucher_code": voucher,
                    "unconfirmed": accepted and not confirmed,
                    "link": person_link(person),
                },
            }
        )
    return messages


def remind_unconfirmed(*, call: CallForProposals, by) -> int:
    """Remind each person of an accepted proposal who has not confirmed (once a day at most)."""
    at = timezone.now()
    people = list(
        ProposalPerson.objects.filter(
            proposal__call=call,
            proposal__status=ProposalStatus.ACCEPTED,
            status=InvitationStatus.INVITED,
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=at - dt.timedelta(days=1)))
        .select_related("proposal")
    )
    log = {
        "congress_id": call.congress_id,
        "kind": "cfp_reminder",
        "sent_by_id": getattr(by, "pk", None),
    }
    with transaction.atomic():
        ProposalPerson.objects.filter(pk__in=[p.pk for p in people]).update(reminded_at=at)
        send_templated_emails(
            messages=[
                {
                    "to": [p.email],
                    "template": "agenda/emails/proposal_invitation",
                    "language": p.language or p.proposal.language,
                    "log": log,
                    "context": {
                        "name": p.name,
                        "role": p.get_role_display(),
                        "proposer_name": p.proposal.proposer_name,
                        "title": p.proposal.title,
                        "congress_name": call.congress.name,
                        "link": person_link(p),
                    },
                }
                for p in people
            ]
        )
        audit.record(
            action="convene.cfp.reminders_sent",
            congress=call.congress,
            actor=by,
            target=call,
            data={"people": len(people)},
        )
    return len(people)
