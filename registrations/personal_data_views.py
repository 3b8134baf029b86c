"""Personal data pages (thin views over :mod:`registrations.services.personal_data`): the
delegate's own page behind their secret link (download, ask for erasure) and the organisers'
page (requests, direct erasure, retention schedule and its dry run)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.accounts.reauth import reauth_required
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import (
    congress_perm_required,
    has_congress_perm,
    require_congress_perm,
)

from . import selectors
from .enums import ErasureRequestStatus
from .forms import ErasureConfirmForm, RetentionPolicyForm
from .models import Delegate, ErasureRequest
from .services import personal_data as service


def _json_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _filename(delegate: Delegate) -> str:
    return f"personal-data-{delegate.order.congress.slug}-{delegate.order.code}-{delegate.pk}.json"


def _local_date(moment, congress: Congress) -> str:
    return formats.date_format(timezone.localtime(moment, congress.tz), "DATE_FORMAT")


# --- the delegate ----------------------------------------------------------------------------


def _open_request(delegate: Delegate) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        delegate=delegate, status=ErasureRequestStatus.OPEN
    ).first()


def my_data(request, congress_slug: str, delegate_secret: str):
    delegate = selectors.delegate_for_link(
        congress_slug=congress_slug, delegate_secret=delegate_secret
    )
    return render(
        request,
        "registrations/personal_data.html",
        {
            "congress": delegate.order.congress,
            "delegate": delegate,
            "erasure_request": _open_request(delegate),
            "form": ErasureConfirmForm(),
        },
    )


def my_data_export(request, congress_slug: str, delegate_secret: str):
    delegate = selectors.delegate_for_link(
        congress_slug=congress_slug, delegate_secret=delegate_secret
    )
    return _json_download(service.export_json(delegate=delegate), _filename(delegate))


@require_http_methods(["GET", "HEAD", "POST"])
def my_data_erase(request, congress_slug: str, delegate_secret: str):
    """Ask for erasure: GET shows what is erased and kept, POST with the box ticked asks."""
    delegate = selectors.delegate_for_link(
        congress_slug=congress_slug, delegate_secret=delegate_secret
    )
    form = ErasureConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure_request = service.request_erasure(delegate=delegate)
        except service.PersonalDataError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Your request was recorded. The organisers will erase your personal data "
                    "by %(date)s."
                )
                % {"date": _local_date(erasure_request.due_at, delegate.order.congress)},
            )
            return redirect(
                "registrations:my_data",
                congress_slug=delegate.order.congress.slug,
                delegate_secret=delegate.secret,
            )
    return render(
        request,
        "registrations/personal_data_erase.html",
        {
            "congress": delegate.order.congress,
            "delegate": delegate,
            "erasure_request": _open_request(delegate),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --- organisers ------------------------------------------------------------------------------


def _retention_lines(congress: Congress):
    return service.retention_report(congresses=[congress])


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage(request, congress: Congress, retention_form: RetentionPolicyForm | None = None):
    search = request.GET.get("q", "").strip()[:200]
    found = service.delegates_to_erase(congress, search)[:20] if search else []
    done = Paginator(service.done_requests(congress), 25).get_page(request.GET.get("page"))
    can_edit_retention = has_congress_perm(request.user, Perm.MANAGE_CONGRESS, congress)
    if retention_form is None and can_edit_retention:
        retention_form = RetentionPolicyForm(instance=service.policy_for(congress))
    return render(
        request,
        "registrations/manage/personal_data.html",
        {
            "congress": congress,
            "open_requests": list(service.open_requests(congress)),
            "now": timezone.now(),
            "search": search,
            "found": found,
            "done": done,
            "retention_lines": _retention_lines(congress),
            "retention_form": retention_form,
        },
        status=400 if retention_form is not None and retention_form.errors else 200,
    )


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_retention(request, congress: Congress):
    require_congress_perm(request.user, Perm.MANAGE_CONGRESS, congress)
    form = RetentionPolicyForm(request.POST, instance=service.policy_for(congress))
    if not form.is_valid():
        return manage(request, congress_slug=congress.slug, retention_form=form)
    service.update_policy(
        congress=congress,
        days={name: form.cleaned_data[name] for name in form.Meta.fields},
        by=request.user,
    )
    messages.success(request, _("The retention schedule was saved."))
    return redirect("registrations:manage_personal_data", congress_slug=congress.slug)


def _congress_delegate(congress: Congress, delegate_id: int) -> Delegate:
    return get_object_or_404(
        Delegate.objects.select_related("order__congress", "registration_type"),
        pk=delegate_id,
        order__congress=congress,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@reauth_required
def manage_erase(request, congress: Congress, delegate_id: int):
    """Erase one delegate (an open request of theirs is closed with it): GET confirms."""
    delegate = _congress_delegate(congress, delegate_id)
    form = ErasureConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = service.erase_delegate(delegate=delegate, by=request.user)
        if result.already_erased:
            messages.info(request, _("These personal data were already erased."))
        else:
            messages.success(
                request,
                _("The personal data of the delegate were erased (now %(name)s).")
                % {"name": result.delegate.printed_name},
            )
        return redirect("registrations:manage_personal_data", congress_slug=congress.slug)
    return render(
        request,
        "registrations/manage/personal_data_erase.html",
        {
            "congress": congress,
            "delegate": delegate,
            "erasure_request": _open_request(delegate),
            "is_contact": service.is_order_contact(delegate),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@reauth_required
def manage_export(request, congress: Congress, delegate_id: int):
    """The same export as the delegate's, for a request that came by post or e-mail."""
    delegate = _congress_delegate(congress, delegate_id)
    content = service.export_json(delegate=delegate, by=request.user, actor_label="")
    return _json_download(content, _filename(delegate))
