"""Public registration, the delegate's self-service page and the organisers' list (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.accounts.reauth import reauth_required
from events_site.congresses import audit, rate_limits
from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import form_cache, form_page, lifecycle, selectors
from .errors import (
    OfferInvalid,
    OrderAlreadyPlaced,
    RegistrationClosed,
    RegistrationError,
    TooManyUnpaidOrders,
    VoucherExhausted,
    VoucherInvalid,
    VoucherRequired,
)
from .exports import EXPORTS
from .forms import (
    CancelForm,
    DelegateCancelForm,
    DelegateEditForm,
    StartForm,
    WaitingListForm,
)
from .lifecycle import OrderStatus
from .payments.services.order_changes import cancel_own_delegate
from .services.delegates import delegate_cancellation_terms, single_cancellation_open
from .services.orders import (
    cancel_own_order,
    cancellation_terms,
    edit_deadline,
    place_order,
    update_own_delegate,
)
from .services.waiting_list import join_waiting_list, live_offer


def _public_congress(congress_slug: str) -> Congress:
    congress = selectors.congress_with_settings(congress_slug)
    if congress is None or not congress.is_public:
        raise Http404
    return congress


def start(request, congress_slug: str):
    """Step one: the types on sale with today's prices and seats; sold-out ones offer the
    waiting list. A waiting-list offer link lands here too."""
    congress = _public_congress(congress_slug)
    if "offer" in request.GET:
        try:
            entry = live_offer(congress=congress, token=request.GET["offer"])
        except OfferInvalid as exc:
            messages.error(request, str(exc))
            return redirect("registrations:start", congress_slug=congress.slug)
        url = reverse("registrations:details", kwargs={"congress_slug": congress.slug})
        return redirect(f"{url}?offer={entry.token}")
    types = selectors.types_on_sale(congress)
    max_delegates = selectors.registration_settings(congress).max_delegates_per_order
    return _start_page(request, congress, StartForm(types=types, max_delegates=max_delegates))


def _start_page(request, congress, form: StartForm, status: int = 200):
    types = form.fields["registration_type"].queryset
    return render(
        request,
        "registrations/start.html",
        {
            "congress": congress,
            "rows": form_page.type_rows(congress, list(types)),
            "form": form,
            "waiting_form": WaitingListForm(congress=congress, types=types),
            "settings": selectors.registration_settings(congress),
            "is_open": congress.registration_is_open,
        },
        status=status,
    )


@require_http_methods(["POST"])
def waiting_list(request, congress_slug: str):
    congress = _public_congress(congress_slug)
    types = selectors.types_on_sale(congress)
    form = WaitingListForm(request.POST, congress=congress, types=types)
    if form.is_valid():
        try:
            join_waiting_list(
                congress=congress,
                registration_type=form.cleaned_data["registration_type"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
            )
        except RegistrationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("You are on the waiting list. We will e-mail you if a seat frees up.")
            )
            return redirect("registrations:start", congress_slug=congress.slug)
    return render(
        request,
        "registrations/waiting_list.html",
        {"congress": congress, "waiting_form": form},
        status=400,
    )


def _error_field(exc: DomainError) -> str | None:
    if isinstance(exc, VoucherInvalid | VoucherExhausted | VoucherRequired):
        return "voucher"
    if isinstance(exc, TooManyUnpaidOrders):
        return exc.field
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@form_cache.cached
def details(request, congress_slug: str):
    """Step two: the contact and a formset of delegates; one valid POST places one order.
    The blank page is kept and served by :mod:`registrations.form_cache` with fresh tokens."""
    congress = _public_congress(congress_slug)
    data = request.POST if request.method == "POST" else None
    offer_token = (request.GET if data is None else data).get("offer", "")
    try:
        page = form_page.FormPage.open(congress, offer_token=offer_token)
    except (OfferInvalid, RegistrationClosed) as exc:
        messages.error(request, str(exc))
        return redirect("registrations:start", congress_slug=congress.slug)
    if data is None:
        return _blank_details(request, page)
    contact, formset = page.contact(data), page.formset(data)
    already_placed = None
    if contact.is_valid() and formset.is_valid():
        rate_limits.check(request, name="order_placement")
        if contact.cleaned_data["voucher"]:
            rate_limits.check(request, name="voucher", count=False)
        try:
            order = place_order(
                congress=congress,
                contact_name=contact.cleaned_data["contact_name"],
                email=contact.cleaned_data["email"],
                language=contact.cleaned_data["language"],
                delegates=page.new_delegates(formset),
                voucher_code=contact.cleaned_data["voucher"],
                idempotency_key=contact.cleaned_data["token"],
                offer=page.offer,
                client_address=rate_limits.client_address(request),
            )
        except OrderAlreadyPlaced as exc:
            # The same token with another body: say so, with the order's link, and keep what
            # was typed on the page under a fresh token (sent again, a new order).
            already_placed = exc
            data = data.copy()
            data["token"] = form_cache.new_order_token()
            contact, formset = page.contact(data), page.formset(data)
        except DomainError as exc:  # includes Busy: the lock was not free in time
            if isinstance(exc, VoucherInvalid):
                rate_limits.check(request, name="voucher")  # a wrong code counts as a guess
            contact.add_error(_error_field(exc), exc.message)
        else:
            return redirect(order.get_absolute_url())
    status = 409 if already_placed else 400
    return page.response(request, contact, formset, status=status, already_placed=already_placed)


def _blank_details(request, page: form_page.FormPage):
    """The empty form for step one's choice (or the offer's type); a bad choice is step one
    again with its errors."""
    if page.offer:
        return page.blank_response(
            request, chosen=page.offer.registration_type, count=1, voucher=""
        )
    start_form = StartForm(request.GET, types=page.types, max_delegates=page.max_delegates)
    if start_form.is_valid():
        return page.blank_response(
            request,
            chosen=start_form.cleaned_data["registration_type"],
            count=start_form.cleaned_data["delegates"],
            voucher=start_form.cleaned_data["voucher"],
        )
    if request.GET:
        return _start_page(request, page.congress, start_form, status=400)
    return page.blank_response(request, chosen=None, count=1, voucher="")


def order_detail(request, congress_slug: str, code: str, secret: str):
    order = selectors.order_for_link(congress_slug=congress_slug, code=code, secret=secret)
    delegates = selectors.order_delegates(order)
    active = sum(1 for delegate in delegates if not delegate.is_cancelled)
    return render(
        request,
        "registrations/order.html",
        {
            "congress": order.congress,
            "order": order,
            "delegates": delegates,
            "can_edit": order.status not in lifecycle.ENDED_STATUSES and not _edit_closed(order),
            "edit_deadline": edit_deadline(order),
            "cancel": cancellation_terms(order=order),
            # One delegate at a time while more than one is registered; the last one cancels
            # the order through the whole-order link.
            "can_cancel_delegates": single_cancellation_open(order, active=active),
            "statuses": OrderStatus,
        },
    )


def _edit_closed(order) -> bool:
    return timezone.now() > edit_deadline(order)


def order_pdf(request, congress_slug: str, code: str, secret: str):
    from .pdf import confirmation_pdf

    order = selectors.order_for_link(congress_slug=congress_slug, code=code, secret=secret)
    if not order.is_paid:
        raise Http404
    content = confirmation_pdf(order=order, delegates=selectors.order_delegates(order))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="confirmation-{order.code}.pdf"'
    return response


def _order_delegate(order, delegate_secret: str):
    """The order's delegate behind ``delegate_secret``; a secret of another order is a 404."""
    return selectors.order_delegate(order, delegate_secret)


@require_http_methods(["GET", "HEAD", "POST"])
def delegate_edit(request, congress_slug: str, code: str, secret: str, delegate_secret: str):
    order = selectors.order_for_link(congress_slug=congress_slug, code=code, secret=secret)
    delegate = _order_delegate(order, delegate_secret)
    answers = {answer.question_id: answer.value for answer in delegate.answers.all()}
    questions = selectors.questions_for(order.congress)
    kwargs = {"congress": order.congress, "questions": questions, "answers": answers}
    if request.method == "POST":
        form = DelegateEditForm(request.POST, instance=delegate, **kwargs)
        if form.is_valid():
            try:
                update_own_delegate(delegate=delegate, changes=form.changes(), answers=form.answers)
            except RegistrationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The details were saved."))
                return redirect(order.get_absolute_url())
    else:
        form = DelegateEditForm(instance=delegate, **kwargs)
    return render(
        request,
        "registrations/delegate_edit.html",
        {"congress": order.congress, "order": order, "delegate": delegate, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def delegate_cancel(request, congress_slug: str, code: str, secret: str, delegate_secret: str):
    """Cancel one delegate of the order (the last one cancels the order): GET shows the terms,
    POST with the confirmation box ticked cancels."""
    order = selectors.order_for_link(congress_slug=congress_slug, code=code, secret=secret)
    delegate = _order_delegate(order, delegate_secret)
    terms = delegate_cancellation_terms(delegate=delegate)
    form = DelegateCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_own_delegate(delegate=delegate, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The registration of %(name)s was cancelled.") % {"name": delegate.printed_name},
            )
            return redirect(order.get_absolute_url())
    return render(
        request,
        "registrations/delegate_cancel.html",
        {
            "congress": order.congress,
            "order": order,
            "delegate": delegate,
            "terms": terms,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def order_cancel(request, congress_slug: str, code: str, secret: str):
    order = selectors.order_for_link(congress_slug=congress_slug, code=code, secret=secret)
    terms = cancellation_terms(order=order)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_own_order(order=order, reason=form.cleaned_data["reason"])
        except RegistrationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your order was cancelled."))
            return redirect(order.get_absolute_url())
    return render(
        request,
        "registrations/order_cancel.html",
        {"congress": order.congress, "order": order, "terms": terms, "form": form},
        status=400 if form.errors else 200,
    )


# --- organisers -----------------------------------------------------------------------------


@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def manage_list(request, congress: Congress):
    """Search, filter and page through delegates; figures per type and status; export."""
    search = request.GET.get("q", "").strip()[:200]
    type_code = request.GET.get("type", "")
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    delegates = selectors.organiser_delegates(
        congress=congress, search=search, registration_type=type_code, status=status
    )
    page = Paginator(delegates, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/list.html",
        {
            "congress": congress,
            "page": page,
            "figures": selectors.figures(congress),
            "types": selectors.types_on_sale(congress),
            "statuses": OrderStatus.choices,
            "search": search,
            "type_code": type_code,
            "status": status,
            "query": query.urlencode(),
            "can_manage": has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress),
        },
    )


@congress_perm_required(Perm.VIEW_REGISTRATIONS)
@reauth_required
def manage_export(request, congress: Congress, fmt: str):
    exporter = EXPORTS.get(fmt)
    if exporter is None:
        raise Http404
    filters = {
        "q": request.GET.get("q", "").strip()[:200],
        "type": request.GET.get("type", ""),
        "status": request.GET.get("status", "")
        if request.GET.get("status") in OrderStatus.values
        else "",
    }
    delegates = selectors.organiser_delegates(
        congress=congress,
        search=filters["q"],
        registration_type=filters["type"],
        status=filters["status"],
    )
    response = exporter.response(congress=congress, delegates=delegates)
    audit.record_export(
        congress=congress,
        actor=request.user,
        export="registrations.delegates",
        fmt=exporter.identifier,
        rows=delegates.count(),
        filters=filters,
    )
    return response
