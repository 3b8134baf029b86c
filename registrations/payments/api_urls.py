from django.urls import path

from . import api

_base = "congresses/<slug:congress_slug>/payments/"

urlpatterns = [
    path(
        _base + "orders/",
        api.FinanceOrderViewSet.as_view({"get": "list"}),
        name="payments-order-list",
    ),
    path(
        _base + "orders/summary/",
        api.FinanceOrderViewSet.as_view({"get": "summary"}),
        name="payments-order-summary",
    ),
    path(
        _base + "orders/<str:code>/",
        api.FinanceOrderViewSet.as_view({"get": "retrieve"}),
        name="payments-order-detail",
    ),
    path(
        _base + "orders/<str:code>/refunds/",
        api.FinanceOrderViewSet.as_view({"post": "refunds"}),
        name="payments-order-refunds",
    ),
    path(
        _base + "orders/<str:code>/transfers/",
        api.FinanceOrderViewSet.as_view({"post": "transfers"}),
        name="payments-order-transfers",
    ),
    path(
        _base + "invoices/",
        api.InvoiceViewSet.as_view({"get": "list"}),
        name="payments-invoice-list",
    ),
    path(
        _base + "invoices/<str:full_number>/",
        api.InvoiceViewSet.as_view({"get": "retrieve"}),
        name="payments-invoice-detail",
    ),
]
