"""The public, read-only API of the published programme, for integrators, apps and screens.

Everything here reads a published ``ScheduleVersion`` (the latest, or an earlier one with
``?version=``), never the organisers' draft, and shows only what the public pages show. Lists
are paged like every list of the API (``?limit=&offset=``). Answers carry a strong ETag and
``Last-Modified`` keyed by the version (and, for seats, by the figures themselves) and answer
conditional requests with a 304. Anyone may call it; calls are counted per client address
(``RATE_LIMITS["public_api"]``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from events_site.congresses import rate_limits
from events_site.congresses.api_fields import Pagination
from events_site.congresses.text import printable_tree

from . import http_caching, selectors
from .enums import SessionFormat, SessionStatus, SignupStatus
from .exports import JSONExporter
from .models import ScheduleVersion, Session, Speaker
from .published import FORMAT_LABELS, PublishedProgramme
from .views.common import visible_congress

MAX_TEXT_FILTER = 200
#: Seats change with every sign-up: clients may keep an answer this long (seconds).
SEATS_MAX_AGE = 30


def absolute(url: str) -> str | None:
    """An absolute URL for a stored path (photos are stored as ``/media/...``)."""
    if not url:
        return None
    return url if "://" in url else settings.SITE_URL + url


# --- serializers (they read the published objects, not models) -------------------------------


class PublicSpeakerRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(help_text=_("speaker, chair, moderator, panelist..."))


class PublicContributionSerializer(serializers.Serializer):
    code = serializers.CharField()
    session = serializers.CharField(help_text=_("Code of the block the talk belongs to."))
    title = serializers.CharField()
    abstract = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    speakers = serializers.ListField(child=serializers.CharField(), help_text=_("Speaker codes."))


class PublicSessionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    abstract = serializers.CharField()
    format = serializers.ChoiceField(choices=SessionFormat.choices)
    format_label = serializers.CharField()
    track = serializers.CharField(allow_null=True, help_text=_("Track slug."))
    track_name = serializers.CharField(allow_null=True)
    room = serializers.IntegerField(allow_null=True, help_text=_("Room id."))
    room_name = serializers.CharField(allow_null=True)
    time_zone = serializers.CharField(help_text=_("The congress's IANA time zone."))
    starts_at = serializers.DateTimeField(help_text=_("In the congress's time zone."))
    ends_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    languages = serializers.ListField(child=serializers.CharField())
    interpretation_languages = serializers.ListField(child=serializers.CharField())
    captioning = serializers.BooleanField()
    recording_allowed = serializers.BooleanField(
        help_text=_("The session allows it and none of its speakers refuses.")
    )
    capacity = serializers.IntegerField(allow_null=True)
    needs_sign_up = serializers.BooleanField()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    tags = serializers.ListField(child=serializers.CharField())
    url = serializers.URLField()
    speakers = PublicSpeakerRefSerializer(many=True)
    contributions = PublicContributionSerializer(many=True)


class PublicSpeakerSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField()
    organisation = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField(help_text=_('ISO 3166 alpha-2, "" when none was given.'))
    bio = serializers.CharField()
    photo = serializers.URLField(allow_null=True)
    url = serializers.URLField()
    sessions = serializers.ListField(child=serializers.CharField(), help_text=_("Session codes."))


class PublicRoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    venue = serializers.CharField()
    building = serializers.CharField()
    floor = serializers.CharField()
    capacity = serializers.IntegerField()
    accessibility_notes = serializers.CharField()
    position = serializers.IntegerField()
    screen_url = serializers.URLField(help_text=_('The room\'s "now and next" screen.'))


class PublicTrackSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    colour = serializers.CharField()
    sessions = serializers.IntegerField(help_text=_("How many published sessions it has."))


class PublicFormatSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=SessionFormat.choices)
    name = serializers.CharField()
    sessions = serializers.IntegerField()


class PublicSeatsSerializer(serializers.Serializer):
    session = serializers.CharField()
    title = serializers.CharField()
    capacity = serializers.IntegerField()
    taken = serializers.IntegerField()
    left = serializers.IntegerField()
    full = serializers.BooleanField()


class PublicChangeSerializer(serializers.Serializer):
    """One entry of a version's changelog; which keys are present depends on ``kind``."""

    version = serializers.IntegerField()
    kind = serializers.CharField()
    code = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    what = serializers.CharField(required=False, help_text=_("track, room, speaker or break"))
    fields = serializers.ListField(child=serializers.CharField(), required=False)
    to = serializers.JSONField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.JSONField(required=False)  # a keyword in Python
        return fields


class PublicVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    comment = serializers.CharField()
    changes = serializers.IntegerField(help_text=_("How many entries its changelog has."))
    programme_url = serializers.URLField(help_text=_("The whole programme as it was then."))


class PublicVersionDetailSerializer(PublicVersionSerializer):
    changelog = PublicChangeSerializer(many=True)


# --- the views ----------------------------------------------------------------------------


def _text(params, name: str) -> str:
    value = params.get(name, "")
    return value.strip()[:MAX_TEXT_FILTER] if isinstance(value, str) else ""


def _bad(name: str, message) -> serializers.ValidationError:
    return serializers.ValidationError({name: [message]})


VERSION_PARAM = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    description=str(_("An earlier published version's number (default: the latest).")),
)
NOT_MODIFIED = OpenApiResponse(description=str(_("Not modified: the ETag still matches.")))
TOO_MANY = OpenApiResponse(
    description=str(_("Too many calls from this address: wait the seconds Retry-After gives."))
)


def answers(ok) -> dict:
    """The answers of a public read: the data, a 304 for a conditional request, a 429."""
    return {200: ok, 304: NOT_MODIFIED, 429: TOO_MANY}


class FormatIsAFilter(DefaultContentNegotiation):
    """``?format=`` filters by session format here (as on the pages and feeds), so it does not
    choose DRF's renderer; the ``Accept`` header still does."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class PublicProgrammeViewSet(viewsets.GenericViewSet):
    """A read-only view of one published version, answered with validators and 304s."""

    content_negotiation_class = FormatIsAFilter
    permission_classes = [AllowAny]
    authentication_classes: list = []
    pagination_class = Pagination
    filter_backends: list = []
    identifier = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        rate_limits.check(request, name="public_api")

    # -- the version asked for ----------------------------------------------------------------

    def congress(self):
        if not hasattr(self, "_congress"):
            self._congress = visible_congress(self.request, self.kwargs["congress_slug"])
        return self._congress

    def version(self) -> ScheduleVersion:
        if not hasattr(self, "_version"):
            congress = self.congress()
            raw = self.request.query_params.get("version")
            if raw is None:
                version = selectors.latest_version(congress)
            else:
                try:
                    number = int(raw)
                except ValueError:
                    raise _bad("version", _("Give a version number, for example 3.")) from None
                version = selectors.version_numbered(congress, number)
            if version is None:
                raise Http404
            self._version = version
        return self._version

    def programme(self) -> PublishedProgramme:
        return selectors.programme_of(self.version())

    # -- conditional answers ------------------------------------------------------------------

    def variant(self) -> str:
        query = sorted(self.request.query_params.lists())
        renderer = getattr(self.request, "accepted_media_type", "") or ""
        return json.dumps([self.request.path, query, renderer, get_language()])

    def conditional(self, build) -> Response:
        """200 with ``build()``'s data, or 304 when the client's copy is this one."""
        version = self.version()
        tag = http_caching.version_tag(
            f"api-public-{self.identifier}", self.congress().slug, version, self.variant()
        )
        etag = quote_etag(tag)
        last_modified = http_caching.last_modified_of(version.published_at)
        response = http_caching.not_modified(self.request, etag=etag, last_modified=last_modified)
        if response is None:
            with timezone.override(self.programme().tz):
                response = build()
            response.data = printable_tree(response.data)
        http_caching.stamp(response, etag=etag, last_modified=last_modified, public=True)
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        """Any site may read the public programme from a browser (the script widget does):
        no credentials are sent or accepted, so ``*`` is safe."""
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        return response

    def paged(self, items: list, serializer_class, row=None) -> Response:
        """One page of ``items``, each made a row by ``row`` (only the page's items are)."""
        page = self.paginate_queryset(items)
        rows = [row(item) for item in page] if row else page
        return self.get_paginated_response(serializer_class(rows, many=True).data)


def _session_row(s, url_pattern: str) -> dict:
    return {
        "code": s.code,
        "title": s.title,
        "abstract": s.abstract,
        "format": s.format,
        "format_label": s.format_label,
        "track": s.track.slug if s.track else None,
        "track_name": s.track.name if s.track else None,
        "room": s.room.id if s.room else None,
        "room_name": s.room.name if s.room else None,
        "time_zone": s.local_start.tzinfo.key,
        "starts_at": s.local_start,
        "ends_at": s.local_end,
        "duration_minutes": s.duration_minutes,
        "languages": s.languages,
        "interpretation_languages": s.interpretation_languages,
        "captioning": s.captioning,
        "recording_allowed": s.may_be_recorded,
        "capacity": s.capacity,
        "needs_sign_up": s.needs_sign_up,
        "status": s.status,
        "tags": s.tags,
        "url": url_pattern.format(code=s.code),
        "speakers": [
            {"code": a.speaker.code, "name": a.speaker.name, "role": a.role} for a in s.speakers
        ],
        "contributions": [_contribution_row(s, c) for c in s.contributions],
    }


def _contribution_row(session, c) -> dict:
    return {
        "code": c.code,
        "session": session.code,
        "title": c.title,
        "abstract": c.abstract,
        "starts_at": c.local_start,
        "ends_at": c.local_end,
        "minutes": c.minutes,
        "speakers": [sp.code for sp in c.speakers],
    }


def _url_pattern(name: str, congress_slug: str) -> str:
    path = reverse(f"agenda:{name}", kwargs={"congress_slug": congress_slug, "code": "CODE0"})
    return settings.SITE_URL + path.replace("CODE0", "{code}")


SESSION_FILTERS = [
    OpenApiParameter("day", OpenApiTypes.DATE, description="A day of the congress (its zone)."),
    OpenApiParameter("track", OpenApiTypes.STR, description="Track slug."),
    OpenApiParameter("format", OpenApiTypes.STR, enum=SessionFormat.values),
    OpenApiParameter("language", OpenApiTypes.STR, description="A spoken language code."),
    OpenApiParameter("tag", OpenApiTypes.STR, description="A tag's name."),
    OpenApiParameter("room", OpenApiTypes.INT, description="Room id."),
    OpenApiParameter("speaker", OpenApiTypes.STR, description="Speaker code."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in titles, abstracts, names."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[SessionStatus.CONFIRMED.value, SessionStatus.CANCELLED.value],
    ),
    VERSION_PARAM,
]


def parse_session_filters(params) -> dict:
    """The filters of the sessions list: a malformed value is a 400 naming the parameter; a
    well-formed value the programme does not know matches nothing."""
    chosen: dict = {}
    day = params.get("day")
    if day is not None:
        try:
            chosen["day"] = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise _bad("day", _("Give the day as YYYY-MM-DD.")) from None
    room = params.get("room")
    if room is not None:
        try:
            chosen["room"] = int(room)
        except ValueError:
            raise _bad("room", _("Give a room id (a number).")) from None
    fmt = params.get("format")
    if fmt is not None:
        if fmt not in SessionFormat.values:
            raise _bad("format", _("Unknown format."))
        chosen["format"] = fmt
    for name in ("track", "language", "tag", "speaker"):
        value = _text(params, name)
        if value:
            chosen[name] = value
    query = _text(params, "q")
    if query:
        chosen["query"] = query
    return chosen


class PublicSessionViewSet(PublicProgrammeViewSet):
    """Published sessions (cancelled ones too, with their status, so apps can drop them)."""

    identifier = "sessions"
    lookup_field = "code"
    queryset = Session.objects.none()
    serializer_class = PublicSessionSerializer

    @extend_schema(
        parameters=SESSION_FILTERS,
        responses=answers(PublicSessionSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            programme = self.programme()
            chosen = parse_session_filters(request.query_params)
            status = _text(request.query_params, "status")
            if status and status not in (SessionStatus.CONFIRMED, SessionStatus.CANCELLED):
                raise _bad("status", _("Give confirmed or cancelled."))
            sessions = programme.select(**chosen)
            if status:
                sessions = [s for s in sessions if s.status == status]
            pattern = _url_pattern("session", self.congress().slug)
            return self.paged(
                sessions, PublicSessionSerializer, row=lambda s: _session_row(s, pattern)
            )

        return self.conditional(build)

    @extend_schema(parameters=[VERSION_PARAM], responses=answers(PublicSessionSerializer))
    def retrieve(self, request, congress_slug: str, code: str):
        def build():
            session = self.programme().by_code.get(code)
            if session is None:
                raise Http404
            pattern = _url_pattern("session", self.congress().slug)
            return Response(PublicSessionSerializer(_session_row(session, pattern)).data)

        return self.conditional(build)


class PublicContributionViewSet(PublicProgrammeViewSet):
    """The talks of session blocks, each with its block and its own times."""

    identifier = "contributions"
    queryset = Session.objects.none()
    serializer_class = PublicContributionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("session", OpenApiTypes.STR, description="The block's code."),
            OpenApiParameter("speaker", OpenApiTypes.STR, description="Speaker code."),
            VERSION_PARAM,
        ],
        responses=answers(PublicContributionSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            block = _text(request.query_params, "session")
            speaker = _text(request.query_params, "speaker")
            rows = [
                _contribution_row(s, c)
                for s in self.programme().sessions
                if not block or s.code == block
                for c in s.contributions
                if not speaker or any(sp.code == speaker for sp in c.speakers)
            ]
            return self.paged(rows, PublicContributionSerializer)

        return self.conditional(build)


def _speaker_row(sp, url_pattern: str) -> dict:
    return {
        "code": sp.code,
        "name": sp.name,
        "title": sp.title,
        "organisation": sp.organisation,
        "city": sp.city,
        "country": sp.country,
        "bio": sp.bio,
        "photo": absolute(sp.photo),
        "url": url_pattern.format(code=sp.code),
        "sessions": [s.code for s in sp.sessions],
    }


class PublicSpeakerViewSet(PublicProgrammeViewSet):
    """Speakers of published sessions, as their public page shows them (with photo URLs)."""

    identifier = "speakers"
    lookup_field = "code"
    queryset = Speaker.objects.none()
    serializer_class = PublicSpeakerSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words of the name."),
            OpenApiParameter("session", OpenApiTypes.STR, description="Session code."),
            VERSION_PARAM,
        ],
        responses=answers(PublicSpeakerSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            needle = _text(request.query_params, "q").casefold()
            session = _text(request.query_params, "session")
            pattern = _url_pattern("speaker", self.congress().slug)
            speakers = [
                sp
                for sp in self.programme().speakers.values()
                if sp.sessions
                and (not needle or needle in sp.name.casefold())
                and (not session or any(s.code == session for s in sp.sessions))
            ]
            return self.paged(
                speakers, PublicSpeakerSerializer, row=lambda sp: _speaker_row(sp, pattern)
            )

        return self.conditional(build)

    @extend_schema(parameters=[VERSION_PARAM], responses=answers(PublicSpeakerSerializer))
    def retrieve(self, request, congress_slug: str, code: str):
        def build():
            speaker = self.programme().speakers.get(code)
            if speaker is None or not speaker.sessions:
                raise Http404
            pattern = _url_pattern("speaker", self.congress().slug)
            return Response(PublicSpeakerSerializer(_speaker_row(speaker, pattern)).data)

        return self.conditional(build)


class PublicRoomViewSet(PublicProgrammeViewSet):
    """The rooms of the published version, with where they are and how to reach them."""

    identifier = "rooms"
    queryset = Session.objects.none()
    serializer_class = PublicRoomSerializer

    @extend_schema(
        parameters=[VERSION_PARAM],
        responses=answers(PublicRoomSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            slug = self.congress().slug
            screen = settings.SITE_URL + reverse(
                "agenda:screen_room", kwargs={"congress_slug": slug, "room_id": 0}
            ).replace("/0/", "/{id}/")
            rooms = sorted(self.programme().rooms.values(), key=lambda r: (r.position, r.name))
            rows = [
                {
                    "id": r.id,
                    "name": r.name,
                    "venue": r.venue,
                    "building": r.building,
                    "floor": r.floor,
                    "capacity": r.capacity,
                    "accessibility_notes": r.accessibility_notes,
                    "position": r.position,
                    "screen_url": screen.format(id=r.id),
                }
                for r in rooms
            ]
            return self.paged(rows, PublicRoomSerializer)

        return self.conditional(build)


class PublicTrackViewSet(PublicProgrammeViewSet):
    identifier = "tracks"
    queryset = Session.objects.none()
    serializer_class = PublicTrackSerializer

    @extend_schema(
        parameters=[VERSION_PARAM],
        responses=answers(PublicTrackSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            programme = self.programme()
            counts: dict[str, int] = {}
            for s in programme.sessions:
                if s.track and not s.is_cancelled:
                    counts[s.track.slug] = counts.get(s.track.slug, 0) + 1
            rows = [
                {
                    "slug": t.slug,
                    "name": t.name,
                    "colour": t.colour,
                    "sessions": counts.get(t.slug, 0),
                }
                for t in programme.tracks.values()
            ]
            return self.paged(rows, PublicTrackSerializer)

        return self.conditional(build)


class PublicFormatViewSet(PublicProgrammeViewSet):
    """The session formats the published programme uses."""

    identifier = "formats"
    queryset = Session.objects.none()
    serializer_class = PublicFormatSerializer

    @extend_schema(
        parameters=[VERSION_PARAM],
        responses=answers(PublicFormatSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            programme = self.programme()
            rows = [
                {
                    "format": f,
                    "name": str(FORMAT_LABELS[f]),
                    "sessions": sum(
                        1 for s in programme.sessions if s.format == f and not s.is_cancelled
                    ),
                }
                for f in programme.formats
            ]
            return self.paged(rows, PublicFormatSerializer)

        return self.conditional(build)


class PublicSeatsViewSet(PublicProgrammeViewSet):
    """Seats left in the published sessions that take sign-ups, counted now (one query); the
    ETag follows the figures, so a poller gets a 304 until a seat is taken or freed."""

    identifier = "seats"
    queryset = Session.objects.none()
    serializer_class = PublicSeatsSerializer

    @extend_schema(
        parameters=[OpenApiParameter("session", OpenApiTypes.STR, description="Session code.")],
        responses=answers(PublicSeatsSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        programme = self.programme()
        wanted = _text(request.query_params, "session")
        published = {
            s.code: s
            for s in programme.sessions
            if s.needs_sign_up and not s.is_cancelled and (not wanted or s.code == wanted)
        }
        figures = (
            Session.objects.filter(
                congress=self.congress(), code__in=list(published), capacity__isnull=False
            )
            .annotate(taken=Count("signups", filter=Q(signups__status=SignupStatus.SEAT)))
            .values_list("code", "capacity", "taken")
        )
        live = {code: (capacity, taken) for code, capacity, taken in figures}
        rows = []
        for code, s in published.items():
            if code not in live:
                continue
            capacity, taken = live[code]
            left = max(0, capacity - taken)
            rows.append(
                {
                    "session": code,
                    "title": s.title,
                    "capacity": capacity,
                    "taken": taken,
                    "left": left,
                    "full": left == 0,
                }
            )
        digest = hashlib.sha256(
            json.dumps([self.variant(), self.version().number, rows]).encode()
        ).hexdigest()[:32]
        etag = quote_etag(digest)
        response = http_caching.not_modified(request, etag=etag, last_modified=None)
        if response is None:
            response = self.paged(rows, PublicSeatsSerializer)
            response.data = printable_tree(response.data)
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={SEATS_MAX_AGE}"
        return response


class PublicVersionViewSet(PublicProgrammeViewSet):
    """The published versions, newest first, each with its changelog and the whole programme
    as it was (``programme/``)."""

    identifier = "versions"
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,9}"
    queryset = ScheduleVersion.objects.none()
    serializer_class = PublicVersionSerializer

    def version(self) -> ScheduleVersion:
        """The validators follow the latest version: a new one changes every list here."""
        if not hasattr(self, "_version"):
            version = selectors.latest_version(self.congress())
            if version is None:
                raise Http404
            self._version = version
        return self._version

    def _row(self, v, *, changelog: bool = False) -> dict:
        slug = self.congress().slug
        row = {
            "number": v.number,
            "published_at": v.published_at,
            "comment": v.comment,
            "changes": len(v.changelog),
            "programme_url": settings.SITE_URL
            + reverse(
                "agenda-public-version-programme",
                kwargs={"congress_slug": slug, "number": v.number},
            ),
        }
        if changelog:
            row["changelog"] = [{"version": v.number, **c} for c in v.changelog]
        return row

    @extend_schema(responses=answers(PublicVersionSerializer(many=True)))
    def list(self, request, congress_slug: str):
        def build():
            versions = selectors.published_versions(self.congress())
            page = self.paginate_queryset(versions)
            data = PublicVersionSerializer([self._row(v) for v in page], many=True).data
            return self.get_paginated_response(data)

        return self.conditional(build)

    @extend_schema(responses=answers(PublicVersionDetailSerializer))
    def retrieve(self, request, congress_slug: str, number: str):
        def build():
            version = selectors.published_versions(self.congress()).filter(number=number).first()
            if version is None:
                raise Http404
            return Response(PublicVersionDetailSerializer(self._row(version, changelog=True)).data)

        return self.conditional(build)

    @extend_schema(responses=answers(OpenApiTypes.OBJECT))
    @action(
        detail=True,
        methods=["get"],
        url_path="programme",
        url_name="programme",
        pagination_class=None,
    )
    def programme_of_version(self, request, congress_slug: str, number: str):
        """The whole programme of one version, the same document as ``schedule.json``."""
        congress = self.congress()
        version = selectors.version_numbered(congress, int(number))
        if version is None:
            raise Http404
        self._version = version

        def build():
            programme = selectors.programme_of(version)
            exporter = JSONExporter(congress_slug=congress.slug, congress_name=congress.name)
            return Response(exporter.data(programme, programme.sessions))

        return self.conditional(build)


class PublicChangelogViewSet(PublicProgrammeViewSet):
    """Every change since a version (``?since=``, default: all), oldest first."""

    identifier = "changelog"
    queryset = ScheduleVersion.objects.none()
    serializer_class = PublicChangeSerializer
    version = PublicVersionViewSet.version

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.INT,
                description="Only the changes of versions after this number.",
            )
        ],
        responses=answers(PublicChangeSerializer(many=True)),
    )
    def list(self, request, congress_slug: str):
        def build():
            raw = request.query_params.get("since", "0")
            try:
                since = int(raw)
            except ValueError:
                raise _bad("since", _("Give a version number, for example 3.")) from None
            versions = (
                selectors.published_versions(self.congress())
                .filter(number__gt=since)
                .order_by("number")
            )
            rows = [{"version": v.number, **c} for v in versions for c in v.changelog]
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(PublicChangeSerializer(page, many=True).data)

        return self.conditional(build)
