"""Payments API for finance staff (``finance.manage``), under
``/api/v1/congresses/<congress_slug>/payments/``: the overview, one order's money, refunds,
transfers received, invoices. Thin: every change goes through the same services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events_site.accounts.reauth import reauth_required
from events_site.congresses.api import CongressScopedMixin
from events_site.congresses.enums import Perm

from ..models import Invoice, Order, Payment, Refund
from . import selectors
from .enums import FinanceView
from .services import payments as payment_services
from .services import refunds as refund_services


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "provider",
            "provider_id",
            "amount",
            "currency",
            "state",
            "reference",
            "received_on",
            "failure_message",
            "created_at",
            "succeeded_at",
        ]


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = [
            "id",
            "provider_id",
            "amount",
            "currency",
            "state",
            "reason",
            "automatic",
            "created_at",
            "confirmed_at",
        ]


class InvoiceSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.code", read_only=True)
    corrects = serializers.CharField(source="corrects.full_number", default=None, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "full_number",
            "kind",
            "order",
            "issued_at",
            "due_date",
            "currency",
            "net",
            "tax",
            "gross",
            "tax_rate",
            "reverse_charge",
            "corrects",
            "reason",
        ]


class FinanceOrderSerializer(serializers.ModelSerializer):
    received = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    refunded = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    invoice_number = serializers.CharField(read_only=True, allow_null=True)
    invoice_due = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "code",
            "contact_name",
            "email",
            "status",
            "total",
            "currency",
            "received",
            "refunded",
            "invoice_number",
            "invoice_due",
            "needs_review",
            "review_reason",
            "created_at",
            "paid_at",
        ]


class FinanceOrderDetailSerializer(FinanceOrderSerializer):
    payments = PaymentSerializer(many=True, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)
    invoices = InvoiceSerializer(many=True, read_only=True)

    class Meta(FinanceOrderSerializer.Meta):
        fields = FinanceOrderSerializer.Meta.fields + ["payments", "refunds", "invoices"]


class RefundRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FinanceOrderViewSet(CongressScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Orders with their money. ``?view=pending|paid|overdue|refunded|review`` filters."""

    required_perm = Perm.MANAGE_FINANCE
    serializer_class = FinanceOrderSerializer
    lookup_field = "code"
    queryset = Order.objects.none()

    def _today(self):
        return timezone.localdate(timezone=self.get_congress().tz)

    def get_queryset(self):
        today = self._today()
        queryset = selectors.finance_orders(congress=self.get_congress(), today=today)
        view = self.request.query_params.get("view", "")
        if view in FinanceView.values:
            queryset = selectors.filter_view(queryset, view, today)
        return queryset

    def _order(self) -> Order:
        return get_object_or_404(self.get_queryset(), code=self.kwargs["code"])

    def retrieve(self, request, *args, **kwargs):
        return Response(FinanceOrderDetailSerializer(self._order()).data)

    @extend_schema(
        responses=inline_serializer(
            "FinanceSummary",
            {view.value: serializers.IntegerField(min_value=0) for view in FinanceView},
        )
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, *args, **kwargs):
        return Response(selectors.finance_counts(congress=self.get_congress(), today=self._today()))

    @action(detail=True, methods=["post"], serializer_class=RefundRequestSerializer)
    @reauth_required
    def refunds(self, request, *args, **kwargs):
        order = self._order()
        data = RefundRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refunds = refund_services.request_refund(
            order=order, by=request.user, **data.validated_data
        )
        return Response(RefundSerializer(refunds, many=True).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=TransferSerializer)
    def transfers(self, request, *args, **kwargs):
        order = self._order()
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = payment_services.record_bank_transfer(
            order=order, by=request.user, **data.validated_data
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class InvoiceViewSet(CongressScopedMixin, viewsets.ReadOnlyModelViewSet):
    required_perm = Perm.MANAGE_FINANCE
    serializer_class = InvoiceSerializer
    lookup_field = "full_number"
    queryset = Invoice.objects.none()

    def get_queryset(self):
        return (
            Invoice.objects.filter(congress=self.get_congress())
            .select_related("order", "corrects")
            .order_by("kind", "number")
        )
