"""The organisers' waiting-list page (``registrations.view`` reads it, ``registrations.manage``
acts on it): who waits for what, in order, with the offers made; an offer by hand, an offer
extended or withdrawn, someone removed. Thin views over ``services.waiting_list``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import selectors
from .enums import WaitingListStatus
from .errors import OfferRefused
from .models import WaitingListEntry
from .services import waiting_list as services
from .waiting_list_forms import ExtendOfferForm

PER_PAGE = 50
_KEPT = ("q", "status", "type", "page")


def _entry(congress: Congress, entry_id: int) -> WaitingListEntry:
    return get_object_or_404(
        WaitingListEntry.objects.select_related("congress", "registration_type"),
        congress=congress,
        pk=entry_id,
    )


def _list_url(congress: Congress, **query) -> str:
    url = reverse("registrations:manage_waiting_list", kwargs={"congress_slug": congress.slug})
    query = {k: v for k, v in query.items() if v not in ("", None)}
    return f"{url}?{urlencode(query)}" if query else url


def _back(congress: Congress, request) -> str:
    """The list as it was (its query string comes back in a hidden field)."""
    query = QueryDict(request.POST.get("next_query", "")[:1000])
    return _list_url(congress, **{k: query.get(k, "")[:200] for k in _KEPT})


def _filters(request) -> dict:
    """The list's filters from the query string (anything unknown is dropped)."""
    status = request.GET.get("status", "")
    return {
        "q": request.GET.get("q", "").strip()[:200],
        "status": status if status in WaitingListStatus.values else "",
        "type": request.GET.get("type", "")[:40],
    }


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def waiting_list(request, congress: Congress):
    filters = _filters(request)
    entries = selectors.organiser_waiting_list(
        congress=congress,
        search=filters["q"],
        status=filters["status"],
        registration_type=filters["type"],
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/waiting_list.html",
        {
            "congress": congress,
            "page": page,
            "filters": filters,
            "statuses": WaitingListStatus.choices,
            "types": selectors.registration_types(congress),
            "summary": selectors.waiting_list_summary(congress),
            "offer_hours": selectors.registration_settings(congress).waiting_list_offer_hours,
            "can_manage": has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress),
            "query": query.urlencode(),
            "next_query": request.GET.urlencode(),
        },
    )


def _act(request, congress: Congress, action, done: str):
    """Run one service on the entry; a refusal comes back as an error message on the list."""
    try:
        entry = action()
    except OfferRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"name": entry.name})
    return redirect(_back(congress, request))


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def waiting_list_offer(request, congress: Congress, entry_id: int):
    entry = _entry(congress, entry_id)
    return _act(
        request,
        congress,
        lambda: services.offer_seat(entry=entry, by=request.user),
        _("A seat was offered to %(name)s; they have been sent the link."),
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def waiting_list_withdraw(request, congress: Congress, entry_id: int):
    entry = _entry(congress, entry_id)
    return _act(
        request,
        congress,
        lambda: services.withdraw_offer(entry=entry, by=request.user),
        _(
            "The offer to %(name)s was withdrawn; its seat goes to the next person waiting, "
            "or back on sale if nobody waits."
        ),
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def waiting_list_extend(request, congress: Congress, entry_id: int):
    """GET: the form; POST: extend, or the form again with the refusal beside its field."""
    entry = _entry(congress, entry_id)
    form = ExtendOfferForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.extend_offer(
                entry=entry,
                hours=form.cleaned_data["hours"],
                by=request.user,
                shown_fingerprint=form.cleaned_data.get("fingerprint"),
            )
        except EditConflict as error:
            form.add_error(None, error.message)
        except OfferRefused as error:
            form.refuse(error)
        else:
            messages.success(
                request,
                _("The offer to %(name)s was extended; they have been sent the new deadline.")
                % {"name": entry.name},
            )
            return redirect(_back(congress, request))
    return render(
        request,
        "registrations/manage/waiting_list_extend.html",
        {
            "congress": congress,
            "entry": entry,
            "form": form,
            "next_query": request.POST.get("next_query", request.GET.urlencode())[:1000],
        },
        status=400 if form.errors else 200,
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def waiting_list_remove(request, congress: Congress, entry_id: int):
    """GET: ask; POST: remove (a seat offered to them passes to the next person waiting)."""
    entry = _entry(congress, entry_id)
    if request.method == "POST":
        return _act(
            request,
            congress,
            lambda: services.remove_from_waiting_list(entry=entry, by=request.user),
            _("%(name)s was removed from the waiting list."),
        )
    return render(
        request,
        "registrations/manage/waiting_list_remove.html",
        {"congress": congress, "entry": entry, "next_query": request.GET.urlencode()[:1000]},
    )
