"""The speakers picker's JSON search and the merge of duplicate speakers (``programme.manage``)."""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_countries import countries

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from ..block_forms import MergeSpeakersForm, speaker_label
from ..errors import InvalidProgrammeData
from ..models import Speaker
from ..services.speaker_merge import merge_speakers, plan_merge

MAX_QUERY, MAX_RESULTS = 100, 20


def _clean_query(value) -> str:
    text = value if isinstance(value, str) else ""
    text = "".join(ch for ch in text[: MAX_QUERY * 4] if unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_QUERY]


@require_safe
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def speaker_search(request, congress):
    """Speakers whose name or organisation contains the query (at most 20, by name), with what
    tells namesakes apart: organisation and country."""
    query = _clean_query(request.GET.get("q"))
    results = []
    if query:
        found = (
            Speaker.objects.filter(congress=congress)
            .filter(Q(name__icontains=query) | Q(organisation__icontains=query))
            .order_by("name", "organisation", "code")[:MAX_RESULTS]
        )
        results = [
            {
                "id": sp.pk,
                "code": sp.code,
                "name": sp.name,
                "organisation": sp.organisation,
                "country": str(sp.country or ""),
                "country_name": str(countries.name(sp.country)) if sp.country else "",
                "label": speaker_label(sp),
            }
            for sp in found
        ]
    return JsonResponse({"query": query, "results": results})


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def speaker_merge(request, congress):
    """GET with both chosen shows what the merge will change; POST merges."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = MergeSpeakersForm(data, congress=congress)
    plan = None
    if form.is_bound and form.is_valid():
        survivor, duplicate = form.cleaned_data["survivor"], form.cleaned_data["duplicate"]
        try:
            if request.method == "POST":
                merge_speakers(survivor=survivor, duplicate=duplicate, by=request.user)
                messages.success(
                    request,
                    _("%(duplicate)s was merged into %(survivor)s.")
                    % {"duplicate": duplicate.name, "survivor": survivor.name},
                )
                return redirect(
                    "agenda:manage_speaker_edit", congress_slug=congress.slug, code=survivor.code
                )
            plan = plan_merge(survivor=survivor, duplicate=duplicate)
        except InvalidProgrammeData as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "agenda/manage/speaker_merge.html",
        {"congress": congress, "form": form, "plan": plan},
    )
