"""The print station: a desk computer's page that prints the badge of each person checked in
at its desks as they arrive (check-in staff). The page polls its queue (a GET that never
writes), prints each badge PDF, then POSTs that it printed; any badge can be printed again.
Run in Chromium with ``--kiosk-printing`` the badges print without a dialogue (docs/badges.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.permissions import congress_perm_required

from . import print_stations
from .forms import PrintStationForm
from .models import PrintStation, StationPrint


def _station(congress, value) -> PrintStation | None:
    if not str(value or "").isdigit():
        return None
    return get_object_or_404(PrintStation, pk=int(value), congress=congress)


def _item(congress, item_id: int) -> StationPrint:
    return get_object_or_404(
        StationPrint.objects.select_related("station__congress", "badge__delegate"),
        pk=item_id,
        station__congress=congress,
    )


def _station_url(congress, station: PrintStation) -> str:
    url = reverse("badges:print_station", kwargs={"congress_slug": congress.slug})
    return f"{url}?station={station.pk}"


def _queue_json(congress, station: PrintStation, items: list[StationPrint]) -> dict:
    tz = congress.tz
    rows = []
    for item in items:
        delegate = item.badge.delegate
        rows.append(
            {
                "id": item.pk,
                "name": delegate.printed_name,
                "organisation": delegate.organisation_name,
                "desk": item.desk,
                "queued_at": timezone.localtime(item.queued_at, tz).strftime("%H:%M:%S"),
                "printed": item.printed_at is not None,
                "pdf": reverse(
                    "badges:print_station_pdf",
                    kwargs={"congress_slug": congress.slug, "item_id": item.pk},
                ),
                "printed_url": reverse(
                    "badges:print_station_printed",
                    kwargs={"congress_slug": congress.slug, "item_id": item.pk},
                ),
            }
        )
    return {"station": station.pk, "zone": congress.time_zone, "waiting": rows}


@congress_perm_required(Perm.CHECK_IN)
def print_station(request, congress):
    """Choose or set up a station (no ``station``), or run one (``?station=<id>``)."""
    station = _station(congress, request.GET.get("station"))
    form = PrintStationForm(
        request.POST or None,
        initial={"name": station.name, "desks": station.desks} if station else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            station = print_stations.save_station(
                congress=congress, by=request.user, station=station, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(_station_url(congress, station))
    if station is not None and request.GET.get("format") == "json":
        waiting = list(print_stations.waiting(station)[: print_stations.QUEUE_LENGTH])
        return JsonResponse(_queue_json(congress, station, waiting))
    context = {"congress": congress, "form": form, "station": station}
    if station is None:
        context["stations"] = PrintStation.objects.filter(congress=congress)
    else:
        queue = list(print_stations.station_queue(station)[: print_stations.QUEUE_LENGTH])
        for item in queue:
            item.local_queued_at = timezone.localtime(item.queued_at, congress.tz)
            item.local_printed_at = (
                timezone.localtime(item.printed_at, congress.tz) if item.printed_at else None
            )
        context["queue"] = queue
        context["poll_url"] = _station_url(congress, station) + "&format=json"
    return render(request, "badges/print_station.html", context)


@require_GET
@congress_perm_required(Perm.CHECK_IN)
def station_badge_pdf(request, congress, item_id: int):
    """The badge PDF for the station to print: rendered, not recorded (a GET never writes)."""
    item = _item(congress, item_id)
    try:
        pdf = print_stations.badge_pdf(item=item)
    except DomainError as error:
        return HttpResponse(str(error.message), status=409, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{item.badge.delegate_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@congress_perm_required(Perm.CHECK_IN)
def station_printed(request, congress, item_id: int):
    item = print_stations.mark_printed(item=_item(congress, item_id), by=request.user)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"id": item.pk, "printed": item.printed_at is not None})
    return redirect(_station_url(congress, item.station))


@require_POST
@congress_perm_required(Perm.CHECK_IN)
def station_reprint(request, congress, item_id: int):
    item = print_stations.reprint(item=_item(congress, item_id), by=request.user)
    messages.success(request, gettext("Back in the queue: the badge prints again."))
    return redirect(_station_url(congress, item.station))
