"""The organisers' voucher pages (``registrations.manage``): the list with search, filters and
a CSV export of any filtered set, one new voucher, a batch of drawn codes (then its CSV), the
edit page (refused over someone else's change), (de)activation, deletion of an unused voucher,
and who redeemed a voucher. Thin views over ``services.vouchers`` and the selectors."""

from __future__ import annotations

import re

from babel.numbers import format_percent
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.money import babel_locale, format_money
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import selectors
from .enums import VoucherKind, VoucherStatus
from .errors import VoucherRefused
from .exports import VoucherCSVExport
from .models import Voucher
from .services import vouchers as services
from .services.orders import voucher_uses
from .voucher_forms import VoucherBatchForm, VoucherForm

PER_PAGE = 50
_BATCH = re.compile(r"[0-9A-F]{8}")


def _voucher(congress: Congress, voucher_id: int) -> Voucher:
    return get_object_or_404(Voucher, congress=congress, pk=voucher_id)


def _list_url(congress: Congress, **query) -> str:
    url = reverse("registrations:manage_vouchers", kwargs={"congress_slug": congress.slug})
    query = {k: v for k, v in query.items() if v not in ("", None)}
    return f"{url}?{urlencode(query)}" if query else url


def _filters(request) -> dict:
    """The list's filters from the query string (anything unknown is dropped)."""
    status = request.GET.get("status", "")
    batch = request.GET.get("batch", "").strip().upper()
    return {
        "q": request.GET.get("q", "").strip()[:200],
        "status": status if status in VoucherStatus.values else "",
        "type": request.GET.get("type", "")[:40],
        "batch": batch if _BATCH.fullmatch(batch) else "",
    }


def _filtered(congress: Congress, filters: dict):
    return selectors.organiser_vouchers(
        congress=congress,
        search=filters["q"],
        status=filters["status"],
        registration_type=filters["type"],
        batch=filters["batch"],
    )


def shown_value(voucher: Voucher, currency: str) -> str:
    """The voucher's value as the reader's locale writes it: a percentage, or money."""
    if voucher.kind == VoucherKind.PERCENTAGE:
        return format_percent(
            voucher.value / 100, locale=babel_locale(), decimal_quantization=False
        )
    return format_money(voucher.value, currency)


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_list(request, congress: Congress):
    filters = _filters(request)
    page = Paginator(_filtered(congress, filters), PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    statuses = dict(VoucherStatus.choices)
    rows = [
        {
            "voucher": voucher,
            "value": shown_value(voucher, congress.currency),
            "status": (status := selectors.voucher_status(voucher, now)),
            "status_label": statuses[status],
            "types": [t.name for t in voucher.registration_types.all()],
        }
        for voucher in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    export_query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "registrations/manage/vouchers.html",
        {
            "congress": congress,
            "page": page,
            "rows": rows,
            "filters": filters,
            "statuses": VoucherStatus.choices,
            "types": selectors.registration_types(congress),
            "query": query.urlencode(),
            "export_query": export_query,
        },
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_export(request, congress: Congress):
    """The filtered list (or one batch, ``?batch=``) as CSV; the download is audited."""
    filters = _filters(request)
    vouchers = _filtered(congress, filters)
    response = VoucherCSVExport().response(
        congress=congress, vouchers=vouchers, batch=filters["batch"]
    )
    audit.record_export(
        congress=congress,
        actor=request.user,
        export="registrations.vouchers",
        fmt="csv",
        rows=vouchers.count(),
        filters=filters,
    )
    return response


def _form_page(request, congress, *, form, save, done, template: str, context: dict):
    """POST: ``save()`` through its service, then ``done(saved)`` (a message and the URL to go
    to); a refusal or an edit conflict lands beside its field. Otherwise, or after a refusal,
    the form again (400 when it carries errors). Call under the congress's time zone."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except EditConflict as error:
            form.add_error(None, error.message)
        except VoucherRefused as error:
            form.refuse(error)
        else:
            return redirect(done(saved))
    return render(
        request,
        f"registrations/manage/{template}",
        {"congress": congress, "form": form, **context},
        status=400 if form.errors else 200,
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_new(request, congress: Congress):
    def done(voucher: Voucher) -> str:
        messages.success(request, _("Voucher %(code)s created.") % {"code": voucher.code})
        return _list_url(congress, q=voucher.code)

    with timezone.override(congress.tz):
        form = VoucherForm(request.POST or None, congress=congress)
        return _form_page(
            request,
            congress,
            form=form,
            save=lambda: services.create_voucher(
                congress=congress, by=request.user, **form.voucher_fields()
            ),
            done=done,
            template="voucher_form.html",
            context={"voucher": None},
        )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_batch(request, congress: Congress):
    def done(batch: str) -> str:
        count = form.cleaned_data["count"]
        messages.success(
            request,
            ngettext("%(n)s voucher created.", "%(n)s vouchers created.", count) % {"n": count},
        )
        return _list_url(congress, batch=batch)

    with timezone.override(congress.tz):
        form = VoucherBatchForm(request.POST or None, congress=congress)
        return _form_page(
            request,
            congress,
            form=form,
            save=lambda: services.create_voucher_batch(
                congress=congress, by=request.user, **form.batch_fields()
            ),
            done=done,
            template="voucher_batch.html",
            context={"max_batch": services.MAX_BATCH},
        )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_edit(request, congress: Congress, voucher_id: int):
    voucher = _voucher(congress, voucher_id)

    def done(saved: Voucher) -> str:
        messages.success(request, _("Voucher %(code)s saved.") % {"code": saved.code})
        return _list_url(congress, q=saved.code)

    with timezone.override(congress.tz):
        form = VoucherForm(request.POST or None, congress=congress, voucher=voucher)
        return _form_page(
            request,
            congress,
            form=form,
            save=lambda: services.update_voucher(
                voucher=voucher,
                by=request.user,
                shown_fingerprint=form.cleaned_data.get("fingerprint"),
                **form.voucher_fields(),
            ),
            done=done,
            template="voucher_form.html",
            context={"voucher": voucher, "uses": voucher_uses(voucher=voucher)},
        )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def voucher_deactivate(request, congress: Congress, voucher_id: int):
    voucher = _voucher(congress, voucher_id)
    services.deactivate_voucher(voucher=voucher, by=request.user)
    messages.success(request, _("Voucher %(code)s deactivated.") % {"code": voucher.code})
    return redirect(_back(congress, request))


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def voucher_reactivate(request, congress: Congress, voucher_id: int):
    voucher = _voucher(congress, voucher_id)
    services.reactivate_voucher(voucher=voucher, by=request.user)
    messages.success(request, _("Voucher %(code)s reactivated.") % {"code": voucher.code})
    return redirect(_back(congress, request))


_KEPT = ("q", "status", "type", "batch", "page")


def _back(congress: Congress, request) -> str:
    """The list as it was (its query string comes back in a hidden field)."""
    query = QueryDict(request.POST.get("next_query", "")[:1000])
    return _list_url(congress, **{k: query.get(k, "")[:200] for k in _KEPT})


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_delete(request, congress: Congress, voucher_id: int):
    """GET: ask; POST: delete, unless an order or a delegate was priced with it."""
    voucher = _voucher(congress, voucher_id)
    if request.method == "POST":
        try:
            services.delete_voucher(voucher=voucher, by=request.user)
        except VoucherRefused as error:
            messages.error(request, error.message)
            return redirect(
                "registrations:manage_voucher_edit",
                congress_slug=congress.slug,
                voucher_id=voucher.pk,
            )
        messages.success(request, _("Voucher %(code)s deleted.") % {"code": voucher.code})
        return redirect(_list_url(congress))
    return render(
        request,
        "registrations/manage/voucher_delete.html",
        {"congress": congress, "voucher": voucher},
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def voucher_redemptions(request, congress: Congress, voucher_id: int):
    """Who used the voucher: each delegate priced with it, their order and what they paid."""
    voucher = _voucher(congress, voucher_id)
    delegates = selectors.voucher_redemptions(voucher)
    page = Paginator(delegates, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/manage/voucher_redemptions.html",
        {
            "congress": congress,
            "voucher": voucher,
            "value": shown_value(voucher, congress.currency),
            "page": page,
            "uses": voucher_uses(voucher=voucher),
            "finance": has_congress_perm(request.user, Perm.MANAGE_FINANCE, congress),
        },
    )
