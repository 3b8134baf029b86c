"""The organisers' page of suspicious holds: open unpaid holds grouped by client address or
e-mail address, the caps on them, and releasing one hold or a whole group (thin views over
``services.orders`` and ``hold_review``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from . import hold_review, selectors
from .errors import OrderStateError
from .forms import HoldCapsForm, HoldFilterForm, HoldReleaseForm
from .services.orders import release_hold, release_holds
from .services.setup import update_registration_settings

GROUPS_PER_PAGE = 50
DEFAULT_MIN_ORDERS = 2


def _holds_url(congress: Congress, **query) -> str:
    url = reverse("registrations:manage_holds", kwargs={"congress_slug": congress.slug})
    query = {k: v for k, v in query.items() if v not in ("", None)}
    return f"{url}?{urlencode(query)}" if query else url


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_holds(request, congress: Congress):
    """Groups of open unpaid holds, largest first; ``?key=`` lists one group's orders."""
    return _holds_page(request, congress, HoldFilterForm(request.GET), caps_form=None)


def _holds_page(request, congress: Congress, filters: HoldFilterForm, caps_form, status=200):
    valid = filters.is_valid()
    data = filters.cleaned_data if valid else {}
    by = data.get("by") or "address"
    search = (data.get("q") or "").strip()
    min_orders = data.get("min") or DEFAULT_MIN_ORDERS
    groups = hold_review.hold_groups(congress=congress, by=by, search=search, min_orders=min_orders)
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    column = hold_review.GROUP_COLUMNS[by]
    key = request.GET.get("key", "")[:254]
    members = list(hold_review.group_holds(congress=congress, by=by, key=key)[:200]) if key else []
    reg_settings = selectors.registration_settings(congress)
    if caps_form is None:
        caps_form = HoldCapsForm(
            initial={name: getattr(reg_settings, name) for name in HoldCapsForm.base_fields},
            max_delegates=reg_settings.max_delegates_per_order,
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/holds.html",
        {
            "congress": congress,
            "filters": filters,
            "by": by,
            "search": search,
            "min_orders": min_orders,
            "page": page,
            "rows": [
                {**row, "key": row[column], "url": _holds_url(congress, by=by, key=row[column])}
                for row in page
            ],
            "key": key,
            "members": members,
            "totals": hold_review.hold_totals(congress),
            "caps_form": caps_form,
            "query": query.urlencode(),
        },
        status=status if valid else 400,
    )


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_hold_caps(request, congress: Congress):
    """Change the congress's caps on unpaid orders and seats (audited by the settings
    service)."""
    form = HoldCapsForm(
        request.POST,
        max_delegates=selectors.registration_settings(congress).max_delegates_per_order,
    )
    if not form.is_valid():
        return _holds_page(request, congress, HoldFilterForm({}), caps_form=form, status=400)
    update_registration_settings(congress=congress, by=request.user, **form.cleaned_data)
    messages.success(request, _("The caps on unpaid orders were saved."))
    return redirect(_holds_url(congress))


def _release_target(congress: Congress, form: HoldReleaseForm):
    """The one order, or the group (by, key, its orders), the form names; 404 if none of this
    congress's open holds matches."""
    data = form.cleaned_data
    if data["order"]:
        order = (
            hold_review.open_holds(congress)
            .filter(code=data["order"])
            .select_related("congress")
            .first()
        )
        if order is None:
            raise Http404
        return {"order": order, "orders": 1, "seats": order.delegates.filter(is_cancelled=False)}
    by, key = data["by"], data["key"]
    members = hold_review.group_holds(congress=congress, by=by, key=key)
    orders = members.count()
    if not orders:
        raise Http404
    return {"by": by, "key": key, "orders": orders}


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_hold_release(request, congress: Congress):
    """GET: what would be released, with a confirm button; POST: release it."""
    form = HoldReleaseForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():  # nothing chosen: back to the list, saying what to do
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(_holds_url(congress))
    target = _release_target(congress, form)
    if request.method != "POST":
        if "order" in target:
            target["seats"] = target["seats"].count()
        return render(
            request,
            "registrations/manage/holds_release.html",
            {"congress": congress, "target": target, "form": form},
        )
    if "order" in target:
        try:
            release_hold(order=target["order"], by=request.user)
        except OrderStateError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("The hold of order %(code)s was released.") % {"code": target["order"]}
            )
        return redirect(_holds_url(congress))
    column = hold_review.GROUP_COLUMNS[target["by"]]
    released = release_holds(congress=congress, by=request.user, **{column: target["key"]})
    messages.success(
        request,
        ngettext("%(n)s hold was released.", "%(n)s holds were released.", released)
        % {"n": released},
    )
    return redirect(_holds_url(congress, by=target["by"]))
