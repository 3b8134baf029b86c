"""Proposing to a call without an account: drafts, submission, withdrawal, the people on a
proposal and their invitations, access codes, and the balance indicators.

A proposal is edited through its secret link until its deadline (or while an active review
phase lets proposers edit); its people (co-speakers) lock at the deadline whatever the phase.
Every person named on a submitted proposal is invited by e-mail to confirm through their own
secret link and to complete their own profile there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.mail import send_templated_email
from registrations.models import MemberOrganisation
from registrations.models.vouchers import normalise_organisation_name
from registrations.regions import region_of

from ..enums import InvitationStatus, ProposalStatus, QuestionKind, QuestionTarget, SpeakerRole
from ..errors import ProposalIncomplete, ProposalRefused
from ..models import (
    AccessCode,
    CallForProposals,
    CfpQuestion,
    Proposal,
    ProposalPerson,
    ProposalType,
    Track,
    new_code,
)
from .cfp_links import _copy_to_speaker, absolute, person_link, proposal_link  # noqa: F401

PROPOSAL_FIELDS = (
    "title",
    "abstract",
    "proposal_type",
    "track",
    "languages",
    "organisation",
    "organisation_country",
    "co_organisers",
    "proposer_name",
    "proposer_email",
    "language",
)
PERSON_FIELDS = ("role", "name", "email", "language")
PROFILE_FIELDS = (
    "organisation",
    "city",
    "country",
    "gender",
    "first_time",
    "bio",
    "pronunciation",
    "links",
    "spoken_languages",
    "recording_consent",
    "travel_needs",
)
EDITABLE_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)


def now() -> dt.datetime:
    return timezone.now()


# --- the call's dates --------------------------------------------------------------------


def call_is_open(call: CallForProposals, at: dt.datetime | None = None) -> bool:
    at = at or now()
    return call.opens_at <= at < call.deadline


def type_is_open(proposal_type: ProposalType, at: dt.datetime | None = None) -> bool:
    at = at or now()
    return proposal_type.call.opens_at <= at < proposal_type.effective_deadline


def open_calls(congress) -> list[CallForProposals]:
    at = now()
    return list(
        CallForProposals.objects.filter(congress=congress, opens_at__lte=at).order_by(
            "deadline", "pk"
        )
    )


def active_phase(call: CallForProposals):
    return call.review_phases.filter(is_active=True).first()


def proposer_may_edit(proposal: Proposal, at: dt.datetime | None = None) -> bool:
    """Before its deadline, or while the active review phase still lets proposers edit."""
    at = at or now()
    if proposal.status not in EDITABLE_STATUSES:
        return False
    if at < proposal.deadline:
        return True
    phase = active_phase(proposal.call)
    return bool(phase and phase.proposers_may_edit)


def people_locked(proposal: Proposal, at: dt.datetime | None = None) -> bool:
    """Co-speakers lock at the deadline (a review phase never reopens them)."""
    return (at or now()) >= proposal.deadline or proposal.status not in EDITABLE_STATUSES


# --- access codes ------------------------------------------------------------------------


def find_access_code(
    call: CallForProposals, text: str, at: dt.datetime | None = None
) -> AccessCode:
    """The active, unexpired, not used-up code of ``call`` typed as ``text`` (any case)."""
    at = at or now()
    code = (text or "").strip().upper()
    found = (
        AccessCode.objects.filter(call=call, code=code, is_active=True).first()
        if 0 < len(code) <= 40 and "\x00" not in code  # PostgreSQL refuses a NUL in a query
        else None
    )
    if found is None:
        raise ProposalRefused(
            _("This access code is not valid for this call."), field="access_code"
        )
    if found.valid_until is not None and found.valid_until <= at:
        raise ProposalRefused(_("This access code has expired."), field="access_code")
    if found.uses >= found.max_uses:
        raise ProposalRefused(_("This access code has been used up."), field="access_code")
    return found


def _check_code_limits(code: AccessCode | None, *, track, proposal_type) -> None:
    if code is None:
        return
    tracks = set(code.tracks.values_list("pk", flat=True))
    if tracks and (track is None or track.pk not in tracks):
        raise ProposalRefused(_("This access code is not valid for this track."), field="track")
    types = set(code.proposal_types.values_list("pk", flat=True))
    if types and (proposal_type is None or proposal_type.pk not in types):
        raise ProposalRefused(
            _("This access code is not valid for this format."), field="proposal_type"
        )


def _may_start(call: CallForProposals, code: AccessCode | None, at: dt.datetime) -> None:
    if at < call.opens_at:
        raise ProposalRefused(_("This call is not open yet."))
    if at >= call.deadline and not (code and code.allows_late_submission):
        raise ProposalRefused(_("The deadline of this call has passed."))


# --- the proposal ------------------------------------------------------------------------


def _check_choices(call: CallForProposals, fields: dict) -> None:
    track = fields.get("track")
    if track is not None:
        allowed = set(call.tracks.values_list("pk", flat=True))
        if track.congress_id != call.congress_id or (allowed and track.pk not in allowed):
            raise ProposalRefused(_("Choose one of the call's tracks."), field="track")
    proposal_type = fields.get("proposal_type")
    if proposal_type is not None and proposal_type.call_id != call.pk:
        raise ProposalRefused(_("Choose one of the call's formats."), field="proposal_type")
    offered = set(call.congress.languages)
    unknown = [code for code in fields.get("languages") or [] if code not in offered]
    if unknown:
        raise ProposalRefused(_("Choose languages the congress offers."), field="languages")


def _member_of(call: CallForProposals, name: str) -> MemberOrganisation | None:
    key = normalise_organisation_name(name or "")
    if not key:
        return None
    return MemberOrganisation.objects.filter(congress=call.congress, normalised_name=key).first()


def _unique_proposal_code() -> str:
    for _attempt in range(20):
        code = new_code(8)
        if not Proposal.objects.filter(code=code).exists():
            return code
    raise ProposalRefused(_("Could not find a free code; try again."))


def start_proposal(
    *,
    call: CallForProposals,
    access_code: str = "",
    answers: dict | None = None,
    **fields: Any,
) -> Proposal:
    """A new draft, from the public page: the call must be open (or the access code allow a
    late submission); an access code is counted once, here."""
    _reject_unknown(fields)
    at = now()
    with transaction.atomic():
        code = None
        if access_code:
            code = find_access_code(call, access_code, at)
            code = AccessCode.objects.select_for_update().get(pk=code.pk)
            if code.uses >= code.max_uses:
                raise ProposalRefused(_("This access code has been used up."), field="access_code")
        _may_start(call, code, at)
        _check_choices(call, fields)
        _check_code_limits(
            code, track=fields.get("track"), proposal_type=fields.get("proposal_type")
        )
        late = bool(code and code.allows_late_submission)
        if (
            fields.get("proposal_type")
            and not late
            and not type_is_open(fields["proposal_type"], at)
        ):
            raise ProposalRefused(
                _("The deadline for this format has passed."), field="proposal_type"
            )
        proposal = Proposal(call=call, code=_unique_proposal_code(), access_code=code, **fields)
        proposal.answers = _clean_answers(call, QuestionTarget.PROPOSAL, answers or {}, {}, at)
        proposal.member_organisation = _member_of(call, proposal.organisation)
        proposal.save()
        if code is not None:
            AccessCode.objects.filter(pk=code.pk).update(uses=F("uses") + 1)
        audit.record(
            action="convene.cfp.proposal_started",
            congress=call.congress,
            actor_label="proposer",
            target=proposal,
            data={"code": proposal.code, "access_code": code.code if code else ""},
        )
    return proposal


def update_proposal(*, proposal: Proposal, answers: dict | None = None, **fields: Any) -> Proposal:
    """Change a draft or submitted proposal through its secret link while it may be edited."""
    _reject_unknown(fields)
    at = now()
    call = proposal.call
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not proposer_may_edit(current, at):
            raise ProposalRefused(_("This proposal can no longer be changed."))
        _check_choices(call, fields)
        _check_code_limits(
            current.access_code,
            track=fields.get("track", current.track),
            proposal_type=fields.get("proposal_type", current.proposal_type),
        )
        for name, value in fields.items():
            setattr(current, name, value)
        if answers is not None:
            current.answers = _clean_answers(
                call, QuestionTarget.PROPOSAL, answers, current.answers, at
            )
        current.member_organisation = _member_of(call, current.organisation)
        current.save()
        if current.status == ProposalStatus.SUBMITTED:
            missing = missing_parts(current, at)
            if missing:  # a submitted proposal never becomes incomplete
                raise ProposalIncomplete(missing)
        audit.record(
            action="convene.cfp.proposal_changed",
            congress=call.congress,
            actor_label="proposer",
            target=current,
            data={"code": current.code, "fields": sorted(fields)},
        )
    return current


def _reject_unknown(fields: dict) -> None:
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def questions_for(call: CallForProposals, target: str) -> list[CfpQuestion]:
    return list(call.questions.filter(target=target))


def _clean_answers(
    call: CallForProposals, target: str, given: dict, before: dict, at: dt.datetime
) -> dict:
    """The answers to keep: only the call's questions, a locked answer kept as it was."""
    answers = dict(before)
    for question in questions_for(call, target):
        key = str(question.pk)
        if key not in given or question.is_locked(at):
            continue
        value = given[key]
        if question.kind == QuestionKind.YES_NO:
            value = value if value in (True, False) else None
        elif question.kind == QuestionKind.CHOICE:
            value = value if value in question.choices else ""
        else:
            value = str(value or "")[:5000]
        answers[key] = value
    return answers


def _refuse_unanswered(call: CallForProposals, target: str, answers: dict, at) -> None:
    """A question required by now and still open for answers must have one: refused beside
    its field. A locked question is not asked again (it could not be answered)."""
    for question in questions_for(call, target):
        if (
            question.is_required(at)
            and not question.is_locked(at)
            and answers.get(str(question.pk)) in (None, "")
        ):
            raise ProposalRefused(
                _("This question needs an answer now."), field=f"question_{question.pk}"
            )


def missing_parts(proposal: Proposal, at: dt.datetime | None = None) -> dict[str, str]:
    """Each part a submission needs and the proposal lacks, as field -> message."""
    at = at or now()
    required = _("This is needed before you submit.")
    missing: dict[str, str] = {}
    for name in ("title", "abstract", "proposal_type", "proposer_name", "proposer_email"):
        if not getattr(proposal, name):
            missing[name] = required
    if proposal.call.tracks.exists() and proposal.track_id is None:
        missing["track"] = required
    if not proposal.languages:
        missing["languages"] = _("Name at least one language of the session.")
    if proposal.call.require_member_organisation and proposal.member_organisation_id is None:
        missing["organisation"] = _(
            "The proposing organisation must be on the member list; write its name as the "
            "list has it."
        )
    people = list(proposal.people.all())
    if not any(p.role != SpeakerRole.MODERATOR for p in people):
        missing["people"] = _("Name at least one speaker.")
    for question in questions_for(proposal.call, QuestionTarget.PROPOSAL):
        if question.is_required(at) and proposal.answers.get(str(question.pk)) in (None, ""):
            missing[f"question_{question.pk}"] = required
    return missing


def submit_proposal(*, proposal: Proposal) -> Proposal:
    """Submit a complete draft (``ProposalIncomplete`` lists what is missing) and invite its
    people."""
    at = now()
    with transaction.atomic():
        proposal_row = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal_row.status != ProposalStatus.DRAFT:
            raise ProposalRefused(_("This proposal has already been submitted."))
        if at >= proposal_row.deadline:
            raise ProposalRefused(_("The deadline of this call has passed."))
        missing = missing_parts(proposal_row, at)
        if missing:
            raise ProposalIncomplete(missing)
        proposal_row.status = ProposalStatus.SUBMITTED
        proposal_row.submitted_at = at
        proposal_row.save(update_fields=["status", "submitted_at", "updated_at"])
        audit.record(
            action="convene.cfp.proposal_submitted",
            congress=proposal_row.call.congress,
            actor_label="proposer",
            target=proposal_row,
            data={"code": proposal_row.code},
        )
        _send_proposal_link(proposal_row, template="agenda/emails/proposal_submitted")
        for person in proposal_row.people.filter(invited_at__isnull=True):
            _invite(person, at)
    return proposal_row


def withdraw_proposal(*, proposal: Proposal) -> Proposal:
    with transaction.atomic():
        proposal_row = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal_row.status not in (*EDITABLE_STATUSES, ProposalStatus.WAITING_LIST):
            raise ProposalRefused(_("This proposal can no longer be withdrawn."))
        proposal_row.status = ProposalStatus.WITHDRAWN
        proposal_row.withdrawn_at = now()
        proposal_row.save(update_fields=["status", "withdrawn_at", "updated_at"])
        audit.record(
            action="convene.cfp.proposal_withdrawn",
            congress=proposal_row.call.congress,
            actor_label="proposer",
            target=proposal_row,
            data={"code": proposal_row.code},
        )
    return proposal_row


# --- people on a proposal ----------------------------------------------------------------


def add_person(*, proposal: Proposal, **fields: Any) -> ProposalPerson:
    """Name a moderator or speaker; invited at once if the proposal is already submitted."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    at = now()
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if people_locked(current, at):
            raise ProposalRefused(_("The speakers of this proposal are locked since the deadline."))
        email = fields["email"].strip().lower()
        if current.people.filter(email__iexact=email).exists():
            raise ProposalRefused(_("This person is already on the proposal."), field="email")
        if current.people.count() >= current.call.max_speakers:
            raise ProposalRefused(
                _("A proposal names at most %(n)s people.") % {"n": current.call.max_speakers}
            )
        person = ProposalPerson.objects.create(
            proposal=current,
            position=current.people.count(),
            **{**fields, "email": email},
        )
        audit.record(
            action="convene.cfp.person_added",
            congress=current.call.congress,
            actor_label="proposer",
            target=person,
            data={"proposal": current.code, "role": person.role},
        )
        if current.status == ProposalStatus.SUBMITTED:
            _invite(person, at)
    return person


def remove_person(*, person: ProposalPerson) -> None:
    proposal = person.proposal
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if people_locked(current):
            raise ProposalRefused(_("The speakers of this proposal are locked since the deadline."))
        audit.record(
            action="convene.cfp.person_removed",
            congress=current.call.congress,
            actor_label="proposer",
            target=person,
            data={"proposal": current.code},
        )
        person.delete()


def _invite(person: ProposalPerson, at: dt.datetime) -> None:
    person.invited_at = at
    person.save(update_fields=["invited_at"])
    proposal = person.proposal
    send_templated_email(
        to=[person.email],
        template="agenda/emails/proposal_invitation",
        context={
            "name": person.name,
            "role": person.get_role_display(),
            "proposer_name": proposal.proposer_name,
            "title": proposal.title,
            "congress_name": proposal.call.congress.name,
            "link": person_link(person),
        },
        language=person.language or proposal.language,
    )


def _send_proposal_link(proposal: Proposal, *, template: str) -> None:
    send_templated_email(
        to=[proposal.proposer_email],
        template=template,
        context={
            "name": proposal.proposer_name,
            "title": proposal.title,
            "code": proposal.code,
            "congress_name": proposal.call.congress.name,
            "link": proposal_link(proposal),
        },
        language=proposal.language,
    )


def answer_invitation(*, person: ProposalPerson, confirm: bool) -> ProposalPerson:
    """The person's own answer through their link; changeable until a decision is sent."""
    with transaction.atomic():
        person_row = ProposalPerson.objects.select_for_update().get(pk=person.pk)
        if person_row.proposal.status in (ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED):
            raise ProposalRefused(_("This proposal is closed."))
        person_row.status = InvitationStatus.CONFIRMED if confirm else InvitationStatus.DECLINED
        person_row.answered_at = now()
        person_row.save(update_fields=["status", "answered_at"])
        audit.record(
            action="convene.cfp.person_confirmed" if confirm else "convene.cfp.person_declined",
            congress=person_row.proposal.call.congress,
            actor_label="speaker",
            target=person_row,
            data={"proposal": person_row.proposal.code},
        )
        if confirm:
            from .cfp_decisions import speaker_confirmed

            speaker_confirmed(person=person_row)
    return person_row


def update_profile(
    *, person: ProposalPerson, answers: dict | None = None, **fields: Any
) -> ProposalPerson:
    """The person's own profile (bio, languages, consent, travel needs); the speaker record
    of an accepted proposal follows."""
    unknown = set(fields) - set(PROFILE_FIELDS) - {"photo"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    call = person.proposal.call
    offered = set(call.congress.languages) | {code for code, _name in settings.LANGUAGES}
    if any(code not in offered for code in fields.get("spoken_languages") or []):
        raise ProposalRefused(_("Choose languages from the list."), field="spoken_languages")
    if not call.collect_gender:
        fields.pop("gender", None)
    with transaction.atomic():
        current = ProposalPerson.objects.select_for_update().get(pk=person.pk)
        for name, value in fields.items():
            setattr(current, name, value)
        if answers is not None:
            current.answers = _clean_answers(
                call, QuestionTarget.SPEAKER, answers, current.answers, now()
            )
            _refuse_unanswered(call, QuestionTarget.SPEAKER, current.answers, now())
        current.save()
        if current.speaker_id:
            _copy_to_speaker(current, current.speaker)
        audit.record(
            action="convene.cfp.profile_changed",
            congress=call.congress,
            actor_label="speaker",
            target=current,
            data={"fields": sorted(fields)},
        )
    return current


# --- balance indicators --------------------------------------------------------------------


@dataclass
class Balance:
    """Who the people of some proposals are, counted: what the committee balances."""

    people: int = 0
    regions: Counter = field(default_factory=Counter)
    genders: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    members: int = 0
    non_members: int = 0
    first_time: int = 0

    def region_rows(self) -> list[tuple[str, int]]:
        from registrations.regions import area_name

        return [
            (area_name(code) if code else _("Unknown"), count)
            for code, count in self.regions.most_common()
        ]

    def language_rows(self) -> list[tuple[str, int]]:
        return self.languages.most_common()

    def gender_rows(self) -> list[tuple[str, int]]:
        from ..enums import Gender

        return [(Gender(code).label, count) for code, count in self.genders.most_common()]


def balance_of(proposals: Iterable[Proposal], people: Sequence[ProposalPerson]) -> Balance:
    """Counts over ``people`` (their proposals' member status from ``proposals``); the
    people's rows only, no query."""
    balance = Balance()
    member_proposals = {p.pk for p in proposals if p.member_organisation_id}
    for proposal in proposals:
        balance.languages.update(proposal.languages or [])
    for person in people:
        if person.status == InvitationStatus.DECLINED:
            continue
        balance.people += 1
        balance.regions[region_of(person.country) or ""] += 1
        if person.gender:
            balance.genders[person.gender] += 1
        if person.proposal_id in member_proposals:
            balance.members += 1
        else:
            balance.non_members += 1
        if person.first_time:
            balance.first_time += 1
    return balance


def call_balance(call: CallForProposals) -> Balance:
    proposals = list(call.proposals.exclude(status=ProposalStatus.WITHDRAWN))
    people = list(ProposalPerson.objects.filter(proposal__in=proposals))
    return balance_of(proposals, people)


def tracks_of(call: CallForProposals) -> list[Track]:
    tracks = list(call.tracks.all())
    return tracks or list(Track.objects.filter(congress=call.congress))
