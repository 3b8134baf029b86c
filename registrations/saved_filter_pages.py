"""Saving and deleting the delegate list's filters (``registrations.view``: whoever reads the
list keeps their own filters); applying one is a link to the list with its query string."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.forms import Form
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from .models import SavedDelegateFilter
from .models.saved_filters import NAME_MAX_LENGTH, QUERY_MAX_LENGTH
from .services.saved_filters import clean_list_query, delete_filter, save_filter


class SavedFilterForm(Form):
    name = forms.CharField(label=gettext_lazy("Name of the filter"), max_length=NAME_MAX_LENGTH)
    shared = forms.BooleanField(label=gettext_lazy("Share with the team"), required=False)
    query = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=QUERY_MAX_LENGTH * 2
    )


def _list_url(congress: Congress, query: str = "") -> str:
    url = reverse("registrations:manage_list", kwargs={"congress_slug": congress.slug})
    return f"{url}?{query}" if query else url


@require_POST
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def filter_save(request, congress: Congress):
    form = SavedFilterForm(request.POST)
    query = clean_list_query(request.POST.get("query", "")[: QUERY_MAX_LENGTH * 2])
    if form.is_valid():
        try:
            saved = save_filter(
                congress=congress,
                by=request.user,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                shared=form.cleaned_data["shared"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The filter “%(name)s” was saved.") % {"name": saved.name})
            return redirect(_list_url(congress, saved.query))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(_list_url(congress, query))


@require_POST
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def filter_delete(request, congress: Congress, filter_id: int):
    saved = get_object_or_404(SavedDelegateFilter, congress=congress, pk=filter_id)
    try:
        delete_filter(saved=saved, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The filter “%(name)s” was deleted.") % {"name": saved.name})
    return redirect(_list_url(congress))
