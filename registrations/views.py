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
from .enums import AfterPlacing, NameOrder
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
    AfterPlacingForm,
    CancelForm,
    DelegateCancelForm,
    DelegateEditForm,
    StartForm,
    WaitingListForm,
)
from .lifecycle import OrderStatus
from .list_forms import DelegateListForm, selected_ids
from .models.invoices import shown_tax_label
from .names import full_name
from .payments.services.invoicing import billing_settings_for, split_tax
from .payments.services.order_changes import cancel_own_delegate
from .saved_filter_pages import SavedFilterForm
from .services.delegates import delegate_cancellation_terms, single_cancellation_open
from .services.orders import (
    cancel_own_order,
    cancellation_terms,
    edit_deadline,
    place_order,
    preview_order,
    set_delegate_photo,
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
    after = AfterPlacingForm(data)
    already_placed = None
    step = data.get("step", "")
    if step == "edit":  # "Change" on the summary: the form again, as typed
        return page.response(request, contact, formset)
    consent_missing = step == "confirm" and not data.get("consent")
    if (
        contact.is_valid()
        and formset.is_valid()
        and (step != "confirm" or consent_missing or not after.is_valid())
    ):
        summary = _summary(
            request, page, contact, formset, consent_missing=consent_missing, after=after
        )
        if summary is not None:
            return summary
    elif contact.is_valid() and formset.is_valid():
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
            return redirect(_after_placing(order, after.chosen()))
    status = 409 if already_placed else 400
    return page.response(request, contact, formset, status=status, already_placed=already_placed)


def _after_placing(order, chosen: str) -> str:
    """Where a placed order goes: the quote page if a public body asked for a quote and the
    order has something to pay, otherwise the order's page (card or invoice)."""
    if chosen == AfterPlacing.QUOTE and order.status == lifecycle.HELD_STATUS and order.total > 0:
        return reverse(
            "payments:request_quote",
            kwargs={
                "congress_slug": order.congress.slug,
                "code": order.code,
                "secret": order.secret,
            },
        )
    return order.get_absolute_url()


def _summary(
    request,
    page: form_page.FormPage,
    contact,
    formset,
    *,
    consent_missing: bool,
    after: AfterPlacingForm,
):
    """The step before "Confirm": every delegate with their price, the total with its tax, the
    cancellation terms and the privacy notice, and the consent the order needs. What was typed
    goes along in hidden fields (the same order token: a double submit is still one order).
    None when the preview refused the order: the form is shown again with the reason."""
    congress = page.congress
    voucher = contact.cleaned_data["voucher"]
    if voucher:
        rate_limits.check(request, name="voucher", count=False)
    try:
        priced = preview_order(
            congress=congress,
            delegates=page.new_delegates(formset),
            voucher_code=voucher,
            offer=page.offer,
        )
    except DomainError as exc:
        if isinstance(exc, VoucherInvalid):
            rate_limits.check(request, name="voucher")  # a wrong code counts as a guess
        contact.add_error(_error_field(exc), exc.message)
        return page.response(request, contact, formset, status=400)
    billing = billing_settings_for(congress)
    net, tax = split_tax(gross=priced.total, rate=billing.tax_rate, reverse_charge=False)
    reg_settings = selectors.registration_settings(congress)
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "step", "consent", "after")
        for value in values
    ]
    return render(
        request,
        "registrations/summary.html",
        {
            "congress": congress,
            "contact": contact.cleaned_data,
            "lines": [
                {
                    "delegate": item.details,
                    "name": full_name(
                        item.details.get("given_name", ""),
                        item.details.get("family_name", ""),
                        country=str(item.details.get("country") or ""),
                        order=item.details.get("name_order") or NameOrder.AUTO,
                    ),
                    "type": item.registration_type,
                    "price": price,
                }
                for item, price, _tier, _used in priced.lines
            ],
            "total": priced.total,
            "tax": tax,
            "tax_rate": billing.tax_rate,
            "tax_label": shown_tax_label(billing.tax_label),
            "status": priced.status,
            "review": priced.review,
            "statuses": OrderStatus,
            "reg_settings": reg_settings,
            "hold_minutes": int(reg_settings.hold.total_seconds() // 60),
            "cancellation_deadline": reg_settings.cancellation_deadline or congress.starts_at,
            "hidden": hidden,
            "consent_missing": consent_missing,
            "after": after,
            "quote_offered": priced.status == OrderStatus.PENDING_PAYMENT
            and priced.total > 0
            and reg_settings.accept_bank_transfer,
        },
        status=400 if consent_missing or after.errors else 200,
    )


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
            "approval_payment_days": (
                selectors.registration_settings(order.congress).approval_payment_days
                if order.status == OrderStatus.AWAITING_APPROVAL
                else None
            ),
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
        form = DelegateEditForm(request.POST, request.FILES, instance=delegate, **kwargs)
        if form.is_valid():
            try:
                update_own_delegate(delegate=delegate, changes=form.changes(), answers=form.answers)
                photo = form.cleaned_data.get("photo")
                if photo or form.cleaned_data.get("remove_photo"):
                    set_delegate_photo(delegate=delegate, photo=photo, actor_label=order.email)
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


PER_PAGE = 50


def _delegate_list_form(request, congress: Congress) -> DelegateListForm:
    return DelegateListForm(request.GET, types=selectors.registration_types(congress))


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def manage_list(request, congress: Congress):
    """Search, filter, sort and page through delegates; figures per type and status; export
    exactly what is shown. Everything lives in the query string."""
    form = _delegate_list_form(request, congress)
    delegates = selectors.organiser_delegates(congress=congress, filters=form.filters())
    page = Paginator(delegates, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    export_query.pop("col", None)
    return render(
        request,
        "registrations/manage/list.html",
        {
            "congress": congress,
            "form": form,
            "page": page,
            "figures": selectors.figures(congress),
            "columns": form.columns(),
            "query": query.urlencode(),
            "export_query": export_query.urlencode(),
            "carried": [(k, v) for k, values in export_query.lists() for v in values],
            "can_manage": has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress),
            "can_write": has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress),
            "saved_filters": selectors.saved_filters(congress, request.user),
            "saved_filter_form": SavedFilterForm(),
        },
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
@reauth_required
def manage_export(request, congress: Congress, fmt: str):
    """The delegates the list shows for the same query string, as CSV or XLSX (audited); with
    ``selected`` ids (the list's bulk menu), only those of them."""
    exporter = EXPORTS.get(fmt)
    if exporter is None:
        raise Http404
    form = _delegate_list_form(request, congress)
    delegates = selectors.organiser_delegates(congress=congress, filters=form.filters())
    ids, _malformed = selected_ids(request.GET)
    if ids or "selected" in request.GET:
        delegates = delegates.filter(pk__in=ids)
    response = exporter.response(congress=congress, delegates=delegates)
    audit.record_export(
        congress=congress,
        actor=request.user,
        export="registrations.delegates",
        fmt=exporter.identifier,
        rows=delegates.count(),
        filters={**form.described(), **({"selected": len(ids)} if ids else {})},
    )
    return response
