"""The organisers' order page and approval queue (``registrations.view`` to read,
``registrations.manage`` to act): everything about one order, and each decision or
intervention as a POST through its service (approve, reject with a reason, cancel the order or
one delegate, edit a delegate, resend an e-mail, extend a hold, add an internal note)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.money import format_money
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import lifecycle, order_review, selectors
from .order_forms import (
    AddDelegateForm,
    ApproveForm,
    ChangeTypeForm,
    DelegateCancelForm,
    ExtendHoldForm,
    NoteForm,
    OrderCancelForm,
    OrganiserDelegateEditForm,
    RejectForm,
    ResendForm,
)
from .payments.forms import RefundForm
from .payments.services.balances import amount_kept, balance_due, review_may_be_resolved
from .payments.services.delegate_changes import (
    CHANGEABLE_STATUSES,
    Settlement,
    add_delegate,
    change_delegate_type,
)
from .payments.services.order_changes import cancel_delegate
from .payments.services.refunds import refundable_amount
from .services import email_log
from .services.orders import (
    add_order_note,
    approve_order,
    cancel_order,
    extend_hold,
    reject_order,
    resend_order_email,
    resendable_emails,
    update_delegate,
)

PER_PAGE = 50
SENT_EMAILS_SHOWN = 200


def order_url(congress: Congress, code: str) -> str:
    return reverse(
        "registrations:manage_order", kwargs={"congress_slug": congress.slug, "code": code}
    )


def _forms(order, **bound) -> dict:
    """The page's action forms, unbound unless one came back with errors."""
    forms = {
        "approve_form": ApproveForm(),
        "reject_form": RejectForm(),
        "cancel_form": OrderCancelForm(),
        "note_form": NoteForm(),
        "extend_form": ExtendHoldForm(initial={"hours": 48}),
        "resend_form": ResendForm(templates=resendable_emails(order)),
    }
    forms.update(bound)
    return forms


def _money_left(order) -> dict:
    """A paid order's balance after a change: still to pay, or paid over its total."""
    if order.status not in lifecycle.PAID_STATUSES:
        return {"balance_due": 0, "overpaid": 0}
    kept = amount_kept(order)
    return {"balance_due": balance_due(order), "overpaid": max(kept - order.total, 0)}


def _order_page(request, congress: Congress, order, *, status: int = 200, **bound):
    delegates = list(order.delegates.all())
    members = order_review.member_check(congress, [order])
    for delegate in delegates:
        delegate.on_member_list = members.get(delegate.pk)
    can_manage = has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress)
    can_finance = has_congress_perm(request.user, Perm.MANAGE_FINANCE, congress)
    return render(
        request,
        "registrations/manage/order.html",
        {
            "congress": congress,
            "order": order,
            "delegates": delegates,
            "payments": order.payments.order_by("created_at"),
            "invoices": order.invoices.order_by("issued_at", "id"),
            "audit_trail": order_review.order_audit_trail(order, delegates),
            "notes": order_review.order_notes(order),
            "sent_emails": email_log.order_emails(order)[:SENT_EMAILS_SHOWN],
            "can_manage": can_manage,
            "can_finance": can_finance,
            "may_resolve_review": can_finance and review_may_be_resolved(order),
            "refundable": refundable_amount(order) if can_finance else None,
            "refund_form": RefundForm(auto_id="refund_%s") if can_finance else None,
            "statuses": lifecycle.OrderStatus,
            "awaiting": order.status == lifecycle.OrderStatus.AWAITING_APPROVAL,
            "cancellable": order.status in lifecycle.CANCEL.sources,
            "holdable": order.status in lifecycle.PAYABLE_STATUSES,
            "changeable": order.status in CHANGEABLE_STATUSES,
            **_money_left(order),
            "delegates_cancellable": order.status in lifecycle.SINGLE_CANCEL_STATUSES
            and sum(1 for d in delegates if not d.is_cancelled) > 1,
            **_forms(order, **bound),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def order_page(request, congress: Congress, code: str):
    order = order_review.organiser_order(congress, code)
    return _order_page(request, congress, order)


def _act(request, congress, code, *, form_class, form_name, action, done, back=None):
    """POST one action: validate its form, call its service, say what happened; a refusal
    lands beside the form (the page again, 400)."""
    order = order_review.organiser_order(congress, code)
    kwargs = {"templates": resendable_emails(order)} if form_class is ResendForm else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            action(order, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done % {"code": order.code})
            return redirect(back or order_url(congress, order.code))
    if back:  # from the queue: the refusal as a message, back to the queue
        for error in form.errors.values():
            for message in error:
                messages.error(request, f"{order.code}: {message}")
        return redirect(back)
    return _order_page(request, congress, order, status=400, **{form_name: form})


def _queue_back(request, congress) -> str | None:
    """Where a decision taken in the approval queue returns (the same page of the queue)."""
    if request.POST.get("from") != "queue":
        return None
    url = reverse("registrations:manage_approvals", kwargs={"congress_slug": congress.slug})
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() else url


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_approve(request, congress: Congress, code: str):
    return _act(
        request,
        congress,
        code,
        form_class=ApproveForm,
        form_name="approve_form",
        action=lambda order, data: approve_order(
            order=order, by=request.user, message=data["message"]
        ),
        done=_("Order %(code)s was approved."),
        back=_queue_back(request, congress),
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_reject(request, congress: Congress, code: str):
    return _act(
        request,
        congress,
        code,
        form_class=RejectForm,
        form_name="reject_form",
        action=lambda order, data: reject_order(
            order=order, by=request.user, reason=data["reason"]
        ),
        done=_("Order %(code)s was rejected; its seats were released."),
        back=_queue_back(request, congress),
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_cancel(request, congress: Congress, code: str):
    return _act(
        request,
        congress,
        code,
        form_class=OrderCancelForm,
        form_name="cancel_form",
        action=lambda order, data: cancel_order(
            order=order, by=request.user, reason=data["reason"]
        ),
        done=_("Order %(code)s was cancelled."),
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_note(request, congress: Congress, code: str):
    return _act(
        request,
        congress,
        code,
        form_class=NoteForm,
        form_name="note_form",
        action=lambda order, data: add_order_note(order=order, by=request.user, text=data["text"]),
        done=_("The note was added to order %(code)s."),
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_extend_hold(request, congress: Congress, code: str):
    return _act(
        request,
        congress,
        code,
        form_class=ExtendHoldForm,
        form_name="extend_form",
        action=lambda order, data: extend_hold(order=order, by=request.user, hours=data["hours"]),
        done=_("The hold of order %(code)s was extended."),
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_resend(request, congress: Congress, code: str):
    return _act(
        request,
        congress,
        code,
        form_class=ResendForm,
        form_name="resend_form",
        action=lambda order, data: resend_order_email(
            order=order, by=request.user, template=data["template"]
        ),
        done=_("The e-mail to the contact of order %(code)s is on its way."),
    )


def _delegate(order, delegate_id: int):
    return get_object_or_404(
        order.delegates.select_related("registration_type", "order__congress"), pk=delegate_id
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def delegate_cancel(request, congress: Congress, code: str, delegate_id: int):
    order = order_review.organiser_order(congress, code)
    delegate = _delegate(order, delegate_id)
    form = DelegateCancelForm(request.POST)
    if form.is_valid():
        try:
            cancel_delegate(delegate=delegate, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("%(name)s’s registration was cancelled.") % {"name": delegate.printed_name},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(order_url(congress, order.code))


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def delegate_edit(request, congress: Congress, code: str, delegate_id: int):
    order = order_review.organiser_order(congress, code)
    delegate = _delegate(order, delegate_id)
    answers = {answer.question_id: answer.value for answer in delegate.answers.all()}
    kwargs = {
        "congress": congress,
        "questions": selectors.questions_for(congress),
        "answers": answers,
        "instance": delegate,
    }
    if request.method == "POST":
        form = OrganiserDelegateEditForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                update_delegate(
                    delegate=delegate,
                    changes=form.changes(),
                    answers=form.answers,
                    by=request.user,
                    shown=form.cleaned_data["fingerprint"] or None,
                )
            except (EditConflict, DomainError) as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The delegate’s details were saved."))
                return redirect(order_url(congress, order.code))
    else:
        form = OrganiserDelegateEditForm(**kwargs)
    return render(
        request,
        "registrations/manage/order_delegate_edit.html",
        {"congress": congress, "order": order, "delegate": delegate, "form": form},
        status=400 if form.errors else 200,
    )


def _settlement_message(request, settlement: Settlement, currency: str) -> None:
    """Say what the change did to the money: the new invoice, the credit notes, what to refund
    or what is still to pay."""
    if settlement.invoice is not None:
        messages.info(
            request,
            _("Invoice %(number)s was issued for the difference of %(amount)s.")
            % {
                "number": settlement.invoice.full_number,
                "amount": format_money(settlement.invoice.gross, currency),
            },
        )
    for note in settlement.credit_notes:
        messages.info(
            request,
            _("Credit note %(number)s was issued for %(amount)s.")
            % {"number": note.full_number, "amount": format_money(-note.gross, currency)},
        )
    if settlement.refundable > 0:
        messages.warning(
            request,
            _("%(amount)s was paid over the new total: refund it from the order’s payments page.")
            % {"amount": format_money(settlement.refundable, currency)},
        )
    if settlement.balance_due > 0:
        messages.info(
            request,
            _("Still to pay on this order: %(amount)s.")
            % {"amount": format_money(settlement.balance_due, currency)},
        )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def delegate_change_type(request, congress: Congress, code: str, delegate_id: int):
    """Move one delegate to another registration type, the price difference settled."""
    order = order_review.organiser_order(congress, code)
    delegate = _delegate(order, delegate_id)
    if delegate.is_cancelled or order.status not in CHANGEABLE_STATUSES:
        messages.error(request, _("This delegate’s registration type cannot be changed."))
        return redirect(order_url(congress, order.code))
    kwargs = {"delegate": delegate, "congress": congress}
    if request.method == "POST":
        form = ChangeTypeForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                change = change_delegate_type(
                    delegate=delegate,
                    registration_type=form.cleaned_data["registration_type"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    shown=form.cleaned_data["fingerprint"] or None,
                )
            except (EditConflict, DomainError) as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s is now registered as “%(type)s”.")
                    % {
                        "name": delegate.printed_name,
                        "type": change.delegate.registration_type.name,
                    },
                )
                _settlement_message(request, change.settlement, order.currency)
                return redirect(order_url(congress, order.code))
    else:
        form = ChangeTypeForm(**kwargs)
    return render(
        request,
        "registrations/manage/order_delegate_type.html",
        {"congress": congress, "order": order, "delegate": delegate, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def delegate_add(request, congress: Congress, code: str):
    """Add a delegate to an order already placed: a seat taken, today's price invoiced."""
    order = order_review.organiser_order(congress, code)
    if order.status not in CHANGEABLE_STATUSES:
        messages.error(request, _("No delegate can be added to this order."))
        return redirect(order_url(congress, order.code))
    if request.method == "POST":
        form = AddDelegateForm(request.POST, order=order)
        if form.is_valid():
            try:
                addition = add_delegate(
                    order=order,
                    registration_type=form.cleaned_data["registration_type"],
                    details=form.details(),
                    by=request.user,
                    shown=form.cleaned_data["fingerprint"] or None,
                )
            except (EditConflict, DomainError) as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s was added to order %(code)s.")
                    % {"name": addition.delegate.printed_name, "code": order.code},
                )
                _settlement_message(request, addition.settlement, order.currency)
                return redirect(order_url(congress, order.code))
    else:
        form = AddDelegateForm(order=order)
    return render(
        request,
        "registrations/manage/order_delegate_add.html",
        {"congress": congress, "order": order, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def approval_queue(request, congress: Congress):
    """The orders awaiting approval, oldest first, with what to check for each."""
    page = Paginator(order_review.awaiting_approval(congress), PER_PAGE).get_page(
        request.GET.get("page")
    )
    orders = list(page)
    members = order_review.member_check(congress, orders)
    rows = [
        {
            "order": order,
            "delegates": [
                {
                    "delegate": d,
                    "member_rate": d.registration_type.requires_membership,
                    "on_member_list": members.get(d.pk),
                    "answers": list(d.answers.all()),
                }
                for d in order.delegates.all()
                if not d.is_cancelled
            ],
            "review": [line for line in order.review_reason.splitlines() if line.strip()],
        }
        for order in orders
    ]
    return render(
        request,
        "registrations/manage/approvals.html",
        {
            "congress": congress,
            "page": page,
            "rows": rows,
            "can_manage": has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress),
            "reject_form": RejectForm(),
        },
    )
