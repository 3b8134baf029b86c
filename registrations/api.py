"""Organisers' REST API under /api/v1/congresses/<congress_slug>/: registration types, orders,
delegates (search, filters, approve, edit, cancel one), figures, exports and the member list.

Reading needs ``registrations.view``; every change needs ``registrations.manage``."""

from __future__ import annotations

from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events_site.accounts.reauth import reauth_required
from events_site.congresses.api import CongressScopedMixin
from events_site.congresses.api_fields import TranslatedSerializerMixin
from events_site.congresses.enums import Perm
from events_site.congresses.uploads import UploadRefused, read_csv_text

from . import selectors
from .exports import EXPORTS
from .lifecycle import OrderStatus
from .models import Delegate, MemberOrganisation, Order, RegistrationType
from .payments.services.order_changes import cancel_delegate
from .services.members import import_member_organisations
from .services.orders import DELEGATE_FIELDS, approve_order, cancel_order, update_delegate
from .services.setup import TYPE_FIELDS, save_registration_type, update_order_contact

MANAGE = Perm.MANAGE_REGISTRATIONS
WRITE_ACTIONS = dict.fromkeys(
    ("create", "update", "partial_update", "destroy", "approve", "cancel", "import_csv"), MANAGE
)


class RegistrationTypeSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = RegistrationType
        fields = ["id", *TYPE_FIELDS]

    def validate(self, attrs):
        code = attrs.get("code")
        congress = self.context["congress"]
        clash = RegistrationType.objects.filter(congress=congress, code=code)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if code and clash.exists():
            raise serializers.ValidationError({"code": "A type with this code exists already."})
        return super().validate(attrs)


class RegistrationTypeViewSet(
    CongressScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RegistrationTypeSerializer
    required_perm = Perm.VIEW_REGISTRATIONS
    required_perms = WRITE_ACTIONS
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RegistrationType.objects.none()
        return RegistrationType.objects.filter(congress=self.get_congress()).order_by(
            "position", "name"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "congress": self.get_congress()}

    def perform_create(self, serializer):
        serializer.instance = save_registration_type(
            congress=self.get_congress(), by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = save_registration_type(
            congress=self.get_congress(),
            by=self.request.user,
            instance=serializer.instance,
            **serializer.validated_data,
        )


class DelegateSerializer(serializers.ModelSerializer):
    # The model allows no country (older rows, admin edits): "" reads back, as the schema says.
    country = CountryField(required=False, allow_blank=True)
    registration_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order = serializers.SlugRelatedField(slug_field="code", read_only=True)
    order_status = serializers.CharField(source="order.status", read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Delegate
        fields = [
            "id",
            "order",
            "order_status",
            "registration_type",
            *DELEGATE_FIELDS,
            "price",
            "price_tier",
            "is_cancelled",
            "answers",
            "created_at",
        ]
        read_only_fields = ["price", "price_tier", "is_cancelled", "created_at"]

    def get_answers(self, delegate) -> dict[str, str]:
        return {str(answer.question_id): answer.value for answer in delegate.answers.all()}


class OrderSerializer(serializers.ModelSerializer):
    delegates = DelegateSerializer(many=True, read_only=True)
    voucher = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "code",
            "status",
            "contact_name",
            "email",
            "language",
            "total",
            "currency",
            "voucher",
            "hold_expires_at",
            "needs_review",
            "review_reason",
            "created_at",
            "approved_at",
            "paid_at",
            "cancelled_at",
            "cancellation_fee",
            "delegates",
        ]
        read_only_fields = [
            name for name in fields if name not in ("contact_name", "email", "language")
        ]


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OrderViewSet(
    CongressScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Orders with their delegates. ``?search=`` (code, contact, family name), ``?status=``."""

    serializer_class = OrderSerializer
    required_perm = Perm.VIEW_REGISTRATIONS
    required_perms = WRITE_ACTIONS
    lookup_field = "code"
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        status = self.request.query_params.get("status", "")
        return selectors.organiser_orders(
            congress=self.get_congress(),
            search=self.request.query_params.get("search", "")[:200],
            status=status if status in OrderStatus.values else "",
        ).prefetch_related("delegates__registration_type", "delegates__answers", "delegates__order")

    def perform_update(self, serializer):
        serializer.instance = update_order_contact(
            order=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @action(detail=True, methods=["post"])
    def approve(self, request, **kwargs):
        order = approve_order(order=self.get_object(), by=request.user)
        return Response(OrderSerializer(order).data)

    @action(detail=True, methods=["post"], serializer_class=CancelSerializer)
    def cancel(self, request, **kwargs):
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = cancel_order(
            order=self.get_object(), by=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(OrderSerializer(order).data)


class DelegateViewSet(
    CongressScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Delegates. ``?search=``, ``?type=<code>``, ``?status=<order status>``; exports as CSV
    and XLSX with the same filters."""

    serializer_class = DelegateSerializer
    required_perm = Perm.VIEW_REGISTRATIONS
    required_perms = WRITE_ACTIONS
    filter_backends: list = []

    def filtered(self):
        params = self.request.query_params
        status = params.get("status", "")
        return selectors.organiser_delegates(
            congress=self.get_congress(),
            search=params.get("search", "")[:200],
            registration_type=params.get("type", ""),
            status=status if status in OrderStatus.values else "",
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delegate.objects.none()
        return self.filtered().prefetch_related("answers")

    def perform_update(self, serializer):
        serializer.instance = update_delegate(
            delegate=serializer.instance, changes=serializer.validated_data, by=self.request.user
        )

    @action(detail=True, methods=["post"], serializer_class=CancelSerializer)
    def cancel(self, request, **kwargs):
        """Cancel one delegate: an unpaid order's total goes down, a paid order's stays (finance
        refunds); the last delegate still registered cancels the whole order."""
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delegate = cancel_delegate(
            delegate=self.get_object(),
            by=request.user,
            reason=data.validated_data.get("reason", ""),
        )
        fresh = (
            Delegate.objects.select_related("order", "registration_type")
            .prefetch_related("answers")
            .get(pk=delegate.pk)
        )
        return Response(DelegateSerializer(fresh).data)

    def _export(self, fmt: str):
        return EXPORTS[fmt].response(congress=self.get_congress(), delegates=self.filtered())

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path="export-csv")
    @reauth_required
    def export_csv(self, request, **kwargs):
        return self._export("csv")

    @extend_schema(responses={(200, EXPORTS["xlsx"].content_type): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path="export-xlsx")
    @reauth_required
    def export_xlsx(self, request, **kwargs):
        return self._export("xlsx")


class FiguresViewSet(CongressScopedMixin, viewsets.ViewSet):
    """Delegates per type and order status, seats left, waiting list, amount paid."""

    required_perm = Perm.VIEW_REGISTRATIONS

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request, **kwargs):
        data = selectors.figures(self.get_congress())
        data["paid_amount"] = str(data["paid_amount"])
        return Response(data)


class MemberOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberOrganisation
        fields = ["id", "name", "country", "reference"]


class MemberImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False)
    csv = serializers.CharField(required=False, allow_blank=False, trim_whitespace=False)
    replace = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if attrs.get("file") is not None:
            try:
                attrs["csv"] = read_csv_text(attrs.pop("file"))
            except UploadRefused as exc:
                raise serializers.ValidationError({"file": exc.message}, code=exc.code) from exc
        if not attrs.get("csv"):
            raise serializers.ValidationError({"file": "Send a CSV file (or a csv text field)."})
        return attrs


class MemberOrganisationViewSet(
    CongressScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """The member list used for the member rate; ``POST import/`` replaces or extends it."""

    serializer_class = MemberOrganisationSerializer
    required_perm = Perm.VIEW_REGISTRATIONS
    required_perms = WRITE_ACTIONS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberOrganisation.objects.none()
        return MemberOrganisation.objects.filter(congress=self.get_congress()).order_by("name")

    @action(
        detail=False, methods=["post"], url_path="import", serializer_class=MemberImportSerializer
    )
    def import_csv(self, request, **kwargs):
        data = MemberImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = import_member_organisations(
            congress=self.get_congress(),
            csv_text=data.validated_data["csv"],
            replace=data.validated_data["replace"],
            by=request.user,
        )
        return Response(result)
