"""The read side of a published version: the snapshot parsed once per process into plain
objects with the lookups pages and feeds need. Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock

from events_site.congresses.translations import TranslatedValues

from .enums import SIGN_UP_FORMATS, BreakKind, SessionFormat, SessionStatus, SpeakerRole

# Lazy labels by value: looked up per session in feeds, so no enum scans there.
FORMAT_LABELS = {member.value: member.label for member in SessionFormat}
ROLE_LABELS = {member.value: member.label for member in SpeakerRole}
BREAK_LABELS = {member.value: member.label for member in BreakKind}


@dataclass
class PublishedSpeaker:
    code: str
    name: str
    title: str = ""
    organisation: str = ""
    city: str = ""
    country: str = ""
    bio: str = ""
    photo: str = ""
    sessions: list[PublishedSession] = field(default_factory=list)


@dataclass
class PublishedRoom:
    id: int
    name: str
    venue: str = ""
    floor: str = ""
    capacity: int = 0
    position: int = 0
    # Versions published before these were part of the snapshot read as empty.
    building: str = ""
    accessibility_notes: str = ""


@dataclass
class PublishedTrack(TranslatedValues):
    translatable_fields = ("name", "description")

    slug: str
    name: str
    colour: str
    description: str = ""
    translations: dict = field(default_factory=dict)


@dataclass
class Appearance:
    speaker: PublishedSpeaker
    role: str

    @property
    def role_label(self) -> str:
        label = ROLE_LABELS.get(self.role)
        return str(label) if label is not None else self.role


@dataclass
class PublishedContribution:
    """One talk of a block, timed one after the other from the block's start."""

    code: str
    title: str
    abstract: str
    minutes: int
    speakers: list[PublishedSpeaker]
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: dt.datetime
    local_end: dt.datetime


@dataclass
class PublishedBreak:
    """A break across rooms; ``rooms`` None means every room."""

    code: str
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: dt.datetime
    local_end: dt.datetime
    rooms: list[PublishedRoom] | None

    @property
    def kind_label(self) -> str:
        label = BREAK_LABELS.get(self.kind)
        return str(label) if label is not None else ""

    @property
    def day(self) -> dt.date:
        return self.local_start.date()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def in_room(self, room_id: int) -> bool:
        return self.rooms is None or any(r.id == room_id for r in self.rooms)


@dataclass
class PublishedSession(TranslatedValues):
    translatable_fields = ("title", "abstract")

    code: str
    title: str
    abstract: str
    format: str
    track: PublishedTrack | None
    room: PublishedRoom | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: dt.datetime
    local_end: dt.datetime
    languages: list[str]
    interpretation_languages: list[str]
    captioning: bool
    capacity: int | None
    status: str
    tags: list[str]
    speakers: list[Appearance]
    sequence: int
    last_modified: dt.datetime
    search_text: str = ""
    contributions: list[PublishedContribution] = field(default_factory=list)
    # Versions published before consent was recorded said "opt out" (as the frab XML did).
    recording_allowed: bool = False
    # Codes of its speakers who do not agree to be recorded.
    recording_refused_by: list[str] = field(default_factory=list)

    @property
    def may_be_recorded(self) -> bool:
        """The session allows it and none of its speakers refuses."""
        return self.recording_allowed and not self.recording_refused_by

    # The other languages' titles and abstracts (absent from older snapshots).
    translations: dict = field(default_factory=dict)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def needs_sign_up(self) -> bool:
        return self.format in SIGN_UP_FORMATS and bool(self.capacity)

    @property
    def format_label(self) -> str:
        label = FORMAT_LABELS.get(self.format)
        return str(label) if label is not None else ""

    @property
    def day(self) -> dt.date:
        return self.local_start.date()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def overlaps(self, other: PublishedSession) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


class PublishedProgramme:
    """One published version, ready for pages and feeds."""

    def __init__(self, snapshot: dict, *, version: int, published_at: dt.datetime):
        self.version = version
        self.published_at = published_at
        meta = snapshot.get("congress", {})
        self.tz = zoneinfo.ZoneInfo(meta.get("time_zone", "UTC"))
        # The language sessions' own titles are written in (older snapshots: the site's).
        self.main_language = meta.get("main_language") or "en"
        self.tracks = {t["slug"]: PublishedTrack(**t) for t in snapshot.get("tracks", [])}
        self.rooms = {r["id"]: PublishedRoom(**r) for r in snapshot.get("rooms", [])}
        self.speakers = {
            code: PublishedSpeaker(**data) for code, data in snapshot.get("speakers", {}).items()
        }
        self.sessions: list[PublishedSession] = []
        for raw in snapshot.get("sessions", []):
            start, end = _parse(raw["starts_at"]), _parse(raw["ends_at"])
            appearances = [
                Appearance(self.speakers[s["code"]], s["role"])
                for s in raw["speakers"]
                if s["code"] in self.speakers
            ]
            session = PublishedSession(
                code=raw["code"],
                title=raw["title"],
                abstract=raw["abstract"],
                format=raw["format"],
                track=self.tracks.get(raw["track"]) if raw["track"] else None,
                room=self.rooms.get(raw["room"]) if raw["room"] else None,
                starts_at=start,
                ends_at=end,
                local_start=start.astimezone(self.tz),
                local_end=end.astimezone(self.tz),
                languages=raw["languages"],
                interpretation_languages=raw["interpretation_languages"],
                captioning=raw["captioning"],
                recording_allowed=raw.get("recording_allowed", False),
                recording_refused_by=raw.get("recording_refused_by", []),
                translations=raw.get("translations") or {},
                capacity=raw["capacity"],
                status=raw["status"],
                tags=raw["tags"],
                speakers=appearances,
                sequence=raw.get("sequence", 0),
                last_modified=_parse(raw.get("last_modified") or raw["starts_at"]),
            )
            session.contributions = self._contributions(raw.get("contributions", []), start)
            session.search_text = " ".join(
                [
                    session.title,
                    session.abstract,
                    *(a.speaker.name for a in appearances),
                    *(c.title for c in session.contributions),
                    *(sp.name for c in session.contributions for sp in c.speakers),
                ]
            ).casefold()
            self.sessions.append(session)
            for appearance in appearances:
                appearance.speaker.sessions.append(session)
            for contribution in session.contributions:
                for sp in contribution.speakers:
                    if not sp.sessions or sp.sessions[-1] is not session:
                        sp.sessions.append(session)
        self.by_code = {s.code: s for s in self.sessions}
        self.breaks: list[PublishedBreak] = []
        for raw in snapshot.get("breaks", []):
            start, end = _parse(raw["starts_at"]), _parse(raw["ends_at"])
            rooms = raw.get("rooms")
            self.breaks.append(
                PublishedBreak(
                    code=raw["code"],
                    title=raw["title"],
                    kind=raw["kind"],
                    starts_at=start,
                    ends_at=end,
                    local_start=start.astimezone(self.tz),
                    local_end=end.astimezone(self.tz),
                    rooms=None
                    if rooms is None
                    else [self.rooms[r] for r in rooms if r in self.rooms],
                )
            )

    def _contributions(self, raws: list[dict], start: dt.datetime) -> list[PublishedContribution]:
        found, moment = [], start
        for raw in raws:
            end = moment + dt.timedelta(minutes=raw["minutes"])
            found.append(
                PublishedContribution(
                    code=raw["code"],
                    title=raw["title"],
                    abstract=raw.get("abstract", ""),
                    minutes=raw["minutes"],
                    speakers=[self.speakers[c] for c in raw["speakers"] if c in self.speakers],
                    starts_at=moment,
                    ends_at=end,
                    local_start=moment.astimezone(self.tz),
                    local_end=end.astimezone(self.tz),
                )
            )
            moment = end
        return found

    def breaks_on(self, day: dt.date | None) -> list[PublishedBreak]:
        return [b for b in self.breaks if day is None or b.day == day]

    @cached_property
    def days(self) -> list[dt.date]:
        return sorted({s.day for s in self.sessions} | {b.day for b in self.breaks})

    @cached_property
    def languages(self) -> list[str]:
        return sorted({code for s in self.sessions for code in s.languages})

    @cached_property
    def tags(self) -> list[str]:
        return sorted({tag for s in self.sessions for tag in s.tags}, key=str.casefold)

    @cached_property
    def formats(self) -> list[str]:
        present = {s.format for s in self.sessions}
        return [f for f in FORMAT_LABELS if f in present]

    def select(
        self,
        *,
        day: dt.date | None = None,
        track: str = "",
        format: str = "",
        language: str = "",
        tag: str = "",
        room: int | None = None,
        speaker: str = "",
        query: str = "",
        codes: set[str] | None = None,
    ) -> list[PublishedSession]:
        """Sessions matching every given filter; unknown values simply match nothing."""
        needle = query.strip().casefold()
        result = []
        for s in self.sessions:
            if day is not None and s.day != day:
                continue
            if track and (s.track is None or s.track.slug != track):
                continue
            if format and s.format != format:
                continue
            if language and language not in s.languages:
                continue
            if tag and tag not in s.tags:
                continue
            if room is not None and (s.room is None or s.room.id != room):
                continue
            if speaker and all(a.speaker.code != speaker for a in s.speakers):
                continue
            if needle and needle not in s.search_text:
                continue
            if codes is not None and s.code not in codes:
                continue
            result.append(s)
        return result


_CACHE: OrderedDict[int, PublishedProgramme] = OrderedDict()
_CACHE_SIZE = 16
_LOCK = Lock()


def cached_programme(version_id: int, loader) -> PublishedProgramme:
    """The parsed programme of a version, built once per process (versions never change)."""
    with _LOCK:
        programme = _CACHE.get(version_id)
        if programme is not None:
            _CACHE.move_to_end(version_id)
            return programme
    programme = loader()
    with _LOCK:
        _CACHE[version_id] = programme
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return programme
