"""Organiser pages for registration types (registrations.manage): the list with live seats and
price tiers, new and edit, up and down, delete; every change through ``services.setup``, so it
is validated and audited, and a save over someone else's edit is refused."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from . import selectors
from .errors import RegistrationError
from .models import RegistrationType
from .services.setup import (
    TypeInUse,
    delete_registration_type,
    move_registration_type,
    save_registration_type,
)
from .type_forms import RegistrationTypeForm, TypeSearchForm

TYPES_PER_PAGE = 25


def _type(congress: Congress, type_id: int) -> RegistrationType:
    return get_object_or_404(RegistrationType, congress=congress, pk=type_id)


def _list_url(congress: Congress) -> str:
    return reverse("registrations:manage_types", kwargs={"congress_slug": congress.slug})


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def type_list(request, congress: Congress):
    filters = TypeSearchForm(request.GET)
    search = filters.cleaned_data["q"].strip() if filters.is_valid() else ""
    types = selectors.organiser_types(congress=congress, search=search)
    page = Paginator(types, TYPES_PER_PAGE).get_page(request.GET.get("page"))
    seats, overall = selectors.type_seats(congress, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/types.html",
        {
            "congress": congress,
            "filters": filters,
            "search": search,
            "page": page,
            "rows": [{"type": rtype, "seats": seats[rtype.pk]} for rtype in page.object_list],
            "overall": overall,
            "query": query.urlencode(),
        },
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def type_edit(request, congress: Congress, type_id: int | None = None):
    rtype = _type(congress, type_id) if type_id else None
    with timezone.override(congress.tz):  # date-times are typed and shown in congress time
        form = RegistrationTypeForm(
            request.POST or None, instance=rtype or RegistrationType(congress=congress)
        )
        if request.method == "POST" and form.is_valid():
            try:
                save_registration_type(
                    congress=congress,
                    by=request.user,
                    instance=rtype,
                    shown_fingerprint=form.cleaned_data.get("fingerprint") if rtype else None,
                    **form.type_fields(),
                )
            except (EditConflict, RegistrationError) as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Registration type saved."))
                return redirect(_list_url(congress))
        return render(
            request,
            "registrations/manage/type_form.html",
            {"congress": congress, "rtype": rtype, "form": form},
        )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def type_delete(request, congress: Congress, type_id: int):
    """GET: ask; POST: delete, refused while an order uses the type (take it off sale)."""
    rtype = _type(congress, type_id)
    if request.method == "POST":
        try:
            delete_registration_type(rtype=rtype, by=request.user)
        except TypeInUse as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Registration type deleted."))
        return redirect(_list_url(congress))
    return render(
        request, "registrations/manage/type_delete.html", {"congress": congress, "rtype": rtype}
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def type_move(request, congress: Congress, type_id: int):
    rtype = _type(congress, type_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose up or down."))
    else:
        move_registration_type(rtype=rtype, by=request.user, offset=offset)
    return redirect(_list_url(congress) + f"#type-{rtype.pk}")
