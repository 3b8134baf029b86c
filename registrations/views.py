"""Public registration, the delegate's self-service page and the organisers' list (thin views)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.congresses import soft_cache
from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import lifecycle, page_cache, selectors
from .errors import (
    OfferInvalid,
    OrderAlreadyPlaced,
    RegistrationError,
    VoucherExhausted,
    VoucherInvalid,
    VoucherRequired,
)
from .exports import EXPORTS
from .forms import (
    CancelForm,
    ContactForm,
    DelegateCancelForm,
    DelegateEditForm,
    StartForm,
    WaitingListForm,
    delegate_formset_class,
    new_order_token,
)
from .lifecycle import OrderStatus
from .payments.services.order_changes import cancel_own_delegate
from .services.delegates import delegate_cancellation_terms, single_cancellation_open
from .services.orders import (
    NewDelegate,
    cancel_own_order,
    cancellation_terms,
    edit_deadline,
    place_order,
    update_own_delegate,
)
from .services.pricing import congress_today, list_price
from .services.waiting_list import join_waiting_list, live_offer


def _public_congress(congress_slug: str) -> Congress:
    congress = selectors.congress_with_settings(congress_slug)
    if congress is None or not congress.is_public:
        raise Http404
    return congress


def _type_rows(congress, types) -> list[dict]:
    today = congress_today(congress)
    left = selectors.seats_left(congress, types)
    rows = []
    for rtype in types:
        rtype.congress = congress  # the tier needs its first day; it is this congress
        price, tier = list_price(rtype, today)
        rows.append({"type": rtype, "price": price, "tier": tier, "left": left[rtype.pk]})
    return rows


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
    reg_settings = selectors.registration_settings(congress)
    form = StartForm(types=types, max_delegates=reg_settings.max_delegates_per_order)
    waiting_form = WaitingListForm(congress=congress, types=types)
    return render(
        request,
        "registrations/start.html",
        {
            "congress": congress,
            "rows": _type_rows(congress, list(types)),
            "form": form,
            "waiting_form": waiting_form,
            "settings": reg_settings,
            "is_open": congress.registration_is_open,
        },
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


# The blank forms of the details page are the same for every visitor with the same choices;
# they are rendered once per fingerprint of everything that shows in them (at most this long).
BLANK_FORMS_CACHE_SECONDS = 600


def _blank_forms_key(*, congress, types, questions, initial: dict, count: int, max_delegates):
    """Cache key of the blank contact form and formset: the congress's languages, the types and
    questions as they are now (every column, and the types a question is limited to), the UI
    language and the initial values. Any change an organiser makes gives a new key."""
    parts = [congress.pk, congress.languages, translation.get_language(), max_delegates, count]
    parts.append(sorted((k, str(v)) for k, v in initial.items()))
    for obj in [*types, *questions]:
        parts.append([getattr(obj, f.attname) for f in obj._meta.concrete_fields])
    for question in questions:
        parts.append([(t.pk, t.name) for t in question.registration_types.all()])
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"registrations:blank-forms:{digest}"


def _render_forms(contact, formset, cache_key: str | None = None) -> dict[str, str]:
    """The contact's visible fields and the formset (management form, delegates, the empty
    form for "add another") as HTML; the one-time token is rendered by the page itself."""
    if cache_key is not None:
        cached = soft_cache.get(cache_key)
        if cached is not None:
            return cached
    html = {
        "contact_fields": render_to_string(
            "registrations/_contact_fields.html", {"contact": contact}
        ),
        "delegate_forms": render_to_string(
            "registrations/_delegate_forms.html", {"formset": formset}
        ),
    }
    if cache_key is not None:
        soft_cache.set(cache_key, html, BLANK_FORMS_CACHE_SECONDS)
    return html


def _error_field(exc: DomainError) -> str | None:
    if isinstance(exc, VoucherInvalid | VoucherExhausted | VoucherRequired):
        return "voucher"
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def details(request, congress_slug: str):
    """Step two: the contact and a formset of delegates; one valid POST places one order.
    The blank page is served from :mod:`registrations.page_cache` with fresh tokens."""
    cacheable = page_cache.cacheable(request)
    if cacheable:
        cached = page_cache.cached_page(request, congress_slug)
        if cached is not None:
            return cached
        version = page_cache.current_version()  # before reading what the page shows
    congress = _public_congress(congress_slug)
    reg_settings = selectors.registration_settings(congress)
    types = selectors.types_on_sale(congress)
    offer = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("offer"):
        try:
            offer = live_offer(congress=congress, token=source["offer"])
        except OfferInvalid as exc:
            messages.error(request, str(exc))
            return redirect("registrations:start", congress_slug=congress.slug)
        types = types.filter(pk=offer.registration_type_id)
    elif not congress.registration_is_open:
        messages.error(request, _("Registration for this congress is closed."))
        return redirect("registrations:start", congress_slug=congress.slug)
    max_delegates = 1 if offer else reg_settings.max_delegates_per_order
    questions = selectors.questions_for(congress)
    FormSet = delegate_formset_class(max_delegates)
    type_list = list(types)  # once: every delegate form resolves its type among these
    form_kwargs = {
        "congress": congress,
        "types": types,
        "questions": questions,
        "type_index": {str(t.pk): t for t in type_list},
    }

    already_placed = None
    if request.method == "POST":
        contact = ContactForm(request.POST, congress=congress)
        formset = FormSet(request.POST, prefix="delegates", form_kwargs=form_kwargs)
        if contact.is_valid() and formset.is_valid():
            people = [
                NewDelegate(
                    registration_type=form.cleaned_data["registration_type"],
                    details={
                        name: value
                        for name, value in form.cleaned_data.items()
                        if name != "registration_type" and not name.startswith(("q_", "DELETE"))
                    },
                    answers=form.answers,
                )
                for form in formset.forms
                if form not in formset.deleted_forms
            ]
            try:
                order = place_order(
                    congress=congress,
                    contact_name=contact.cleaned_data["contact_name"],
                    email=contact.cleaned_data["email"],
                    language=contact.cleaned_data["language"],
                    delegates=people,
                    voucher_code=contact.cleaned_data["voucher"],
                    idempotency_key=contact.cleaned_data["token"],
                    offer=offer,
                )
            except OrderAlreadyPlaced as exc:
                # The same token with another body: say so, with the order's link, and keep
                # what was typed on the page under a fresh token (sent again, a new order).
                already_placed = exc
                data = request.POST.copy()
                data["token"] = new_order_token()
                contact = ContactForm(data, congress=congress)
                formset = FormSet(data, prefix="delegates", form_kwargs=form_kwargs)
            except DomainError as exc:  # includes Busy: the lock was not free in time
                contact.add_error(_error_field(exc), exc.message)
            else:
                return redirect(order.get_absolute_url())
        status = 409 if already_placed else 400
        forms_key = None
    else:
        start_form = StartForm(request.GET, types=types, max_delegates=max_delegates)
        chosen, count, voucher = None, 1, ""
        if offer:
            chosen = offer.registration_type
        elif start_form.is_valid():
            chosen = start_form.cleaned_data["registration_type"]
            count = start_form.cleaned_data["delegates"]
            voucher = start_form.cleaned_data["voucher"]
        elif request.GET:
            return render(
                request,
                "registrations/start.html",
                {
                    "congress": congress,
                    "rows": _type_rows(congress, list(types)),
                    "form": start_form,
                    "waiting_form": WaitingListForm(congress=congress, types=types),
                    "settings": reg_settings,
                    "is_open": congress.registration_is_open,
                },
                status=400,
            )
        initial_type = chosen or (type_list[0] if type_list else None)
        contact = ContactForm(
            congress=congress,
            initial={
                "voucher": voucher,
                "language": request.LANGUAGE_CODE,
                "contact_name": offer.name if offer else "",
                "email": offer.email if offer else "",
            },
        )
        initial = {"registration_type": initial_type, "language": request.LANGUAGE_CODE}
        formset = FormSet(
            prefix="delegates",
            form_kwargs=form_kwargs,
            initial=[initial for _n in range(count)],
        )
        forms_key = (
            # An offer's page carries the person's name, a voucher is what one visitor typed:
            # neither is shared (nor may free text multiply the cached copies).
            None
            if offer or voucher
            else _blank_forms_key(
                congress=congress,
                types=type_list,
                questions=questions,
                initial={**initial, "registration_type": getattr(initial_type, "pk", None)},
                count=count,
                max_delegates=max_delegates,
            )
        )
        status = 200
    context = {
        "congress": congress,
        "contact": contact,
        "formset": formset,
        **_render_forms(contact, formset, forms_key),
        # Asked here, not in the template: "formset.x" there would first try formset["x"],
        # which builds every form of a blank formset only to fail.
        "has_errors": bool(contact.errors) or formset.total_error_count() > 0,
        "offer": offer,
        "already_placed": already_placed,
        "rows": _type_rows(congress, type_list),
        "max_delegates": max_delegates,
    }
    if status == 200 and cacheable and offer is None:
        holes = page_cache.Holes.new()
        contact.fields["token"].initial = holes.token
        html = render_to_string(
            "registrations/details.html", {**context, "csrf_token": holes.csrf}, request=request
        )
        return page_cache.store_page(request, congress.slug, html, holes, version)
    return render(request, "registrations/details.html", context, status=status)


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
def manage_export(request, congress: Congress, fmt: str):
    exporter = EXPORTS.get(fmt)
    if exporter is None:
        raise Http404
    delegates = selectors.organiser_delegates(
        congress=congress,
        search=request.GET.get("q", "").strip()[:200],
        registration_type=request.GET.get("type", ""),
        status=request.GET.get("status", "")
        if request.GET.get("status") in OrderStatus.values
        else "",
    )
    return exporter.response(congress=congress, delegates=delegates)
