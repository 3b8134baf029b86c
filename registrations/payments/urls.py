from django.urls import path

from . import views

app_name = "payments"

_order = "<slug:congress_slug>/payments/<str:code>/<str:secret>/"
_manage = "<slug:congress_slug>/manage/payments/"

urlpatterns = [
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    # The delegate's side, behind the order's secret.
    path(_order, views.order_payment, name="order_payment"),
    path(_order + "card/", views.card_payment, name="card"),
    path(_order + "card/confirm/", views.card_confirm, name="card_confirm"),
    path(_order + "card/return/", views.card_return, name="card_return"),
    path(_order + "invoice/", views.pay_by_invoice, name="pay_by_invoice"),
    path(_order + "invoices/<str:number>.pdf", views.invoice_pdf, name="invoice_pdf"),
    # Finance staff.
    path(_manage, views.finance_overview, name="manage"),
    path(_manage + "export.<str:fmt>", views.finance_export, name="manage_export"),
    path(_manage + "settings/", views.finance_settings, name="manage_settings"),
    path(
        _manage + "invoices/<str:number>.pdf", views.finance_invoice_pdf, name="manage_invoice_pdf"
    ),
    path(_manage + "orders/<str:code>/", views.finance_order, name="manage_order"),
    path(
        _manage + "orders/<str:code>/transfers/",
        views.finance_record_transfer,
        name="manage_record_transfer",
    ),
    path(_manage + "orders/<str:code>/refunds/", views.finance_refund, name="manage_refund"),
    path(
        _manage + "orders/<str:code>/invoice/",
        views.finance_issue_invoice,
        name="manage_issue_invoice",
    ),
    path(
        _manage + "orders/<str:code>/invoices/<str:number>/correct/",
        views.finance_correct_invoice,
        name="manage_correct_invoice",
    ),
]
