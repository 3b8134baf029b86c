"""Published versions for organisers (``programme.manage``): the list, and one version's
programme read-only, as the public saw it then."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import selectors
from ..models import ScheduleVersion


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def version_list(request, congress):
    versions = (
        ScheduleVersion.objects.filter(congress=congress)
        .defer("snapshot")
        .select_related("published_by")
        .order_by("-number")
    )
    return render(
        request, "agenda/manage/versions.html", {"congress": congress, "versions": versions}
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def version_detail(request, congress, number: int):
    version = get_object_or_404(
        ScheduleVersion.objects.defer("snapshot").select_related("published_by"),
        congress=congress,
        number=number,
    )
    programme = selectors.programme_of(version)
    return render(
        request,
        "agenda/manage/version.html",
        {
            "congress": congress,
            "version": version,
            "programme": programme,
            "sessions": programme.sessions,
            "breaks": programme.breaks,
        },
    )
