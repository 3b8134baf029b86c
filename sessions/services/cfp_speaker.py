"""What a person on a proposal states through their own secret link besides their profile:
the times during the congress they cannot speak. Each statement is kept on the person
(``ProposalPersonUnavailability``); once the proposal is accepted it is also the speaker's
(``SpeakerUnavailability``), the rows the scheduling rules and the timetable editor read; a
speaker's row is matched to the statement by its times."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from events_site.congresses import audit, text

from ..enums import InvitationStatus, ProposalStatus
from ..errors import ProposalRefused
from ..models import ProposalPerson, ProposalPersonUnavailability, SpeakerUnavailability
from .availability import MAX_NOTE

MAX_GAPS = 30  # per person: enough for every half-day of a long congress
CLOSED = (ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED)


def congress_bounds(congress) -> tuple[dt.datetime, dt.datetime]:
    """The congress as an interval of instants: its first day's midnight to the midnight after
    its last day, in its own zone."""
    tz = congress.tz
    start = dt.datetime.combine(congress.start_date, dt.time(0), tz)
    end = dt.datetime.combine(congress.end_date + dt.timedelta(days=1), dt.time(0), tz)
    return start, end


def _check(person: ProposalPerson, starts_at: dt.datetime, ends_at: dt.datetime, note: str):
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("aware datetimes only")
    if person.status == InvitationStatus.DECLINED or person.proposal.status in CLOSED:
        raise ProposalRefused(_("This proposal is closed."))
    if ends_at <= starts_at:
        raise ProposalRefused(
            _("The end of an unavailable time must be after its start."), field="ends_at"
        )
    first, last = congress_bounds(person.proposal.call.congress)
    if starts_at < first or ends_at > last:
        raise ProposalRefused(
            _("Give a time during the congress, from its first day to its last."),
            field="starts_at" if starts_at < first or starts_at >= last else "ends_at",
        )
    if len(note) > MAX_NOTE:
        raise ProposalRefused(_("The note is too long."), field="note")
    characters = text.refused_characters_in(note)
    if characters:
        raise ProposalRefused(text.refusal_message(_("Note"), characters), field="note")


def add_person_unavailability(
    *, person: ProposalPerson, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""
) -> ProposalPersonUnavailability:
    """Record, from the person's own link, that they cannot speak from ``starts_at`` to
    ``ends_at`` (aware, within the congress); the speaker of an accepted proposal follows."""
    note = (note or "").strip()
    with transaction.atomic():
        current = (
            ProposalPerson.objects.select_for_update(of=("self",))
            .select_related("proposal__call__congress", "speaker")
            .get(pk=person.pk)
        )
        _check(current, starts_at, ends_at, note)
        gaps = current.unavailabilities.all()
        if gaps.count() >= MAX_GAPS:
            raise ProposalRefused(
                _("You have given as many unavailable times as can be kept. Remove one first.")
            )
        if gaps.filter(starts_at=starts_at, ends_at=ends_at).exists():
            raise ProposalRefused(_("You have already given this time."), field="starts_at")
        gap = ProposalPersonUnavailability.objects.create(
            person=current, starts_at=starts_at, ends_at=ends_at, note=note
        )
        if current.speaker_id:
            SpeakerUnavailability.objects.get_or_create(
                speaker=current.speaker,
                starts_at=starts_at,
                ends_at=ends_at,
                defaults={"note": note},
            )
        audit.record(
            action="convene.cfp.unavailability_added",
            congress=current.proposal.call.congress,
            actor_label="speaker",
            target=current,
            data={
                "proposal": current.proposal.code,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
    return gap


def remove_person_unavailability(*, gap: ProposalPersonUnavailability) -> None:
    """Take back a time the person gave; the speaker's copy goes too unless another of the same
    person's proposals still states it."""
    with transaction.atomic():
        person = (
            ProposalPerson.objects.select_for_update(of=("self",))
            .select_related("proposal__call__congress")
            .get(pk=gap.person_id)
        )
        if person.proposal.status in CLOSED:
            raise ProposalRefused(_("This proposal is closed."))
        gap = ProposalPersonUnavailability.objects.filter(pk=gap.pk, person=person).first()
        if gap is None:
            return
        if person.speaker_id:
            still_stated = (
                ProposalPersonUnavailability.objects.filter(
                    person__speaker_id=person.speaker_id,
                    starts_at=gap.starts_at,
                    ends_at=gap.ends_at,
                )
                .exclude(pk=gap.pk)
                .exists()
            )
            if not still_stated:
                SpeakerUnavailability.objects.filter(
                    speaker_id=person.speaker_id, starts_at=gap.starts_at, ends_at=gap.ends_at
                ).delete()
        audit.record(
            action="convene.cfp.unavailability_removed",
            congress=person.proposal.call.congress,
            actor_label="speaker",
            target=person,
            data={"proposal": person.proposal.code, "starts_at": gap.starts_at.isoformat()},
        )
        gap.delete()
