from django.urls import path

from . import bank_views, quote_views, views

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
    path(_order + "invoices/<str:number>/e-invoice/<str:fmt>/", views.einvoice, name="einvoice"),
    path(_order + "quote/", quote_views.request_quote, name="request_quote"),
    path(_order + "quote/accept/", quote_views.accept_quote, name="accept_quote"),
    path(_order + "quotes/<str:number>.pdf", quote_views.quote_pdf, name="quote_pdf"),
    # Finance staff.
    path(_manage, views.finance_overview, name="manage"),
    path(_manage + "export.<str:fmt>", views.finance_export, name="manage_export"),
    path(_manage + "reminders/", views.finance_remind, name="manage_remind"),
    path(_manage + "settings/", views.finance_settings, name="manage_settings"),
    path(_manage + "bank/", bank_views.bank_import, name="manage_bank_import"),
    path(_manage + "bank/queue/", bank_views.bank_queue, name="manage_bank_queue"),
    path(
        _manage + "bank/statements/<int:statement_id>/",
        bank_views.bank_statement,
        name="manage_bank_statement",
    ),
    path(
        _manage + "bank/statements/<int:statement_id>/confirm/",
        bank_views.bank_confirm,
        name="manage_bank_confirm",
    ),
    path(_manage + "bank/lines/<int:line_id>/", bank_views.bank_line, name="manage_bank_line"),
    path(
        _manage + "invoices/<str:number>.pdf", views.finance_invoice_pdf, name="manage_invoice_pdf"
    ),
    path(
        _manage + "invoices/<str:number>/e-invoice/<str:fmt>/",
        views.finance_einvoice,
        name="manage_einvoice",
    ),
    path(_manage + "quotes/", quote_views.finance_quotes, name="manage_quotes"),
    path(
        _manage + "quotes/<str:number>.pdf", quote_views.finance_quote_pdf, name="manage_quote_pdf"
    ),
    path(
        _manage + "quotes/<str:number>/accept/",
        quote_views.finance_accept_quote,
        name="manage_accept_quote",
    ),
    path(
        _manage + "orders/<str:code>/quote/",
        quote_views.finance_create_quote,
        name="manage_create_quote",
    ),
    path(_manage + "orders/<str:code>/", views.finance_order, name="manage_order"),
    path(
        _manage + "orders/<str:code>/transfers/",
        views.finance_record_transfer,
        name="manage_record_transfer",
    ),
    path(_manage + "orders/<str:code>/refunds/", views.finance_refund, name="manage_refund"),
    path(
        _manage + "orders/<str:code>/reviewed/",
        views.finance_resolve_review,
        name="manage_resolve_review",
    ),
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
