"""REST API for the core, and the pieces every app's API reuses: the congress-scoped viewset
base and the exception handler that turns domain and validation errors into clear 400s."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import services
from .api_fields import TranslatedSerializerMixin
from .enums import Perm
from .errors import DomainError
from .models import Congress, Room, Venue
from .permissions import HasCongressPerm, congresses_with_perm
from .rate_limits import RateLimited, rate_limited_message


def exception_handler(exc, context):
    """DRF's handler, plus DomainError and Django's ValidationError as field-level 400s."""
    if isinstance(exc, RateLimited):
        exc = Throttled(wait=exc.retry_after, detail=rate_limited_message(exc.retry_after))
    elif isinstance(exc, Throttled):  # a DRF throttle: the same words as every other limit
        wait = max(1, int(exc.wait or 60))
        exc = Throttled(wait=wait, detail=rate_limited_message(wait))
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class CongressScopedMixin:
    """For endpoints under ``/api/v1/congresses/<congress_slug>/...``: resolves the congress once
    and checks ``required_perm`` (or ``required_perms[action]``) through the one check."""

    permission_classes = [HasCongressPerm]
    required_perm: str = Perm.VIEW

    def get_congress(self) -> Congress:
        if not hasattr(self, "_congress"):
            self._congress = get_object_or_404(Congress, slug=self.kwargs["congress_slug"])
        return self._congress


class CongressSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=settings.LANGUAGES),
        allow_empty=False,
        help_text=_('Language codes offered to delegates, e.g. ["en", "fr", "es"].'),
    )

    class Meta:
        model = Congress
        fields = [
            "slug",
            "name",
            "tagline",
            "description",
            "organisation",
            "start_date",
            "end_date",
            "time_zone",
            "currency",
            "languages",
            "status",
            "contact_email",
            "website",
        ]
        read_only_fields = ["slug", "organisation"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # Run the model's own rules (dates, time zone, currency) so admin and API agree.
        instance = Congress(**{**self._current(), **attrs})
        try:
            instance.full_clean(exclude=["organisation", "slug", "logo"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {name: getattr(self.instance, name) for name in services.CONGRESS_FIELDS}


class CongressViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Congresses the caller organises. Editing needs the ``congress.manage`` permission."""

    serializer_class = CongressSerializer
    permission_classes = [HasCongressPerm]
    lookup_field = "slug"
    lookup_url_kwarg = "congress_slug"
    required_perms = {"update": Perm.MANAGE_CONGRESS, "partial_update": Perm.MANAGE_CONGRESS}

    def get_queryset(self):
        return congresses_with_perm(self.request.user, Perm.VIEW).select_related("organisation")

    def get_object(self):
        congress = get_object_or_404(Congress, slug=self.kwargs["congress_slug"])
        self.check_object_permissions(self.request, congress)
        return congress

    def perform_update(self, serializer):
        serializer.instance = services.update_congress(
            congress=serializer.instance, by=self.request.user, **serializer.validated_data
        )


class RoomSerializer(serializers.ModelSerializer):
    """A room; its venue may only be one of the congress's (``context["congress"]``)."""

    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.none())

    class Meta:
        model = Room
        fields = [
            "id",
            "venue",
            "name",
            "floor",
            "building",
            "capacity",
            "accessibility_notes",
            "opens_at",
            "closes_at",
            "position",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        congress = self.context.get("congress")
        if congress is not None:
            self.fields["venue"].queryset = Venue.objects.filter(congress=congress)


class VenueSerializer(serializers.ModelSerializer):
    rooms = RoomSerializer(many=True, read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "address", "city", "country", "accessibility_notes", "rooms"]


class VenueViewSet(CongressScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VenueSerializer
    queryset = Venue.objects.none()  # for the schema generator; real rows come per congress

    def get_queryset(self):
        return Venue.objects.filter(congress=self.get_congress()).prefetch_related("rooms")
