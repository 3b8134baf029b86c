"""Read-side queries shared by pages, feeds and the API (related objects fetched here, once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from events_site.congresses.models import Congress
from events_site.congresses.secret_links import find_by_secret

from .enums import SITE_DEFAULT_MINUTES, SessionFormat, SignupStatus
from .models import (
    CallForProposals,
    FormatSetting,
    PersonalAgenda,
    ScheduleVersion,
    Session,
    SessionSignup,
    Tag,
)
from .published import PublishedProgramme, cached_programme


def latest_version(congress: Congress) -> ScheduleVersion | None:
    """The newest published version, without its (large) snapshot; ``offers_abstracts``
    says whether a call of the congress publishes its book of abstracts (the programme's
    link), read in the same query."""
    return (
        ScheduleVersion.objects.filter(congress=congress)
        .defer("snapshot", "changelog")
        .annotate(
            offers_abstracts=Exists(
                CallForProposals.objects.filter(
                    congress=OuterRef("congress"), public_abstracts=True
                )
            )
        )
        .order_by("-number")
        .first()
    )


def version_numbered(congress: Congress, number: int) -> ScheduleVersion | None:
    """One published version by its number, without its snapshot."""
    return (
        ScheduleVersion.objects.filter(congress=congress, number=number)
        .defer("snapshot", "changelog")
        .first()
    )


def published_versions(congress: Congress):
    """Every published version, newest first, with its changelog but not its snapshot."""
    return ScheduleVersion.objects.filter(congress=congress).defer("snapshot").order_by("-number")


def programme_of(version: ScheduleVersion) -> PublishedProgramme:
    """The parsed snapshot of ``version``: one query the first time in a process, none after."""

    def load() -> PublishedProgramme:
        snapshot = ScheduleVersion.objects.values_list("snapshot", flat=True).get(pk=version.pk)
        return PublishedProgramme(
            snapshot, version=version.number, published_at=version.published_at
        )

    return cached_programme((version.pk, version.published_at.isoformat()), load)


def published_programme(congress: Congress) -> PublishedProgramme | None:
    version = latest_version(congress)
    return programme_of(version) if version else None


def versions_with_changes(congress: Congress, limit: int = 20):
    return (
        ScheduleVersion.objects.filter(congress=congress)
        .defer("snapshot")
        .order_by("-number")[:limit]
    )


def draft_sessions(congress: Congress):
    return (
        Session.objects.filter(congress=congress)
        .select_related("track", "room", "room__venue")
        .prefetch_related("roles__speaker", "tags")
        .order_by("starts_at", "code")
    )


@dataclass(frozen=True)
class FormatDefaults:
    """One format as this congress uses it: its own settings, or the site's defaults."""

    format: SessionFormat
    standard_name: str
    name: str
    minutes: int
    description: str
    is_site_default: bool

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)


def format_defaults(congress: Congress) -> list[FormatDefaults]:
    """Every format, in the enum's order, with the congress's settings where it has some
    (one query)."""
    own = {s.format: s for s in FormatSetting.objects.filter(congress=congress)}
    result = []
    for format in SessionFormat:
        setting = own.get(format.value)
        result.append(
            FormatDefaults(
                format=format,
                standard_name=str(format.label),
                name=(setting and setting.display_name) or str(format.label),
                minutes=setting.default_minutes if setting else SITE_DEFAULT_MINUTES[format],
                description=setting.description if setting else "",
                is_site_default=setting is None,
            )
        )
    return result


def default_duration(congress: Congress, format: str) -> dt.timedelta:
    """How long a new session of ``format`` lasts at this congress unless told otherwise."""
    minutes = (
        FormatSetting.objects.filter(congress=congress, format=format)
        .values_list("default_minutes", flat=True)
        .first()
    )
    return dt.timedelta(minutes=minutes or SITE_DEFAULT_MINUTES[SessionFormat(format)])


def tags_with_counts(congress: Congress):
    """The congress's tags with how many sessions carry each (one query)."""
    return (
        Tag.objects.filter(congress=congress)
        .annotate(session_count=Count("sessions"))
        .order_by("name", "pk")
    )


def agenda_by_token(token: str) -> PersonalAgenda | None:
    """The personal agenda whose live feed token this is (indexed unique lookup), or None."""
    return find_by_secret(
        PersonalAgenda.objects.select_related("congress", "delegate"),
        secret=token,
        field="feed_token",
    )


def agenda_of(delegate) -> PersonalAgenda | None:
    """The delegate's personal agenda if one was made (by a mark, a sign-up or a feed address:
    pages only read it, they never make one)."""
    return PersonalAgenda.objects.filter(delegate=delegate).first()


def marked_codes(agenda: PersonalAgenda | None) -> set[str]:
    if agenda is None:
        return set()
    return set(agenda.items.values_list("session__code", flat=True))


def signups_of(delegate) -> dict[str, str]:
    """Session code -> sign-up status (seat / waiting) for one delegate."""
    return dict(
        SessionSignup.objects.filter(delegate=delegate).values_list("session__code", "status")
    )


def seat_counts(congress: Congress) -> dict[str, int]:
    """Session code -> seats taken, for every sign-up session of the congress (one query)."""
    rows = (
        Session.objects.filter(congress=congress, capacity__isnull=False)
        .annotate(taken=Count("signups", filter=Q(signups__status=SignupStatus.SEAT)))
        .values_list("code", "taken")
    )
    return dict(rows)
