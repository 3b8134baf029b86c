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

from ..enums import ChangeKind, SessionStatus
from ..errors import NothingToPublish, ScheduleConflict
from ..models import ScheduleVersion, Session, SessionSpeaker
from .change_notices import queue_change_notices
from .scheduling import congress_conflicts

SNAPSHOT_FORMAT = 1
# Fields whose change counts as "changed" (time and room have their own kinds).
CONTENT_FIELDS = (
    "title",
    "abstract",
    "format",
    "track",
    "languages",
    "interpretation_languages",
    "captioning",
    "capacity",
    "tags",
    "speakers",
)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _session_record(session: Session, roles: list[SessionSpeaker]) -> dict:
    return {
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
        "capacity": session.capacity,
        "status": session.status,
        "tags": list(session.tags or []),
        "speakers": [{"code": r.speaker.code, "role": r.role} for r in roles],
    }


def build_snapshot(congress: Congress, *, previous: dict | None = None) -> dict:
    """The confirmed programme (plus sessions cancelled since they were published) as JSON."""
    previous_codes = {s["code"] for s in (previous or {}).get("sessions", [])}
    sessions = list(
        Session.objects.filter(
            congress=congress, status__in=[SessionStatus.CONFIRMED, SessionStatus.CANCELLED]
        )
        .select_related("track")
        .order_by("starts_at", "code")
    )
    sessions = [
        s for s in sessions if s.status == SessionStatus.CONFIRMED or s.code in previous_codes
    ]
    roles_by_session: dict[int, list[SessionSpeaker]] = {}
    speakers: dict[str, dict] = {}
    roles = SessionSpeaker.objects.filter(session__in=[s.pk for s in sessions]).select_related(
        "speaker"
    )
    for role in roles.order_by("position", "id"):
        roles_by_session.setdefault(role.session_id, []).append(role)
        sp = role.speaker
        speakers.setdefault(
            sp.code,
            {
                "code": sp.code,
                "name": sp.name,
                "title": sp.title,
                "organisation": sp.organisation,
                "city": sp.city,
                "country": str(sp.country or ""),
                "bio": sp.bio,
                "photo": sp.photo.url if sp.photo else "",
            },
        )
    rooms = Room.objects.filter(venue__congress=congress).select_related("venue")
    return {
        "format": SNAPSHOT_FORMAT,
        "congress": {
            "slug": congress.slug,
            "name": congress.name,
            "time_zone": congress.time_zone,
            "start_date": congress.start_date.isoformat(),
            "end_date": congress.end_date.isoformat(),
        },
        "tracks": [
            {"slug": t.slug, "name": t.name, "colour": t.colour}
            for t in congress.tracks.order_by("position", "name")
        ],
        "rooms": [
            {
                "id": r.pk,
                "name": r.name,
                "venue": r.venue.name,
                "floor": r.floor,
                "capacity": r.capacity,
                "position": r.position,
            }
            for r in rooms.order_by("position", "name")
        ],
        "speakers": dict(sorted(speakers.items(), key=lambda kv: kv[1]["name"].casefold())),
        "sessions": [_session_record(s, roles_by_session.get(s.pk, [])) for s in sessions],
    }


def _entry(kind: str, record: dict, **extra) -> dict:
    return {"kind": kind, "code": record["code"], "title": record["title"], **extra}


def diff_snapshots(previous: dict | None, current: dict, *, now: dt.datetime) -> list[dict]:
    """The changelog from ``previous`` to ``current``; also sets each current session's
    ``sequence`` and ``last_modified`` (carried over when the session did not change)."""
    old = {s["code"]: s for s in (previous or {}).get("sessions", [])}
    room_names = {r["id"]: r["name"] for r in current["rooms"]}
    room_names.update({r["id"]: r["name"] for r in (previous or {}).get("rooms", [])})
    changes: list[dict] = []
    stamp = _iso(now)
    for record in current["sessions"]:
        before = old.pop(record["code"], None)
        if before is None:
            record["sequence"], record["last_modified"] = 0, stamp
            changes.append(_entry(ChangeKind.ADDED, record, starts_at=record["starts_at"]))
            continue
        kinds = []
        if record["status"] == SessionStatus.CANCELLED and before["status"] != record["status"]:
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
        changed_fields = [f for f in CONTENT_FIELDS if before.get(f) != record.get(f)]
        if record["status"] != SessionStatus.CANCELLED and before["status"] != record["status"]:
            changed_fields.append("status")
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
    return changes


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
