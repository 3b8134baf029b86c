"""Check-in API for external scanner apps: look up a scanned code, check in, search.

Token auth (``Authorization: Token ...``) or a session; needs ``checkin.operate`` in the
congress. Answers carry only what the desk needs: no e-mail addresses, no payments.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from events_site.congresses.api import CongressScopedMixin
from events_site.congresses.api_limits import CheckInSearchThrottle
from events_site.congresses.enums import Perm

from . import selectors, services
from .enums import CheckInChannel
from .models import Badge, RefusedScan


class PersonSerializer(serializers.Serializer):
    """One person as the desk sees them (``selectors.desk_person``, as the desk page shows)."""

    def to_representation(self, delegate):
        person = selectors.desk_person(delegate)
        return {
            "delegate": delegate.pk,
            "name": delegate.printed_name,
            "title": delegate.title,
            "organisation": delegate.organisation_name,
            "city": delegate.city,
            "country": str(delegate.country.code or ""),
            "registration_type": delegate.registration_type.name,
            "role": delegate.role,
            "may_enter": person.may_enter,
            "problem": person.problem or None,
            "problem_label": str(person.problem_label) if person.problem else None,
            "checked_in_at": person.checked_in_at.isoformat() if person.checked_in_at else None,
            "checked_in_by": person.checked_in_by.get_username() if person.checked_in_by else None,
            "desk": person.desk,
        }


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=500, required=False, allow_blank=True)
    delegate = serializers.IntegerField(required=False)
    desk = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("code") and not attrs.get("delegate"):
            raise serializers.ValidationError(_("Send the scanned code (or a delegate id)."))
        return attrs


class _CheckInView(CongressScopedMixin, APIView):
    required_perm = Perm.CHECK_IN
    # A stolen scanner token must not walk the delegate list: lookups per account.
    throttle_classes = [CheckInSearchThrottle]

    def _request(self, request) -> dict:
        """The validated body: ``code`` (a scan) or ``delegate`` (chosen from a search)."""
        serializer = CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _scan(self, request, data) -> dict:
        """Who scanned what where, for the services that record refused scans."""
        return {
            "congress": self.get_congress(),
            "code": data["code"],
            "by": request.user,
            "desk": data.get("desk", ""),
            "channel": CheckInChannel.API,
        }

    def _badge_of_delegate(self, data) -> Badge:
        delegates = selectors.desk_delegates(self.get_congress())
        return services.badge_for(delegate=get_object_or_404(delegates, pk=data["delegate"]))

    def _person(self, badge: Badge):
        delegate = selectors.desk_delegates(self.get_congress()).get(pk=badge.delegate_id)
        return PersonSerializer(delegate).data


_PERSON_RESPONSE = inline_serializer("CheckInPerson", {"person": PersonSerializer()})
_CHECKIN_RESPONSE = inline_serializer(
    "CheckInResult", {"result": serializers.CharField(), "person": PersonSerializer()}
)
_REFUSAL_RESPONSE = inline_serializer(
    "CheckInRefusal", {"detail": serializers.CharField(), "code": serializers.CharField()}
)
_SEARCH_RESPONSE = inline_serializer(
    "CheckInSearchResults", {"results": PersonSerializer(many=True)}
)


class CheckInLookupView(_CheckInView):
    """POST {"code": "<scanned text>"} -> the person, or 400 badge_not_valid."""

    @extend_schema(request=CodeSerializer, responses={200: _PERSON_RESPONSE})
    def post(self, request, congress_slug):
        data = self._request(request)
        if data.get("code"):
            badge = services.look_up_scan(**self._scan(request, data))
        else:
            badge = self._badge_of_delegate(data)
        return Response({"person": self._person(badge)})


class CheckInView(_CheckInView):
    """POST {"code": "...", "desk": "2"} -> {"result": "checked_in" | "already_checked_in"}.

    409 not_allowed_to_enter for unpaid, unapproved or cancelled registrations;
    400 badge_not_valid for unknown, revoked or malformed codes.
    """

    @extend_schema(
        request=CodeSerializer,
        responses={201: _CHECKIN_RESPONSE, 200: _CHECKIN_RESPONSE, 409: _REFUSAL_RESPONSE},
    )
    def post(self, request, congress_slug):
        data = self._request(request)
        if data.get("code"):
            result = services.check_in_scan(**self._scan(request, data))
        else:
            result = services.check_in(
                badge=self._badge_of_delegate(data),
                by=request.user,
                desk=data.get("desk", ""),
                channel=CheckInChannel.API,
            )
        return Response(
            {
                "result": "checked_in" if result.checked_in else "already_checked_in",
                "person": self._person(result.badge),
            },
            status=201 if result.checked_in else 200,
        )


class RefusedScanSerializer(serializers.ModelSerializer):
    """One refused scan: when, why, what was read (a live code only by its first characters)."""

    by = serializers.SerializerMethodField()
    delegate = serializers.SerializerMethodField()
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = RefusedScan
        fields = [
            "id",
            "at",
            "reason",
            "reason_label",
            "problem",
            "scanned",
            "delegate",
            "desk",
            "by",
            "channel",
        ]
        read_only_fields = fields

    def get_by(self, scan) -> str | None:
        return scan.by.get_username() if scan.by else None

    def get_delegate(self, scan) -> int | None:
        return scan.badge.delegate_id if scan.badge else None


class RefusedScanListView(CongressScopedMixin, ListAPIView):
    """GET -> the desk's refused scans, newest first (``?limit=&offset=``)."""

    required_perm = Perm.CHECK_IN
    serializer_class = RefusedScanSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.refused_scans(self.get_congress())


class CheckInSearchView(_CheckInView):
    """GET ?q=<name or organisation> -> up to 25 people."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name or organisation")],
        responses={200: _SEARCH_RESPONSE},
    )
    def get(self, request, congress_slug):
        people = selectors.desk_search(self.get_congress(), request.query_params.get("q", ""))
        return Response({"results": PersonSerializer(people, many=True).data})
