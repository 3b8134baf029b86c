"""Quotes, from both sides: the buyer asks for one and accepts it behind the order's secret
link; finance staff list them, issue one for an order and accept one when the purchase order
arrives. Each view parses input and calls one service (``services.quotes``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from ..models import BillingDetails, Quote
from .enums import QuoteStatus
from .forms import AcceptQuoteForm, PayByInvoiceForm, QuoteFilterForm
from .quotes import render_quote_pdf
from .services import quotes as quote_services
from .views import _order_by_secret, _order_page

PER_PAGE = 50


def _pdf(quote: Quote) -> HttpResponse:
    response = HttpResponse(render_quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _billing_form(request, order):
    instance = BillingDetails.objects.filter(order=order).first()
    initial = {} if instance else {"name": order.contact_name, "email": order.email}
    return PayByInvoiceForm(request.POST or None, instance=instance, initial=initial)


def _billing(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


# --- the buyer --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def request_quote(request, congress_slug: str, code: str, secret: str):
    """ "My city needs a quote first": billing details in, a quote holding the seats out."""
    order = _order_by_secret(congress_slug, code, secret)
    existing = Quote.objects.filter(order=order).first()
    if existing is not None:
        return redirect(
            "payments:accept_quote", congress_slug=congress_slug, code=code, secret=secret
        )
    form = _billing_form(request, order)
    if request.method == "POST" and form.is_valid():
        try:
            quote = quote_services.create_quote(
                order=order, billing=_billing(form), requested_by_buyer=True
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Quote %(number)s is ready; it was also sent by e-mail.")
                % {"number": quote.full_number},
            )
            return redirect(_order_page(order))
    return render(
        request,
        "registrations/payments/request_quote.html",
        {"order": order, "congress": order.congress, "form": form},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def accept_quote(request, congress_slug: str, code: str, secret: str):
    """The purchase order arrived: its number (and the routing ids) turn the quote into the
    invoice."""
    order = _order_by_secret(congress_slug, code, secret)
    quote = get_object_or_404(Quote, order=order)
    form = AcceptQuoteForm(request.POST or None, initial=_initial_references(order))
    if request.method == "POST" and form.is_valid():
        try:
            invoice = quote_services.accept_quote(quote=quote, references=form.references())
        except DomainError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:  # a routing id the billing details refuse
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Invoice %(number)s is ready; it was also sent by e-mail.")
                % {"number": invoice.full_number},
            )
            return redirect(_order_page(order))
    return render(
        request,
        "registrations/payments/accept_quote.html",
        {
            "order": order,
            "congress": order.congress,
            "form": form,
            "quote": quote,
            "pdf_url": reverse(
                "payments:quote_pdf",
                kwargs={
                    "congress_slug": congress_slug,
                    "code": code,
                    "secret": secret,
                    "number": quote.full_number,
                },
            ),
        },
    )


def _initial_references(order) -> dict:
    details = BillingDetails.objects.filter(order=order).first()
    if details is None:
        return {}
    return {name: getattr(details, name) for name in quote_services.ACCEPTANCE_FIELDS}


@require_safe
def quote_pdf(request, congress_slug: str, code: str, secret: str, number: str):
    order = _order_by_secret(congress_slug, code, secret)
    return _pdf(
        get_object_or_404(
            Quote.objects.select_related("order", "congress"), order=order, full_number=number
        )
    )


# --- finance staff ----------------------------------------------------------------------------


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_quotes(request, congress: Congress):
    """Every quote of the congress, newest first, filtered by status and searched by number,
    order reference or buyer; paginated on the server."""
    form = QuoteFilterForm(request.GET)
    quotes = form.filter(
        Quote.objects.filter(congress=congress).select_related("order", "invoice")
    ).order_by("-number")
    page = Paginator(quotes, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/payments/manage/quotes.html",
        {
            "congress": congress,
            "form": form,
            "page": page,
            "quotes": page.object_list,
            "query": query.urlencode(),
            "statuses": QuoteStatus,
            "accept_form": AcceptQuoteForm(),
        },
    )


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_quote_pdf(request, congress: Congress, number: str):
    return _pdf(
        get_object_or_404(
            Quote.objects.select_related("order", "congress"), congress=congress, full_number=number
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_create_quote(request, congress: Congress, code: str):
    """A quote from the back office (a finance office that wrote in rather than clicked)."""
    from .views import _finance_order

    order = _finance_order(congress, code)
    form = _billing_form(request, order)
    if request.method == "POST" and form.is_valid():
        try:
            quote = quote_services.create_quote(
                order=order, billing=_billing(form), by=request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Quote %(number)s issued.") % {"number": quote.full_number})
            return redirect("payments:manage_quotes", congress_slug=congress.slug)
    return render(
        request,
        "registrations/payments/manage/create_quote.html",
        {"congress": congress, "order": order, "form": form},
    )


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def finance_accept_quote(request, congress: Congress, number: str):
    quote = get_object_or_404(
        Quote.objects.select_related("order"), congress=congress, full_number=number
    )
    form = AcceptQuoteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            invoice = quote_services.accept_quote(
                quote=quote, references=form.references(), by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(
                request,
                _("Quote %(quote)s accepted: invoice %(invoice)s issued.")
                % {"quote": quote.full_number, "invoice": invoice.full_number},
            )
    return redirect(f"{reverse('payments:manage_quotes', args=[congress.slug])}")
