"""A speaker's unavailable times: the scheduling rules refuse a session of theirs over one
(``check_session``), and the timetable editor shades them while such a session is dragged."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from events_site.congresses import audit

from ..errors import InvalidProgrammeData
from ..models import Speaker, SpeakerUnavailability

MAX_NOTE = 200


def add_unavailability(
    *, speaker: Speaker, by, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""
) -> SpeakerUnavailability:
    """Record that ``speaker`` cannot speak from ``starts_at`` to ``ends_at`` (aware)."""
    note = (note or "").strip()
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("aware datetimes only")
    if ends_at <= starts_at:
        raise InvalidProgrammeData(_("The end of an unavailable time must be after its start."))
    if len(note) > MAX_NOTE or any(ord(c) < 32 for c in note):
        raise InvalidProgrammeData(_("The note is too long or holds control characters."))
    with transaction.atomic():
        block = SpeakerUnavailability.objects.create(
            speaker=speaker, starts_at=starts_at, ends_at=ends_at, note=note
        )
        audit.record(
            action="convene.agenda.speaker_unavailability_added",
            congress=speaker.congress,
            actor=by,
            target=speaker,
            data={
                "code": speaker.code,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
    return block


def remove_unavailability(*, block: SpeakerUnavailability, by) -> None:
    with transaction.atomic():
        speaker = block.speaker
        audit.record(
            action="convene.agenda.speaker_unavailability_removed",
            congress=speaker.congress,
            actor=by,
            target=speaker,
            data={"code": speaker.code, "starts_at": block.starts_at.isoformat()},
        )
        block.delete()
