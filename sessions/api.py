"""REST API of the agenda. Public: the published programme. Organisers (``programme.manage``):
sessions, speakers, tracks and rooms, edited through the same services as the HTML pages."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.http import quote_etag
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from events_site.congresses.api import CongressScopedMixin, RoomSerializer
from events_site.congresses.api_fields import TranslatedSerializerMixin
from events_site.congresses.enums import Perm
from events_site.congresses.models import Room

from . import http_caching, selectors, services
from .enums import SessionFormat, SessionStatus, SpeakerRole
from .errors import ScheduleConflict
from .exports import JSONExporter
from .models import Session, Speaker, Tag, Track
from .services.programme import SESSION_FIELDS, SESSION_WRITE_FIELDS


class SchemaSafeMixin:
    """drf-spectacular builds the schema without a congress in the URL: give it an empty
    queryset and a plain serializer instead of failing."""

    def _fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not self._fake():
            context["congress"] = self.get_congress()
        return context


def _conflicts(items) -> list[dict]:
    return [
        {
            "kind": str(c.kind),
            "severity": str(c.severity),
            "message": str(c.message),
            "session": c.session_code,
            "other": c.other,
        }
        for c in items
    ]


def conflict_response(exc: ScheduleConflict) -> Response:
    return Response(
        {"detail": str(exc.message), "code": exc.code, "conflicts": _conflicts(exc.conflicts)},
        status=status.HTTP_400_BAD_REQUEST,
    )


class ConflictSerializer(serializers.Serializer):
    kind = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    session = serializers.CharField()
    other = serializers.CharField()


class PublishRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ProgrammeView(APIView):
    """The published programme (the same document as ``schedule.json``); anyone may read it.
    Like the feeds it answers conditional requests (ETag per version and renderer,
    Last-Modified the version's time) with a 304."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, congress_slug: str):
        from .views.common import visible_congress

        congress = visible_congress(request, congress_slug)
        version = selectors.latest_version(congress)
        if version is None:
            raise Http404
        renderer = getattr(request, "accepted_media_type", "") or ""
        etag = quote_etag(
            http_caching.version_tag("api-programme", congress.slug, version, renderer)
        )
        last_modified = http_caching.last_modified_of(version.published_at)
        response = http_caching.not_modified(request, etag=etag, last_modified=last_modified)
        if response is None:
            programme = selectors.programme_of(version)
            exporter = JSONExporter(congress_slug=congress.slug, congress_name=congress.name)
            response = Response(exporter.data(programme, programme.sessions))
        http_caching.stamp(response, etag=etag, last_modified=last_modified, public=True)
        return response


# --- organisers ----------------------------------------------------------------------------


class SpeakerRoleSerializer(serializers.Serializer):
    speaker = serializers.CharField(max_length=12)
    role = serializers.ChoiceField(choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER)


class ProgrammeSessionSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    track = serializers.SlugRelatedField(
        slug_field="slug", queryset=Track.objects.none(), allow_null=True, required=False
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.none(), allow_null=True, required=False
    )
    format = serializers.ChoiceField(choices=SessionFormat.choices, default=SessionFormat.PARALLEL)
    status = serializers.ChoiceField(choices=SessionStatus.choices, default=SessionStatus.DRAFT)
    languages = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    interpretation_languages = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False
    )
    tags = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Tag.objects.none(), required=False
    )
    speakers = SpeakerRoleSerializer(many=True, required=False, source="role_list")

    class Meta:
        model = Session
        fields = ["code", *SESSION_FIELDS, "speakers", "updated_at"]
        read_only_fields = ["code", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress = self.context.get("congress")
        if congress is not None:
            self.fields["track"].queryset = Track.objects.filter(congress=congress)
            self.fields["room"].queryset = Room.objects.filter(venue__congress=congress)
            self.fields["tags"].child_relation.queryset = Tag.objects.filter(congress=congress)

    def to_representation(self, instance):
        instance.role_list = [
            {"speaker": r.speaker.code, "role": r.role} for r in instance.roles.all()
        ]
        return super().to_representation(instance)

    def speaker_assignments(self) -> list[tuple[Speaker, str]] | None:
        roles = self.validated_data.get("role_list")
        if roles is None:
            return None
        codes = [r["speaker"] for r in roles]
        found = {s.code: s for s in Speaker.objects.filter(congress=self.congress, code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise serializers.ValidationError({"speakers": [f"Unknown speaker: {missing[0]}"]})
        return [(found[r["speaker"]], r["role"]) for r in roles]

    def session_fields(self) -> dict:
        """The fields sent (a PATCH sends some), for the services."""
        return {k: self.validated_data[k] for k in SESSION_WRITE_FIELDS if k in self.validated_data}


class SessionViewSet(
    SchemaSafeMixin,
    CongressScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Draft sessions. Create and update go through the scheduling rules: a session that breaks
    one gets a 400 whose ``conflicts`` name the other party. Sessions are cancelled, never
    deleted."""

    serializer_class = ProgrammeSessionSerializer
    required_perm = Perm.MANAGE_PROGRAMME
    lookup_field = "code"

    queryset = Session.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        return selectors.draft_sessions(self.get_congress())

    def _saved(self, saved, code) -> Response:
        session = self.get_queryset().get(pk=saved.session.pk)
        data = self.get_serializer(session).data
        return Response({**data, "warnings": _conflicts(saved.warnings)}, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            saved = services.create_session(
                congress=self.get_congress(),
                by=request.user,
                speakers=serializer.speaker_assignments(),
                **serializer.session_fields(),
            )
        except ScheduleConflict as exc:
            return conflict_response(exc)
        return self._saved(saved, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        session = self.get_object()
        partial = request.method == "PATCH"
        serializer = self.get_serializer(session, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        session.congress = self.get_congress()
        try:
            saved = services.update_session(
                session=session,
                by=request.user,
                speakers=serializer.speaker_assignments(),
                **serializer.session_fields(),
            )
        except ScheduleConflict as exc:
            return conflict_response(exc)
        return self._saved(saved, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        session = self.get_object()
        session.congress = self.get_congress()
        services.cancel_session(session=session, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)


class ProgrammeSpeakerSerializer(serializers.ModelSerializer):
    # The ISO code, "" when none was given (the model field's default mapping answered with a
    # Country object that JSON cannot hold, so a speaker without a country broke every read).
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = Speaker
        fields = [
            "code",
            "name",
            "title",
            "organisation",
            "city",
            "country",
            "bio",
            "recording_allowed",
        ]
        read_only_fields = ["code"]


class _ProgrammeWriteViewSet(
    SchemaSafeMixin,
    CongressScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisers list, create and edit one kind of programme object of their congress; every
    write goes through the named services (so the API keeps the UI's rules)."""

    required_perm = Perm.MANAGE_PROGRAMME
    model: type
    # create(congress=, by=, **fields) and update(<instance_kwarg>=, by=, **fields)
    create_service: staticmethod
    update_service: staticmethod
    instance_kwarg: str

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(congress=self.get_congress())

    def perform_create(self, serializer):
        serializer.instance = self.create_service(
            congress=self.get_congress(), by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            **{self.instance_kwarg: serializer.instance},
            by=self.request.user,
            **serializer.validated_data,
        )


class SpeakerViewSet(_ProgrammeWriteViewSet):
    serializer_class = ProgrammeSpeakerSerializer
    lookup_field = "code"
    model = Speaker
    queryset = Speaker.objects.none()
    create_service = staticmethod(services.create_speaker)
    update_service = staticmethod(services.update_speaker)
    instance_kwarg = "speaker"


class ProgrammeTrackSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name", "slug", "colour", "description", "position"]
        validators: list = []


class TrackViewSet(_ProgrammeWriteViewSet):
    serializer_class = ProgrammeTrackSerializer
    lookup_field = "slug"
    model = Track
    queryset = Track.objects.none()
    create_service = staticmethod(services.create_track)
    update_service = staticmethod(services.update_track)
    instance_kwarg = "track"


class ProgrammeRoomSerializer(RoomSerializer):
    class Meta(RoomSerializer.Meta):
        validators: list = []


class RoomViewSet(
    SchemaSafeMixin,
    CongressScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Rooms of the congress's venues; changing hours or size reports the sessions affected."""

    serializer_class = ProgrammeRoomSerializer
    required_perm = Perm.MANAGE_PROGRAMME
    lookup_value_regex = r"[0-9]+"  # anything else is 404, never int("null,null")

    queryset = Room.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Room.objects.none()
        return Room.objects.filter(venue__congress=self.get_congress()).select_related("venue")

    def get_object(self):
        # A room reaches its congress through its venue; the queryset is already scoped to the
        # congress whose permission ``has_permission`` checked.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _save(self, request, room, code):
        serializer = self.get_serializer(room, data=request.data, partial=room is not None)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        venue = fields.pop("venue", None) or room.venue
        room, affected = services.save_room(
            congress=self.get_congress(), by=request.user, venue=venue, room=room, **fields
        )
        return Response(
            {**self.get_serializer(room).data, "conflicts": _conflicts(affected)}, status=code
        )

    def create(self, request, *args, **kwargs):
        return self._save(request, None, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        return self._save(request, self.get_object(), status.HTTP_200_OK)

    update = partial_update


class ConflictsView(CongressScopedMixin, APIView):
    required_perm = Perm.MANAGE_PROGRAMME

    @extend_schema(responses=ConflictSerializer(many=True))
    def get(self, request, congress_slug: str):
        return Response(_conflicts(services.congress_conflicts(self.get_congress())))


class PublishView(CongressScopedMixin, APIView):
    """POST publishes the next version (400 naming the conflicts that block it)."""

    required_perm = Perm.MANAGE_PROGRAMME

    @extend_schema(request=PublishRequestSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, congress_slug: str):
        congress = self.get_congress()
        incoming = PublishRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = incoming.validated_data.get("comment", "")
        try:
            version = services.publish_schedule(
                congress=congress, by=request.user, comment=str(comment)
            )
        except ScheduleConflict as exc:
            return conflict_response(exc)
        return Response(
            {
                "version": version.number,
                "published_at": version.published_at,
                "changes": version.changelog,
            },
            status=status.HTTP_201_CREATED,
        )
