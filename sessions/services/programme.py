"""Editing the draft programme: sessions, speakers, tracks and rooms.

Every session write takes the congress row lock, so that two organisers cannot double-book a
room between the check and the save, then runs the scheduling rules and refuses on an error.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress, Room, Venue
from events_site.congresses.ordering import move_in_order

from ..enums import SessionStatus, SpeakerRole
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Session, SessionSpeaker, Speaker, Tag, Track, new_code
from .personal import lock_session, promote_waiting
from .scheduling import Conflict, check_session, congress_conflicts

# A session's editable fields, in the order forms show them: the organiser form, the admin
# form and the API serializer read this one list.
SESSION_FIELDS = (
    "title",
    "abstract",
    "format",
    "status",
    "track",
    "room",
    "starts_at",
    "ends_at",
    "languages",
    "interpretation_languages",
    "captioning",
    "recording_allowed",
    "capacity",
    "expected_attendance",
    "attendance_scanning",
    "tags",
)
# Written beside them by the API (and the form, where it offers the inputs): the other
# languages' titles and abstracts (``Translatable``).
SESSION_WRITE_FIELDS = (*SESSION_FIELDS, "translations")
SPEAKER_FIELDS = frozenset(
    {
        "name",
        "title",
        "organisation",
        "city",
        "country",
        "bio",
        "photo",
        "delegate",
        "recording_allowed",
    }
)
TRACK_FIELDS = frozenset({"name", "slug", "colour", "description", "position", "translations"})
# What an organiser's track form edits (its fingerprint refuses a save over another's edit).
TRACK_EDIT_FIELDS = ("name", "slug", "colour", "description", "translations")
ROOM_FIELDS = frozenset(
    {
        "name",
        "floor",
        "building",
        "capacity",
        "accessibility_notes",
        "opens_at",
        "closes_at",
        "position",
    }
)

SpeakerAssignment = tuple[Speaker, str]


@dataclass
class SavedSession:
    session: Session
    warnings: list[Conflict] = field(default_factory=list)


def _lock_congress(congress: Congress) -> None:
    """Serialise programme edits of one congress (row lock on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers)."""
    Congress.objects.select_for_update().filter(pk=congress.pk).values_list("pk").first()


def _unique_code(model, congress: Congress) -> str:
    for _attempt in range(20):
        code = new_code()
        if not model.objects.filter(congress=congress, code=code).exists():
            return code
    raise InvalidProgrammeData(_("Could not find a free code; try again."))


def _reject_unknown(fields: dict, allowed: Collection[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _full_clean(instance, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        raise InvalidProgrammeData(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from exc


def _check_belongs(congress: Congress, session: Session, speakers: list[SpeakerAssignment]):
    if session.track_id and session.track.congress_id != congress.pk:
        raise InvalidProgrammeData(_("That track belongs to another congress."))
    if session.room_id and session.room.venue.congress_id != congress.pk:
        raise InvalidProgrammeData(_("That room belongs to another congress."))
    for speaker, role in speakers:
        if speaker.congress_id != congress.pk:
            raise InvalidProgrammeData(_("That speaker belongs to another congress."))
        if role not in SpeakerRole.values:
            raise InvalidProgrammeData(_("Unknown speaker role: %(role)s.") % {"role": role})
    languages = set(congress.languages) | {code for code, _n in _all_languages()}
    for code in [*(session.languages or []), *(session.interpretation_languages or [])]:
        if not isinstance(code, str) or code not in languages:
            raise InvalidProgrammeData(_("Unknown language code: %(code)s.") % {"code": code})


def _check_tags(congress: Congress, tags: Sequence[Tag] | None) -> list[Tag] | None:
    if tags is None:
        return None
    tags = list(tags)
    if not all(isinstance(t, Tag) and t.congress_id == congress.pk for t in tags):
        raise InvalidProgrammeData(_("That tag belongs to another congress."))
    return tags


def _all_languages():
    return global_settings.LANGUAGES


def _save_speakers(session: Session, speakers: list[SpeakerAssignment]) -> None:
    SessionSpeaker.objects.filter(session=session).delete()
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=session, speaker=speaker, role=role, position=n)
        for n, (speaker, role) in enumerate(speakers)
    )


def _dedupe(speakers: Sequence[SpeakerAssignment] | None) -> list[SpeakerAssignment] | None:
    if speakers is None:
        return None
    seen: dict[int, SpeakerAssignment] = {}
    for speaker, role in speakers:
        seen.setdefault(speaker.pk, (speaker, str(role)))
    return list(seen.values())


def _validate_and_save(
    session: Session,
    *,
    speakers: list[SpeakerAssignment] | None,
    tags: Sequence[Tag] | None = None,
    force: bool = False,
) -> list[Conflict]:
    """Check and save; ``speakers`` and ``tags`` of ``None`` are left as they are."""
    _full_clean(session, exclude=["congress", "code", "speakers", "tags"])
    _check_belongs(session.congress, session, speakers or [])
    tags = _check_tags(session.congress, tags)
    speaker_ids = [s.pk for s, _r in speakers] if speakers is not None else None
    conflicts = check_session(session, speaker_ids=speaker_ids)
    errors = [c for c in conflicts if c.is_error]
    if errors and not force:
        raise ScheduleConflict(errors)
    session.save()
    if speakers is not None:
        _save_speakers(session, speakers)
    if tags is not None:
        session.tags.set(tags)
    return [c for c in conflicts if not c.is_error]


def create_session(
    *,
    congress: Congress,
    by,
    speakers: Sequence[SpeakerAssignment] | None = None,
    **fields: Any,
) -> SavedSession:
    """Add a session to the draft, refusing it (``ScheduleConflict``) if it breaks a rule."""
    _reject_unknown(fields, SESSION_WRITE_FIELDS)
    speakers = _dedupe(speakers) or []
    tags = fields.pop("tags", None) or []
    with transaction.atomic():
        _lock_congress(congress)
        session = Session(congress=congress, code=_unique_code(Session, congress), **fields)
        warnings = _validate_and_save(session, speakers=speakers, tags=tags)
        audit.record(
            action="convene.agenda.session_created",
            congress=congress,
            actor=by,
            target=session,
            data={"code": session.code, "title": session.title},
        )
    return SavedSession(session, warnings)


def update_session(
    *,
    session: Session,
    by,
    speakers: Sequence[SpeakerAssignment] | None = None,
    **fields: Any,
) -> SavedSession:
    """Change a draft session (``speakers=None`` leaves its speakers alone)."""
    _reject_unknown(fields, SESSION_WRITE_FIELDS)
    speakers = _dedupe(speakers)
    tags = fields.pop("tags", None)
    congress = session.congress
    with transaction.atomic():
        _lock_congress(congress)
        current = Session.objects.select_for_update().get(pk=session.pk)
        current.congress = congress
        before = {name: getattr(current, name) for name in fields}
        tags_before = set(current.tags.values_list("pk", flat=True)) if tags is not None else None
        for name, value in fields.items():
            setattr(current, name, value)
        warnings = _validate_and_save(current, speakers=speakers, tags=tags)
        changed = [k for k in fields if before[k] != fields[k]]
        if tags is not None and tags_before != {t.pk for t in tags}:
            changed.append("tags")
        if (current.capacity or 0) > (before.get("capacity", current.capacity) or 0):
            promote_waiting(lock_session(current))  # more seats: the waiting list moves up
        audit.record(
            action="convene.agenda.session_changed",
            congress=congress,
            actor=by,
            target=current,
            data={
                "code": current.code,
                "fields": sorted(changed),
                "speakers_changed": speakers is not None,
            },
        )
    for name in [*fields, "updated_at"]:
        setattr(session, name, getattr(current, name))
    return SavedSession(current, warnings)


def cancel_session(*, session: Session, by) -> Session:
    """Mark a session cancelled. It stays in the programme (shown as cancelled once published)
    and its code is never reused."""
    with transaction.atomic():
        _lock_congress(session.congress)
        updated = (
            Session.objects.filter(pk=session.pk)
            .exclude(status=SessionStatus.CANCELLED)
            .update(status=SessionStatus.CANCELLED)
        )
        if updated:
            audit.record(
                action="convene.agenda.session_cancelled",
                congress=session.congress,
                actor=by,
                target=session,
                data={"code": session.code},
            )
    session.status = SessionStatus.CANCELLED
    return session


# --- speakers -------------------------------------------------------------------------------


def create_speaker(*, congress: Congress, by, **fields: Any) -> Speaker:
    _reject_unknown(fields, SPEAKER_FIELDS)
    with transaction.atomic():
        speaker = Speaker(congress=congress, code=_unique_code(Speaker, congress), **fields)
        _full_clean(speaker, exclude=["congress", "code"])
        if speaker.delegate_id and speaker.delegate.congress.pk != congress.pk:
            raise InvalidProgrammeData(_("That delegate is registered for another congress."))
        speaker.save()
        audit.record(
            action="convene.agenda.speaker_created",
            congress=congress,
            actor=by,
            target=speaker,
            data={"code": speaker.code},
        )
    return speaker


def update_speaker(*, speaker: Speaker, by, **fields: Any) -> Speaker:
    _reject_unknown(fields, SPEAKER_FIELDS)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(speaker, name, value)
        _full_clean(speaker, exclude=["congress", "code"])
        speaker.save()
        audit.record(
            action="convene.agenda.speaker_changed",
            congress=speaker.congress,
            actor=by,
            target=speaker,
            data={"code": speaker.code, "fields": sorted(fields)},
        )
    return speaker


# --- tracks ---------------------------------------------------------------------------------


def create_track(*, congress: Congress, by, **fields: Any) -> Track:
    _reject_unknown(fields, TRACK_FIELDS)
    try:
        with transaction.atomic():
            track = Track(congress=congress, **fields)
            _full_clean(track, exclude=["congress"])
            track.save()
            audit.record(
                action="convene.agenda.track_created",
                congress=congress,
                actor=by,
                target=track,
                data={"slug": track.slug},
            )
    except IntegrityError as exc:
        raise InvalidProgrammeData(_("A track with that slug already exists.")) from exc
    return track


def update_track(*, track: Track, by, shown_fingerprint: str | None = None, **fields: Any) -> Track:
    """Change a track; refused when someone else changed it since the form was shown."""
    _reject_unknown(fields, TRACK_FIELDS)
    try:
        with transaction.atomic():
            current = Track.objects.select_for_update().get(pk=track.pk)
            refuse_if_changed(current, TRACK_EDIT_FIELDS, shown_fingerprint)
            for name, value in fields.items():
                setattr(current, name, value)
            _full_clean(current, exclude=["congress"])
            current.save()
            audit.record(
                action="convene.agenda.track_changed",
                congress=current.congress,
                actor=by,
                target=current,
                data={"slug": current.slug, "fields": sorted(fields)},
            )
    except IntegrityError as exc:
        raise InvalidProgrammeData(_("A track with that slug already exists.")) from exc
    return current


def delete_track(*, track: Track, by) -> None:
    """Delete a track no session belongs to (sessions keep their track: PROTECT)."""
    with transaction.atomic():
        current = Track.objects.select_for_update().get(pk=track.pk)
        audit.record(
            action="convene.agenda.track_deleted",
            congress=current.congress,
            actor=by,
            target=current,
            data={"slug": current.slug},
        )
        try:
            current.delete()
        except ProtectedError as exc:
            n = len(exc.protected_objects)
            raise InvalidProgrammeData(
                ngettext(
                    "%(n)s session belongs to this track: give it another track first.",
                    "%(n)s sessions belong to this track: give them another track first.",
                    n,
                )
                % {"n": n}
            ) from exc


def move_track(*, track: Track, by, offset: int) -> None:
    """Move a track up (-1) or down (+1) in the congress's order (positions renumbered)."""
    with transaction.atomic():
        siblings = Track.objects.filter(congress_id=track.congress_id)
        tracks = move_in_order(siblings.order_by("position", "name", "pk"), track, offset=offset)
        if tracks is None:
            return
        audit.record(
            action="convene.agenda.track_moved",
            congress=track.congress,
            actor=by,
            target=track,
            data={"order": [candidate.slug for candidate in tracks]},
        )


# --- rooms ----------------------------------------------------------------------------------


def save_room(
    *, congress: Congress, by, venue: Venue, room: Room | None = None, **fields: Any
) -> tuple[Room, list[Conflict]]:
    """Create or change a room of one of the congress's venues. Returns the room and the
    conflicts its new size or hours cause among existing sessions (reported, not refused)."""
    _reject_unknown(fields, ROOM_FIELDS)
    if venue.congress_id != congress.pk or (room is not None and room.venue_id != venue.pk):
        raise InvalidProgrammeData(_("That venue belongs to another congress."))
    try:
        with transaction.atomic():
            _lock_congress(congress)
            room = room or Room(venue=venue)
            for name, value in fields.items():
                setattr(room, name, value)
            _full_clean(room, exclude=["venue"])
            room.save()
            audit.record(
                action="convene.agenda.room_saved",
                congress=congress,
                actor=by,
                target=room,
                data={"name": room.name, "fields": sorted(fields)},
            )
    except IntegrityError as exc:
        raise InvalidProgrammeData(_("A room with that name already exists there.")) from exc
    affected = [c for c in congress_conflicts(congress) if c.other == room.name]
    return room, affected
