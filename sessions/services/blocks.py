"""The ordered contributions of a session block (as Indico's contributions): each a short talk
with its own speakers and minutes, in the block's order; together they fit inside the block."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.ordering import move_in_order

from ..enums import BLOCK_FORMATS
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Contribution, Session, Speaker, new_code
from . import scheduling
from .programme import _full_clean, _lock_congress

CONTRIBUTION_FIELDS = frozenset({"title", "abstract", "minutes", "speakers"})


def session_minutes(session: Session) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def _guard(session: Session, speakers: Sequence[Speaker] | None) -> list[Speaker] | None:
    if session.format not in BLOCK_FORMATS:
        raise InvalidProgrammeData(
            _("A session of this format holds no contributions: make it a block format first.")
        )
    if speakers is None:
        return None
    speakers = list(speakers)
    if any(sp.congress_id != session.congress_id for sp in speakers):
        raise InvalidProgrammeData(_("That speaker belongs to another congress."))
    return speakers


def _refuse_overlong(session: Session) -> None:
    total = session.contributions.aggregate(total=Sum("minutes"))["total"] or 0
    length = session_minutes(session)
    if total > length:
        raise InvalidProgrammeData(
            _(
                "The contributions would last %(minutes)s minutes but the session lasts "
                "%(length)s: shorten them or lengthen the session."
            )
            % {"minutes": total, "length": length}
        )


def _refuse_speakers_elsewhere(session: Session, speakers: Sequence[Speaker]) -> None:
    """A contribution's speakers are booked for the whole block: refused when one of them is in
    another session then, or cannot speak then."""
    errors = scheduling.speaker_conflicts(session, [sp.pk for sp in speakers])
    if errors:
        raise ScheduleConflict(errors)


def _new_code(session: Session) -> str:
    taken = set(session.contributions.values_list("code", flat=True))
    for _attempt in range(20):
        code = new_code()
        if code not in taken:
            return code
    raise InvalidProgrammeData(_("Could not find a free code; try again."))


def _lock(session: Session) -> Session:
    _lock_congress(session.congress)
    current = Session.objects.select_for_update().get(pk=session.pk)
    current.congress = session.congress
    return current


def add_contribution(
    *, session: Session, by, speakers: Sequence[Speaker] = (), **fields: Any
) -> Contribution:
    """Add a contribution at the end of the block; refused when the block's contributions would
    no longer fit inside it."""
    _reject(fields)
    with transaction.atomic():
        current = _lock(session)
        people = _guard(current, speakers) or []
        _refuse_speakers_elsewhere(current, people)
        last = current.contributions.aggregate(last=Max("position"))["last"]
        contribution = Contribution(
            session=current,
            code=_new_code(current),
            position=0 if last is None else last + 1,
            **fields,
        )
        _full_clean(contribution, exclude=["session", "code", "speakers"])
        contribution.save()
        contribution.speakers.set(people)
        _refuse_overlong(current)
        audit.record(
            action="convene.agenda.contribution_added",
            congress=current.congress,
            actor=by,
            target=current,
            data={"session": current.code, "contribution": contribution.code},
        )
    return contribution


def update_contribution(
    *, contribution: Contribution, by, speakers: Sequence[Speaker] | None = None, **fields: Any
) -> Contribution:
    _reject(fields)
    with transaction.atomic():
        current_session = _lock(contribution.session)
        people = _guard(current_session, speakers)
        if people:
            _refuse_speakers_elsewhere(current_session, people)
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        for name, value in fields.items():
            setattr(current, name, value)
        _full_clean(current, exclude=["session", "code", "speakers"])
        current.save()
        if people is not None:
            current.speakers.set(people)
        _refuse_overlong(current_session)
        audit.record(
            action="convene.agenda.contribution_changed",
            congress=current_session.congress,
            actor=by,
            target=current_session,
            data={
                "session": current_session.code,
                "contribution": current.code,
                "fields": sorted([*fields, *(["speakers"] if people is not None else [])]),
            },
        )
    return current


def delete_contribution(*, contribution: Contribution, by) -> None:
    with transaction.atomic():
        session = _lock(contribution.session)
        audit.record(
            action="convene.agenda.contribution_deleted",
            congress=session.congress,
            actor=by,
            target=session,
            data={"session": session.code, "contribution": contribution.code},
        )
        Contribution.objects.filter(pk=contribution.pk).delete()


def move_contribution(*, contribution: Contribution, by, offset: int) -> None:
    """Move a contribution earlier (-1) or later (+1) in its block."""
    with transaction.atomic():
        session = _lock(contribution.session)
        rows = move_in_order(
            session.contributions.order_by("position", "id"), contribution, offset=offset
        )
        if rows is None:
            return
        audit.record(
            action="convene.agenda.contribution_moved",
            congress=session.congress,
            actor=by,
            target=session,
            data={"session": session.code, "order": [c.code for c in rows]},
        )


def contribution_times(
    starts_at: dt.datetime, minutes: Sequence[int]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Each contribution's start and end, one after the other from the block's start."""
    times, moment = [], starts_at
    for length in minutes:
        end = moment + dt.timedelta(minutes=length)
        times.append((moment, end))
        moment = end
    return times


def _reject(fields: dict) -> None:
    unknown = set(fields) - CONTRIBUTION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
