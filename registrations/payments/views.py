"""Payment pages: the Stripe webhook, the delegate's card and invoice payment pages, invoice
downloads, and the finance pages for organisers. Thin: parse, call one service, render."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from events_site.accounts.reauth import reauth_required
from events_site.congresses import audit
from events_site.congresses.edit_conflicts import EditConflict, fingerprint
from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required
from events_site.congresses.secret_links import get_by_secret_or_404

from ..lifecycle import OrderStatus
from ..models import (
    BillingDetails,
    Invoice,
    InvoiceReminder,
    Order,
    Payment,
    Quote,
    RegistrationSettings,
)
from ..services.setup import update_registration_settings
from . import selectors
from . import stripe as stripe_edge
from .einvoice.rendering import SUFFIXES, render_einvoice
from .enums import FinanceView, PaymentProvider, PaymentState
from .errors import InvalidSignature
from .exports import EXPORTERS
from .forms import (
    BillingSettingsForm,
    CorrectInvoiceForm,
    FinanceFilterForm,
    PayByInvoiceForm,
    RecordTransferForm,
    RefundForm,
    ResolveReviewForm,
)
from .invoices import render_invoice_pdf
from .services import balances as balance_services
from .services import dunning
from .services import invoicing as invoice_services
from .services import payments as payment_services
from .services import refunds as refund_services
from .services.dunning import REMINDER_INTERVAL

log = logging.getLogger(__name__)


# --- Stripe webhook -----------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify the signature (400 and nothing changes if it fails), then handle the event once."""
    try:
        event = stripe_edge.verify_webhook(request.body, request.headers.get("Stripe-Signature"))
    except InvalidSignature as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return HttpResponseBadRequest("invalid signature", content_type="text/plain")
    outcome = payment_services.process_webhook_event(event=event)
    return JsonResponse({"received": True, "outcome": outcome})


# --- the delegate's side (secret link) ----------------------------------------------------------


def _order_by_secret(congress_slug: str, code: str, secret: str) -> Order:
    return get_by_secret_or_404(
        Order.objects.select_related("congress").filter(congress__slug=congress_slug),
        secret=secret,
        matching={"code": code},
    )


def _order_page(order: Order) -> str:
    try:
        return order.get_absolute_url()
    except NoReverseMatch:  # the registration pages may not be mounted (yet)
        return reverse("payments:order_payment", kwargs=selectors.order_kwargs(order))


@require_safe
def order_payment(request, congress_slug: str, code: str, secret: str):
    """The payment part of the order page on its own (the order page includes the same partial)."""
    order = _order_by_secret(congress_slug, code, secret)
    return render(
        request, "registrations/payments/order_payment_page.html", selectors.payment_context(order)
    )


@require_GET
def card_payment(request, congress_slug: str, code: str, secret: str):
    order = _order_by_secret(congress_slug, code, secret)
    try:
        payment = payment_services.start_card_payment(order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_order_page(order))
    kwargs = selectors.order_kwargs(order)
    return render(
        request,
        "registrations/payments/card.html",
        {
            "order": order,
            "congress": order.congress,
            "payment": payment,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_config": {
                "publishableKey": stripe_edge.publishable_key(),
                "clientSecret": payment.client_secret,
                "paymentId": payment.pk,
                "returnUrl": request.build_absolute_uri(
                    reverse("payments:card_return", kwargs=kwargs)
                ),
                "confirmUrl": reverse("payments:card_confirm", kwargs=kwargs),
                "locale": order.language or "auto",
            },
        },
    )


@require_POST
def card_confirm(request, congress_slug: str, code: str, secret: str):
    """The emulator path: the browser tokenised the card; attach it and confirm server-side."""
    order = _order_by_secret(congress_slug, code, secret)
    try:
        data = json.loads(request.body or b"{}")
        payment = get_object_or_404(Payment, pk=int(data.get("payment")), order=order)
        token = str(data.get("token") or "")
    except (ValueError, TypeError):
        return JsonResponse({"error": _("The request was not understood.")}, status=400)
    if not token.startswith("tok_"):
        return JsonResponse({"error": _("The card details were not accepted.")}, status=400)
    try:
        payment = payment_services.confirm_card_payment_with_token(
            order=order, payment=payment, token=token
        )
    except DomainError as exc:
        return JsonResponse({"error": str(exc.message)}, status=exc.status_code)
    order.refresh_from_db()
    return JsonResponse(
        {
            "state": payment.state,
            "order_status": order.status,
            "redirect": _order_page(order),
            "error": payment.failure_message,
        }
    )


@require_GET
def card_return(request, congress_slug: str, code: str, secret: str):
    """Stripe.js redirects here after confirmPayment: ask Stripe, settle, show the order."""
    order = _order_by_secret(congress_slug, code, secret)
    intent_id = request.GET.get("payment_intent", "")
    payment = order.payments.filter(provider=PaymentProvider.STRIPE, provider_id=intent_id).first()
    if payment is None:
        messages.error(request, _("We could not find this payment."))
        return redirect(_order_page(order))
    try:
        outcome = payment_services.refresh_card_payment(payment=payment)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_order_page(order))
    payment.refresh_from_db()
    if payment.state == PaymentState.SUCCEEDED and outcome in ("paid", "already_settled"):
        messages.success(request, _("Thank you: your payment was received."))
    elif payment.state == PaymentState.FAILED:
        messages.error(request, payment.failure_message or _("The payment failed."))
    return redirect(_order_page(order))


@require_http_methods(["GET", "HEAD", "POST"])
def pay_by_invoice(request, congress_slug: str, code: str, secret: str):
    order = _order_by_secret(congress_slug, code, secret)
    refusal = payment_services.payment_refusal(order)
    if refusal:
        messages.error(request, refusal)
        return redirect(_order_page(order))
    try:
        payment_services.refuse_if_method_off(order, PaymentProvider.BANK_TRANSFER)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_order_page(order))
    issued = invoice_services.current_invoice(order)
    if issued is not None:
        messages.info(
            request,
            _(
                "Invoice %(number)s was already issued for this order. To change its details, "
                "please contact the organisers."
            )
            % {"number": issued.full_number},
        )
        return redirect(_order_page(order))
    instance = BillingDetails.objects.filter(order=order).first()
    initial = {} if instance else {"name": order.contact_name, "email": order.email}
    form = PayByInvoiceForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        billing = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            invoice = payment_services.request_invoice_payment(order=order, billing=billing)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Invoice %(number)s is ready; it was also sent by e-mail.")
                % {"number": invoice.full_number},
            )
            return redirect(_order_page(order))
    return render(
        request,
        "registrations/payments/pay_by_invoice.html",
        {"order": order, "congress": order.congress, "form": form},
    )


def _pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def invoice_pdf(request, congress_slug: str, code: str, secret: str, number: str):
    order = _order_by_secret(congress_slug, code, secret)
    invoice = get_object_or_404(Invoice, order=order, full_number=number)
    return _pdf_response(invoice)


def _einvoice_response(invoice: Invoice, suffix: str) -> HttpResponse:
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        raise Http404(_("This electronic invoice format is not offered."))
    document = render_einvoice(invoice, fmt)
    response = HttpResponse(document.content, content_type=document.mimetype)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def einvoice(request, congress_slug: str, code: str, secret: str, number: str, fmt: str):
    """The buyer's e-invoice (Factur-X, XRechnung, Peppol) behind the order's secret link."""
    order = _order_by_secret(congress_slug, code, secret)
    invoice = get_object_or_404(
        Invoice.objects.select_related("order", "congress", "corrects"),
        order=order,
        full_number=number,
    )
    return _einvoice_response(invoice, fmt)


# --- finance staff --------------------------------------------------------------------------------


def _today(congress: Congress):
    return timezone.localdate(timezone=congress.tz)


PER_PAGE = 50


def _finance_list(request, congress: Congress, *, default_view: str):
    """The finance list's form, its parsed filters and the orders they select."""
    today = _today(congress)
    form = FinanceFilterForm(request.GET, congress=congress, default_view=default_view)
    filters = form.filters()
    orders = selectors.search_finance_orders(
        selectors.filter_view(
            selectors.finance_orders(congress=congress, today=today), filters["view"], today
        ),
        filters=filters,
        congress=congress,
        today=today,
    )
    return form, filters, orders, today


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_overview(request, congress: Congress):
    """The finance list: every order with money, searched, filtered, sorted and paginated on
    the server, with the totals of what is filtered; the overdue view sends reminders."""
    form, filters, orders, today = _finance_list(
        request, congress, default_view=FinanceView.PENDING
    )
    page = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    query = form.query_items()
    return render(
        request,
        "registrations/payments/manage/overview.html",
        {
            "congress": congress,
            "form": form,
            "page": page,
            "orders": page.object_list,
            "view": filters["view"],
            "views": FinanceView.choices,
            "counts": selectors.finance_counts(congress=congress, today=today),
            "totals": selectors.finance_totals(orders),
            "query": urlencode(query),
            "query_without_view": urlencode({k: v for k, v in query.items() if k != "view"}),
            "card_available": stripe_edge.card_payments_available(),
            "today": today,
            "statuses": OrderStatus,
            "overdue_view": filters["view"] == FinanceView.OVERDUE,
            "reminder_interval_hours": int(REMINDER_INTERVAL.total_seconds() // 3600),
            "recently": timezone.now() - REMINDER_INTERVAL,
        },
    )


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
@reauth_required
def finance_export(request, congress: Congress, fmt: str):
    """Exactly the orders the list shows for the same query string (every page), audited."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404
    form, filters, orders, _today_ = _finance_list(request, congress, default_view="all")
    orders = list(orders)
    export = exporter()
    response = export.attachment(
        export.render(orders),
        filename=export.filename_for(f"{congress.slug}-payments-{filters['view']}"),
    )
    audit.record_export(
        congress=congress,
        actor=request.user,
        export="payments.orders",
        fmt=export.identifier,
        rows=len(orders),
        filters=form.query_items(),
    )
    return response


MAX_SELECTED = 1000


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_remind(request, congress: Congress):
    """Bulk payment reminders for overdue invoices: the selected orders, or every overdue order
    the filter matches. A first POST shows how many will be sent; the second sends them."""
    if request.POST.get("scope") == "filter":
        _form, _filters, orders, today = _finance_list(
            request, congress, default_view=FinanceView.OVERDUE
        )
        orders = orders.filter(selectors.overdue_q(today))
        codes = []
    else:
        codes = [code[:12] for code in request.POST.getlist("order")[:MAX_SELECTED]]
        today = _today(congress)
        orders = selectors.finance_orders(congress=congress, today=today).filter(
            selectors.overdue_q(today), code__in=codes
        )
    back = reverse("payments:manage", kwargs={"congress_slug": congress.slug})
    back += "?" + urlencode({"view": FinanceView.OVERDUE})
    recently = timezone.now() - REMINDER_INTERVAL
    ids = list(orders.order_by().values_list("pk", flat=True))
    if not ids:
        messages.error(request, _("None of the selected orders has an overdue invoice."))
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        skipped = InvoiceReminder.objects.filter(order_id__in=ids, sent_at__gt=recently)
        return render(
            request,
            "registrations/payments/manage/remind_confirm.html",
            {
                "congress": congress,
                "count": len(ids),
                "recent": skipped.values("order").distinct().count(),
                "codes": codes,
                "scope": request.POST.get("scope", ""),
                "filter_items": request.GET.items(),
                "action": request.get_full_path(),
                "back": back,
                "reminder_interval_hours": int(REMINDER_INTERVAL.total_seconds() // 3600),
            },
        )
    outcome = dunning.send_invoice_reminders(congress=congress, order_ids=ids, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(sent)d reminder sent (%(skipped)d skipped).",
            "%(sent)d reminders sent (%(skipped)d skipped).",
            outcome.sent,
        )
        % {"sent": outcome.sent, "skipped": outcome.skipped},
    )
    return redirect(back)


def _finance_order(congress: Congress, code: str) -> Order:
    return get_object_or_404(Order.objects.select_related("congress"), congress=congress, code=code)


@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_order(request, congress: Congress, code: str):
    order = _finance_order(congress, code)
    return render(
        request,
        "registrations/payments/manage/order.html",
        {
            "congress": congress,
            "order": order,
            "payments": order.payments.select_related("recorded_by").order_by("created_at"),
            "refunds": order.refunds.select_related("payment").order_by("created_at"),
            "invoices": order.invoices.select_related("corrects").order_by("issued_at", "id"),
            "received": payment_services.amount_received(order),
            "refunded": payment_services.amount_refunded(order),
            "refundable": refund_services.refundable_amount(order),
            "transfer_form": RecordTransferForm(),
            "refund_form": RefundForm(),
            "correct_form": CorrectInvoiceForm(),
            "may_resolve_review": balance_services.review_may_be_resolved(order),
            "review_form": ResolveReviewForm(
                initial={
                    "fingerprint": fingerprint(order, balance_services.REVIEW_FINGERPRINT_FIELDS)
                }
            ),
            "quote": Quote.objects.filter(order=order).first(),
        },
    )


def _post_action(request, congress, code, form_class, action):
    order = _finance_order(congress, code)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            text = action(order, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, text)
    if request.POST.get("back") == "order":  # the registration order page's finance actions
        return redirect("registrations:manage_order", congress_slug=congress.slug, code=order.code)
    return redirect("payments:manage_order", congress_slug=congress.slug, code=order.code)


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_record_transfer(request, congress: Congress, code: str):
    def action(order, data):
        payment_services.record_bank_transfer(order=order, by=request.user, **data)
        return _("Transfer recorded.")

    return _post_action(request, congress, code, RecordTransferForm, action)


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
@reauth_required
def finance_refund(request, congress: Congress, code: str):
    def action(order, data):
        refund_services.request_refund(order=order, by=request.user, **data)
        return _("Refund requested; it is final once Stripe confirms it.")

    return _post_action(request, congress, code, RefundForm, action)


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_resolve_review(request, congress: Congress, code: str):
    def action(order, data):
        balance_services.resolve_review(
            order=order, by=request.user, note=data["note"], shown=data["fingerprint"]
        )
        return _("Marked as reviewed.")

    return _post_action(request, congress, code, ResolveReviewForm, action)


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_issue_invoice(request, congress: Congress, code: str):
    order = _finance_order(congress, code)
    try:
        invoice = invoice_services.issue_invoice(order=order, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invoice %s issued.") % invoice.full_number)
    return redirect("payments:manage_order", congress_slug=congress.slug, code=order.code)


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_correct_invoice(request, congress: Congress, code: str, number: str):
    invoice = get_object_or_404(Invoice, congress=congress, order__code=code, full_number=number)

    def action(order, data):
        note, new = invoice_services.correct_invoice(
            invoice=invoice, reason=data["reason"], by=request.user
        )
        return _("Credit note %(note)s and invoice %(new)s issued.") % {
            "note": note.full_number,
            "new": new.full_number,
        }

    return _post_action(request, congress, code, CorrectInvoiceForm, action)


@require_GET
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_invoice_pdf(request, congress: Congress, number: str):
    invoice = get_object_or_404(
        Invoice.objects.select_related("order", "congress"), congress=congress, full_number=number
    )
    return _pdf_response(invoice)


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_einvoice(request, congress: Congress, number: str, fmt: str):
    invoice = get_object_or_404(
        Invoice.objects.select_related("order", "congress", "corrects"),
        congress=congress,
        full_number=number,
    )
    return _einvoice_response(invoice, fmt)


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_settings(request, congress: Congress):
    """Billing settings and payment methods, saved together or not at all."""
    current = invoice_services.billing_settings_for(congress)
    methods = RegistrationSettings.objects.filter(
        congress=congress
    ).first() or RegistrationSettings(congress=congress)
    form = BillingSettingsForm(
        request.POST if request.method == "POST" else None, instance=current, methods=methods
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                invoice_services.update_billing_settings(
                    congress=congress,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint") or "",
                    **form.billing_fields(),
                )
                update_registration_settings(
                    congress=congress,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("methods_fingerprint") or "",
                    **form.payment_method_values(),
                )
        except EditConflict as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Payment settings saved."))
            return redirect("payments:manage_settings", congress_slug=congress.slug)
    secret_key = settings.STRIPE_SECRET_KEY
    return render(
        request,
        "registrations/payments/manage/settings.html",
        {
            "congress": congress,
            "form": form,
            "card_available": stripe_edge.card_payments_available(),
            "stripe_test_mode": secret_key.startswith(("sk_test_", "rk_test_")),
            "stripe_emulator": bool(settings.STRIPE_API_BASE),
            "webhook_configured": bool(settings.STRIPE_WEBHOOK_SECRET),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
