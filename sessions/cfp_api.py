"""Read-only REST API of the calls for proposals. The programme team (``programme.manage``)
reads calls and proposals in full; a reviewer (``proposals.review``) reads only what their
active review phase gives them, each proposal as the reviewer pages' view-model
(``services.cfp_review.reviewer_view``): in a blind phase, no name of anyone."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from events_site.congresses.api import CongressScopedMixin
from events_site.congresses.api_fields import TranslatedSerializerMixin
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import has_congress_perm

from .api import SchemaSafeMixin
from .enums import ProposalStatus
from .models import CallForProposals, Proposal, ProposalPerson, Review, ReviewPhase
from .services import cfp_review

# --- calls -----------------------------------------------------------------------------------


class CfpPhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPhase
        fields = [
            "id",
            "name",
            "is_active",
            "reviewers_may_review",
            "proposers_may_edit",
            "blind",
            "see_other_reviews",
            "assigned_only",
        ]


class CfpTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    format = serializers.CharField()
    default_minutes = serializers.IntegerField()
    deadline = serializers.DateTimeField(allow_null=True)


class CfpCallSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    tracks = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    proposal_types = serializers.SerializerMethodField()
    review_phases = CfpPhaseSerializer(many=True, read_only=True)

    class Meta:
        model = CallForProposals
        fields = [
            "slug",
            "title",
            "kind",
            "description",
            "review_description",
            "opens_at",
            "deadline",
            "tracks",
            "proposal_types",
            "require_member_organisation",
            "collect_gender",
            "conflict_same_country",
            "reviews_per_proposal",
            "max_speakers",
            "review_phases",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CfpTypeSerializer(many=True))
    def get_proposal_types(self, call) -> list[dict]:
        return [
            {
                "id": t.pk,
                "name": t.translated("name"),
                "format": t.format,
                "default_minutes": t.default_minutes,
                "deadline": t.deadline.isoformat() if t.deadline else None,
            }
            for t in call.proposal_types.all()
        ]


class CfpCallViewSet(SchemaSafeMixin, CongressScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The congress's calls for proposals, with their types, tracks and review phases."""

    serializer_class = CfpCallSerializer
    required_perm = Perm.MANAGE_PROGRAMME
    lookup_field = "slug"
    lookup_url_kwarg = "call_slug"
    queryset = CallForProposals.objects.none()

    def get_queryset(self):
        if self._fake():
            return CallForProposals.objects.none()
        return (
            CallForProposals.objects.filter(congress=self.get_congress())
            .prefetch_related("tracks", "proposal_types", "review_phases")
            .order_by("deadline", "pk")
        )


# --- proposals -------------------------------------------------------------------------------


class CfpScoreSerializer(serializers.Serializer):
    category = serializers.CharField()
    value = serializers.IntegerField()


class CfpReviewSerializer(serializers.Serializer):
    """A review as a reviewer sees it: never who wrote it."""

    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    scores = CfpScoreSerializer(many=True)


class CfpTeamReviewSerializer(CfpReviewSerializer):
    reviewer = serializers.CharField()


def _review_data(review: Review) -> dict:
    return {
        "score": None if review.score is None else str(review.score),
        "comment": review.comment,
        "scores": [
            {"category": s.category.translated("name"), "value": s.value}
            for s in review.scores.all()
        ],
    }


class CfpReviewerPersonSerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField(allow_blank=True)
    region = serializers.CharField(allow_blank=True)
    confirmed = serializers.BooleanField()


class CfpReviewerProposalSerializer(serializers.Serializer):
    """Schema of a proposal as a reviewer reads it: ``reviewer_view(...).as_json()`` (the
    reviewer pages' view-model: in a blind phase ``proposer``, ``organisation``,
    ``co_organisers`` and each person's ``name`` and ``organisation`` are empty; ``answers``
    are [question, answer] pairs without the questions hidden from reviewers; ``reviews`` is
    how many reviews the proposal has), its call and status, the reviewer's own review and
    ``other_reviews`` where the phase shows them (never who wrote them)."""

    call = serializers.CharField()
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    code = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    abstract = serializers.CharField(allow_blank=True)
    format = serializers.CharField(allow_blank=True)
    track = serializers.CharField(allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField())
    blind = serializers.BooleanField()
    proposer = serializers.CharField(allow_blank=True)
    organisation = serializers.CharField(allow_blank=True)
    co_organisers = serializers.CharField(allow_blank=True)
    people = CfpReviewerPersonSerializer(many=True)
    answers = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True))
    )
    reviews = serializers.IntegerField()
    my_review = CfpReviewSerializer(allow_null=True)
    other_reviews = CfpReviewSerializer(many=True)


class CfpPersonSerializer(serializers.ModelSerializer):
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = ProposalPerson
        fields = [
            "role",
            "name",
            "email",
            "status",
            "organisation",
            "city",
            "country",
            "language",
            "first_time",
            "bio",
            "pronunciation",
            "links",
            "spoken_languages",
            "recording_consent",
        ]
        read_only_fields = fields


class CfpProposalSerializer(serializers.ModelSerializer):
    """A proposal in full, for the programme team (never its secret links)."""

    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    track = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposal_type = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation_country = CountryField(required=False, allow_blank=True)
    member_organisation = serializers.SlugRelatedField(slug_field="name", read_only=True)
    session = serializers.SlugRelatedField(slug_field="code", read_only=True)
    people = CfpPersonSerializer(many=True, read_only=True)
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "code",
            "call",
            "status",
            "title",
            "abstract",
            "proposal_type",
            "track",
            "languages",
            "organisation",
            "organisation_country",
            "member_organisation",
            "co_organisers",
            "proposer_name",
            "proposer_email",
            "language",
            "answers",
            "session",
            "people",
            "reviews",
            "submitted_at",
            "withdrawn_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CfpTeamReviewSerializer(many=True))
    def get_reviews(self, proposal) -> list[dict]:
        return [
            {**_review_data(review), "reviewer": review.reviewer.get_username()}
            for review in proposal.reviews.all()
        ]


class ProposalFilter(serializers.Serializer):
    call = serializers.SlugField(max_length=80, required=False)
    state = serializers.ChoiceField(choices=ProposalStatus.choices, required=False)
    track = serializers.SlugField(max_length=100, required=False)


PROPOSAL = PolymorphicProxySerializer(
    component_name="CfpProposalAnswer",
    serializers=[CfpProposalSerializer, CfpReviewerProposalSerializer],
    resource_type_field_name=None,
)
FILTERS = [
    OpenApiParameter("call", str, description="A call's slug."),
    OpenApiParameter("state", str, enum=ProposalStatus.values, description="A proposal status."),
    OpenApiParameter("track", str, description="A track's slug."),
]


@extend_schema_view(
    list=extend_schema(parameters=FILTERS, responses=PROPOSAL),
    retrieve=extend_schema(responses=PROPOSAL),
)
class CfpProposalViewSet(SchemaSafeMixin, CongressScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Proposals. The programme team reads every proposal in full, with names and reviews; a
    reviewer reads the proposals their active phase gives them (all or assigned, their tracks,
    no conflict of interest), blind-redacted as on the reviewer pages, with the reviews the
    phase shows."""

    serializer_class = CfpProposalSerializer
    required_perm = Perm.REVIEW_PROPOSALS
    lookup_field = "code"
    lookup_url_kwarg = "proposal_code"
    queryset = Proposal.objects.none()

    def _team(self) -> bool:
        return has_congress_perm(self.request.user, Perm.MANAGE_PROGRAMME, self.get_congress())

    def _filters(self) -> dict:
        incoming = ProposalFilter(data=self.request.query_params)
        if not incoming.is_valid():
            raise ValidationError(incoming.errors)
        return incoming.validated_data

    def get_queryset(self):
        if self._fake():
            return Proposal.objects.none()
        reviews = Review.objects.select_related("reviewer").prefetch_related("scores__category")
        return (
            Proposal.objects.filter(call__congress=self.get_congress())
            .select_related("call", "track", "member_organisation", "session")
            .prefetch_related("people", Prefetch("reviews", queryset=reviews.order_by("pk")))
            .order_by("call__deadline", "call_id", "pk")
        )

    def _calls(self, filters: dict) -> list[CallForProposals]:
        calls = CallForProposals.objects.filter(congress=self.get_congress())
        if "call" in filters:
            calls = calls.filter(slug=filters["call"])
        return list(calls.order_by("deadline", "pk"))

    def _reviewable(self, filters: dict) -> list[tuple[Proposal, ReviewPhase]]:
        """The proposals the caller may review now, each with its call's active phase."""
        found = []
        for call in self._calls(filters):
            phase = cfp_review.active_phase(call)
            if phase is None:
                continue
            for proposal in cfp_review.reviewable_for(call, self.request.user, phase=phase):
                if filters.get("state") not in (None, proposal.status):
                    continue
                if "track" in filters and (
                    proposal.track is None or proposal.track.slug != filters["track"]
                ):
                    continue
                found.append((proposal, phase))
        return found

    def _reviewer_data(self, pairs: list[tuple[Proposal, ReviewPhase]]) -> list[dict]:
        by_phase: dict[int, tuple[ReviewPhase, list[Proposal]]] = {}
        for proposal, phase in pairs:
            by_phase.setdefault(phase.pk, (phase, []))[1].append(proposal)
        mine, others = {}, {}
        for phase, proposals in by_phase.values():
            own, other = cfp_review.reviews_seen(proposals, self.request.user, phase)
            mine |= own
            others |= other
        rows = []
        for proposal, phase in pairs:
            own = mine.get(proposal.pk)
            rows.append(
                {
                    "call": proposal.call.slug,
                    "status": proposal.status,
                    **cfp_review.reviewer_view(proposal, phase).as_json(),
                    "my_review": None if own is None else _review_data(own),
                    "other_reviews": [_review_data(r) for r in others.get(proposal.pk, [])],
                }
            )
        return rows

    def list(self, request, *args, **kwargs):
        filters = self._filters()
        if not self._team():
            page = self.paginate_queryset(self._reviewable(filters))
            return self.get_paginated_response(self._reviewer_data(page))
        proposals = self.get_queryset()
        if "call" in filters:
            proposals = proposals.filter(call__slug=filters["call"])
        if "state" in filters:
            proposals = proposals.filter(status=filters["state"])
        if "track" in filters:
            proposals = proposals.filter(track__slug=filters["track"])
        page = self.paginate_queryset(proposals)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        code = self.kwargs["proposal_code"]
        if self._team():
            # Scoped to the congress whose permission ``has_permission`` checked (a proposal
            # reaches its congress through its call).
            proposal = get_object_or_404(self.get_queryset(), code=code)
            return Response(self.get_serializer(proposal).data)
        proposal = Proposal.objects.filter(call__congress=self.get_congress(), code=code).first()
        if proposal is None:
            raise Http404
        pairs = [
            pair
            for pair in self._reviewable({"call": proposal.call.slug})
            if pair[0].pk == proposal.pk
        ]
        if not pairs:
            raise Http404
        return Response(self._reviewer_data(pairs)[0])
