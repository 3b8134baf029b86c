"""Publishing: freeze the confirmed draft into a numbered ``ScheduleVersion`` with a changelog.

The snapshot is what every public page and feed reads, so editing the draft never leaks. A
session's ``sequence`` (iCalendar SEQUENCE) rises each time a published version changes it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.models import Congress, Room
from events_site.congresses.translations import main_language

from ..enums import ChangeKind, SessionStatus
from ..errors import NothingToPublish, ScheduleConflict
from ..models import Break, Contribution, ScheduleVersion, Session, SessionSpeaker, Speaker
from .change_notices import queue_change_notices
from .scheduling import congress_conflicts

SNAPSHOT_FORMAT = 1
# What a field added after a version was published reads as in that version's snapshot, so
# that the first publication after the field appeared does not call every session changed.
SNAPSHOT_DEFAULTS: dict = {"recording_allowed": True, "recording_refused_by": []}
# Fields whose change counts as "changed" (time and room have their own kinds).
CONTENT_FIELDS = (
    "title",
    "abstract",
    "format",
    "track",
    "languages",
    "interpretation_languages",
    "captioning",
    "recording_allowed",
    "recording_refused_by",
    "capacity",
    "tags",
    "speakers",
    "contributions",
    "translations",
)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _speaker_record(sp: Speaker) -> dict:
    return {
        "code": sp.code,
        "name": sp.name,
        "title": sp.title,
        "organisation": sp.organisation,
        "city": sp.city,
        "country": str(sp.country or ""),
        "bio": sp.bio,
        "photo": sp.photo.url if sp.photo else "",
    }


def _contribution_records(contributions: list[Contribution]) -> list[dict]:
    return [
        {
            "code": c.code,
            "title": c.title,
            "abstract": c.abstract,
            "minutes": c.minutes,
            "speakers": [sp.code for sp in sorted(c.speakers.all(), key=lambda sp: sp.name)],
        }
        for c in contributions
    ]


def _break_records(congress: Congress) -> list[dict]:
    """The breaks across rooms, as the public grid and the feeds show them (``rooms`` None:
    every room)."""
    breaks = Break.objects.filter(congress=congress).prefetch_related("rooms")
    return [
        {
            "code": b.code,
            "title": b.title,
            "kind": b.kind,
            "starts_at": _iso(b.starts_at),
            "ends_at": _iso(b.ends_at),
            "rooms": None if b.all_rooms else sorted(r.pk for r in b.rooms.all()),
        }
        for b in breaks.order_by("starts_at", "code")
    ]


def _session_record(session: Session, roles: list[SessionSpeaker]) -> dict:
    record = _plain_session_record(session, roles)
    contributions = list(session.contributions.all())
    if contributions:  # only blocks carry the key, so older snapshots compare equal
        record["contributions"] = _contribution_records(contributions)
    refused = {r.speaker.code for r in roles if not r.speaker.recording_allowed} | {
        sp.code for c in contributions for sp in c.speakers.all() if not sp.recording_allowed
    }
    if refused:  # only then, so older snapshots compare equal (SNAPSHOT_DEFAULTS)
        record["recording_refused_by"] = sorted(refused)
    return record


def _plain_session_record(session: Session, roles: list[SessionSpeaker]) -> dict:
    record = {
        "code": session.code,
        "title": session.title,
        "abstract": session.abstract,
        "format": session.format,
        "track": session.track.slug if session.track_id else None,
        "room": session.room_id,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "languages": list(session.languages or []),
        "interpretation_languages": list(session.interpretation_languages or []),
        "captioning": session.captioning,
        "recording_allowed": session.recording_allowed,
        "capacity": session.capacity,
        "status": session.status,
        "tags": sorted((t.name for t in session.tags.all()), key=str.casefold),
        "speakers": [{"code": r.speaker.code, "role": r.role} for r in roles],
    }
    if (
        session.translations
    ):  # only translated sessions carry the key: older snapshots compare equal
        record["translations"] = session.translations
    return record


def build_snapshot(congress: Congress, *, previous: dict | None = None) -> dict:
    """The confirmed programme as JSON, plus every session published before that is no longer
    confirmed: cancelled ones as they are, and ones put back to draft ("withdrawn") as they were
    last published, marked cancelled, so that subscribers' calendars drop them (a calendar
    client keeps an event that merely vanishes from a feed) and no draft edit leaks."""
    published = {s["code"]: s for s in (previous or {}).get("sessions", [])}
    sessions = list(
        Session.objects.filter(congress=congress)
        .select_related("track")
        .prefetch_related("tags", "contributions__speakers")
        .order_by("starts_at", "code")
    )
    withdrawn = [
        published[s.code]
        for s in sessions
        if (
            s.status == SessionStatus.DRAFT
            or (s.unscheduled and s.status != SessionStatus.CANCELLED)
        )
        and s.code in published
    ]
    sessions = [
        s
        for s in sessions
        if (s.status == SessionStatus.CONFIRMED and not s.unscheduled)
        or (s.status == SessionStatus.CANCELLED and s.code in published)
    ]
    roles_by_session: dict[int, list[SessionSpeaker]] = {}
    speakers: dict[str, dict] = {}
    roles = SessionSpeaker.objects.filter(session__in=[s.pk for s in sessions]).select_related(
        "speaker"
    )
    for role in roles.order_by("position", "id"):
        roles_by_session.setdefault(role.session_id, []).append(role)
        speakers.setdefault(role.speaker.code, _speaker_record(role.speaker))
    for session in sessions:
        for contribution in session.contributions.all():
            for sp in contribution.speakers.all():
                speakers.setdefault(sp.code, _speaker_record(sp))
    previous_speakers = (previous or {}).get("speakers", {})
    for record in withdrawn:
        for appearance in record["speakers"]:
            if appearance["code"] in previous_speakers:
                speakers.setdefault(appearance["code"], previous_speakers[appearance["code"]])
    records = [_session_record(s, roles_by_session.get(s.pk, [])) for s in sessions]
    records.extend(_withdrawn_record(record) for record in withdrawn)
    records.sort(key=lambda r: (r["starts_at"], r["code"]))
    rooms = Room.objects.filter(venue__congress=congress).select_related("venue")
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "congress": {
            "slug": congress.slug,
            "name": congress.name,
            "time_zone": congress.time_zone,
            "main_language": main_language(congress),
            "start_date": congress.start_date.isoformat(),
            "end_date": congress.end_date.isoformat(),
        },
        "tracks": [
            {
                "slug": t.slug,
                "name": t.name,
                "colour": t.colour,
                **({"translations": t.translations} if t.translations else {}),
            }
            for t in congress.tracks.order_by("position", "name")
        ],
        "rooms": [
            {
                "id": r.pk,
                "name": r.name,
                "venue": r.venue.name,
                "floor": r.floor,
                "building": r.building,
                "accessibility_notes": r.accessibility_notes,
                "capacity": r.capacity,
                "position": r.position,
            }
            for r in rooms.order_by("position", "name")
        ],
        "speakers": dict(sorted(speakers.items(), key=lambda kv: kv[1]["name"].casefold())),
        "sessions": records,
    }
    breaks = _break_records(congress)
    if breaks or (previous or {}).get("breaks"):
        snapshot["breaks"] = breaks
    return snapshot


def _withdrawn_record(published: dict) -> dict:
    """A session back in draft, as it was last published and cancelled (once withdrawn, it
    stays so: the same record is carried into later versions)."""
    record = {k: v for k, v in published.items() if k not in ("sequence", "last_modified")}
    if record["status"] != SessionStatus.CANCELLED:
        record["status"] = SessionStatus.CANCELLED
        record["withdrawn"] = True
    return record


def _entry(kind: str, record: dict, **extra) -> dict:
    return {"kind": kind, "code": record["code"], "title": record["title"], **extra}


def _shown_names(snapshot: dict | None) -> tuple[dict, dict, dict]:
    """What feeds and pages show of tracks, rooms and speakers, by slug, id and code."""
    snapshot = snapshot or {}
    tracks = {t["slug"]: t["name"] for t in snapshot.get("tracks", [])}
    rooms = {r["id"]: (r["name"], r.get("venue", "")) for r in snapshot.get("rooms", [])}
    speakers = {
        code: (sp["name"], sp.get("title", ""), sp.get("organisation", ""))
        for code, sp in snapshot.get("speakers", {}).items()
    }
    return tracks, rooms, speakers


def _renamed(previous: dict | None, current: dict) -> list[dict]:
    """A changelog entry for every track, room and speaker whose name changed."""
    if previous is None:
        return []

    def names(snapshot: dict) -> tuple[dict, dict, dict]:
        return (
            {t["slug"]: t["name"] for t in snapshot.get("tracks", [])},
            {r["id"]: r["name"] for r in snapshot.get("rooms", [])},
            {code: sp["name"] for code, sp in snapshot.get("speakers", {}).items()},
        )

    entries = []
    for what, old, new in zip(
        ("track", "room", "speaker"), names(previous), names(current), strict=True
    ):
        for key, before in old.items():
            after = new.get(key)
            if after is not None and after != before:
                entries.append(
                    {
                        "kind": ChangeKind.RENAMED,
                        "what": what,
                        "code": str(key),
                        "title": after,
                        "from": before,
                        "to": after,
                    }
                )
    return entries


def diff_snapshots(previous: dict | None, current: dict, *, now: dt.datetime) -> list[dict]:
    """The changelog from ``previous`` to ``current``; also sets each current session's
    ``sequence`` and ``last_modified`` (carried over when the session did not change). A session
    changes when what its events show changes, a renamed track, room or speaker included."""
    old = {s["code"]: s for s in (previous or {}).get("sessions", [])}
    room_names = {r["id"]: r["name"] for r in current["rooms"]}
    room_names.update({r["id"]: r["name"] for r in (previous or {}).get("rooms", [])})
    old_tracks, old_rooms, old_speakers = _shown_names(previous)
    new_tracks, new_rooms, new_speakers = _shown_names(current)
    changes: list[dict] = []
    stamp = _iso(now)
    for record in current["sessions"]:
        before = old.pop(record["code"], None)
        if before is None:
            record["sequence"], record["last_modified"] = 0, stamp
            changes.append(_entry(ChangeKind.ADDED, record, starts_at=record["starts_at"]))
            continue
        kinds = []
        if record.get("withdrawn") and not before.get("withdrawn"):
            kinds.append(_entry(ChangeKind.REMOVED, record))
        elif record["status"] == SessionStatus.CANCELLED and before["status"] != record["status"]:
            kinds.append(_entry(ChangeKind.CANCELLED, record))
        if (before["starts_at"], before["ends_at"]) != (record["starts_at"], record["ends_at"]):
            kinds.append(
                _entry(
                    ChangeKind.MOVED,
                    record,
                    **{"from": before["starts_at"], "to": record["starts_at"]},
                )
            )
        if before["room"] != record["room"]:
            kinds.append(
                _entry(
                    ChangeKind.ROOM_CHANGED,
                    record,
                    **{
                        "from": room_names.get(before["room"], ""),
                        "to": room_names.get(record["room"], ""),
                    },
                )
            )
        changed_fields = [
            f
            for f in CONTENT_FIELDS
            if before.get(f, SNAPSHOT_DEFAULTS.get(f)) != record.get(f, SNAPSHOT_DEFAULTS.get(f))
        ]
        if record["status"] != SessionStatus.CANCELLED and before["status"] != record["status"]:
            changed_fields.append("status")
        track = record["track"]
        if track == before["track"] and old_tracks.get(track) != new_tracks.get(track):
            changed_fields.append("track")
        room = record["room"]
        if room == before["room"] and old_rooms.get(room) != new_rooms.get(room):
            changed_fields.append("room")
        codes = [a["code"] for a in record["speakers"]]
        if codes == [a["code"] for a in before["speakers"]] and [
            old_speakers.get(c) for c in codes
        ] != [new_speakers.get(c) for c in codes]:
            changed_fields.append("speakers")
        if changed_fields:
            kinds.append(_entry(ChangeKind.CHANGED, record, fields=changed_fields))
        if kinds:
            record["sequence"], record["last_modified"] = before.get("sequence", 0) + 1, stamp
            changes.extend(kinds)
        else:
            record["sequence"] = before.get("sequence", 0)
            record["last_modified"] = before.get("last_modified", stamp)
    for record in old.values():
        changes.append(_entry(ChangeKind.REMOVED, record))
    changes.extend(_break_changes(previous, current))
    changes.extend(_renamed(previous, current))
    return changes


def _break_changes(previous: dict | None, current: dict) -> list[dict]:
    """Changelog entries (``what`` "break") for breaks added, moved, re-roomed, renamed or
    taken out between two versions."""
    old = {b["code"]: b for b in (previous or {}).get("breaks", [])}
    entries = []
    for record in current.get("breaks", []):
        before = old.pop(record["code"], None)
        entry = {"what": "break", "code": record["code"], "title": record["title"]}
        if before is None:
            entries.append({**entry, "kind": ChangeKind.ADDED, "starts_at": record["starts_at"]})
            continue
        if (before["starts_at"], before["ends_at"]) != (record["starts_at"], record["ends_at"]):
            entries.append(
                {
                    **entry,
                    "kind": ChangeKind.MOVED,
                    "from": before["starts_at"],
                    "to": record["starts_at"],
                }
            )
        if before["rooms"] != record["rooms"]:
            entries.append({**entry, "kind": ChangeKind.ROOM_CHANGED, "from": "", "to": ""})
        if (before["title"], before["kind"]) != (record["title"], record["kind"]):
            entries.append({**entry, "kind": ChangeKind.CHANGED, "fields": ["title"]})
    for record in old.values():
        entries.append(
            {
                "what": "break",
                "code": record["code"],
                "title": record["title"],
                "kind": ChangeKind.CANCELLED,
            }
        )
    return entries


def _latest(congress: Congress) -> ScheduleVersion | None:
    return ScheduleVersion.objects.filter(congress=congress).order_by("-number").first()


def preview_changes(congress: Congress) -> list[dict]:
    """What publishing now would change (the publish page shows it before the organiser
    confirms)."""
    latest = _latest(congress)
    previous = latest.snapshot if latest else None
    current = build_snapshot(congress, previous=previous)
    return diff_snapshots(previous, current, now=timezone.now())


def publish_schedule(*, congress: Congress, by, comment: str = "") -> ScheduleVersion:
    """Publish the confirmed sessions as the next version. Refused while a confirmed session
    breaks a rule, and when nothing changed since the last version. Once it commits, delegates
    whose chosen sessions it cancels or moves are e-mailed (``change_notices``)."""
    with transaction.atomic():
        Congress.objects.select_for_update().filter(pk=congress.pk).values_list("pk").first()
        errors = [
            c
            for c in congress_conflicts(congress, statuses=[SessionStatus.CONFIRMED])
            if c.is_error
        ]
        if errors:
            raise ScheduleConflict(errors)
        latest = _latest(congress)
        previous = latest.snapshot if latest else None
        now = timezone.now()
        snapshot = build_snapshot(congress, previous=previous)
        changelog = diff_snapshots(previous, snapshot, now=now)
        if latest is not None and not changelog:
            raise NothingToPublish(_("Nothing changed since version %(n)s.") % {"n": latest.number})
        number = (latest.number if latest else 0) + 1
        snapshot["version"] = number
        snapshot["published_at"] = _iso(now)
        version = ScheduleVersion.objects.create(
            congress=congress,
            number=number,
            published_at=now,
            published_by=by if getattr(by, "is_authenticated", False) else None,
            comment=comment[:300],
            changelog=changelog,
            snapshot=snapshot,
        )
        audit.record(
            action="convene.schedule.published",
            congress=congress,
            actor=by,
            target=version,
            data={
                "version": number,
                "changes": len(changelog),
                "sessions": len(snapshot["sessions"]),
            },
        )
        queue_change_notices(version=version)
    return version
