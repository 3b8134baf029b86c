"""Print stations: a desk computer that prints the badge of each person checked in at its desks
as they arrive. A check-in queues one ``StationPrint`` per station serving its desk (inside
the check-in's transaction: ``services.queue_at_print_stations``); the station's page polls
its queue, prints, then says so (a POST); reading the queue or the badge PDF never writes."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.text import printable

from . import printing
from .models import Badge, PrintStation, StationPrint

QUEUE_LENGTH = 50  # what the station's page shows and polls: the waiting, then the latest


class StationError(DomainError):
    code = "print_station"


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def save_station(
    *, congress: Congress, by, name: str, desks: str = "", station: PrintStation | None = None
) -> PrintStation:
    """Create (or rename, or point at other desks) a print station."""
    name = " ".join(printable(name).split())[:60]
    desks = ", ".join(d.strip() for d in printable(desks).split(",") if d.strip())[:300]
    if not name:
        raise StationError(_("Give the print station a name."))
    try:
        with transaction.atomic():
            if station is None:
                station = PrintStation.objects.create(congress=congress, name=name, desks=desks)
                action = "convene.checkin.print_station_created"
            else:
                station.name, station.desks = name, desks
                station.save(update_fields=["name", "desks"])
                action = "convene.checkin.print_station_changed"
            audit.record(
                action=action,
                congress=congress,
                actor=by,
                target=station,
                data={"name": name, "desks": desks},
            )
    except IntegrityError:
        raise StationError(_("Another print station already has this name.")) from None
    return station


def station_queue(station: PrintStation) -> QuerySet[StationPrint]:
    """The station's queue: waiting badges first (oldest first), then the latest printed."""
    return (
        StationPrint.objects.filter(station=station)
        .select_related("badge__delegate__registration_type", "printed_by")
        .order_by("printed_at", "-queued_at", "-pk")
    )


def waiting(station: PrintStation) -> QuerySet[StationPrint]:
    return (
        StationPrint.objects.filter(station=station, printed_at__isnull=True)
        .select_related("badge__delegate")
        .order_by("queued_at", "pk")
    )


def badge_pdf(*, item: StationPrint) -> bytes:
    """The badge's PDF for the station to print (nothing recorded yet)."""
    _badge, pdf, _seconds = printing.render_desk_badge(badge=item.badge)
    return pdf


def mark_printed(*, item: StationPrint, by) -> StationPrint:
    """The station printed the badge: recorded once, however often the page says so."""
    with transaction.atomic():
        changed = StationPrint.objects.filter(pk=item.pk, printed_at__isnull=True).update(
            printed_at=timezone.now(), printed_by=_user(by)
        )
        if changed:
            StationPrint.objects.filter(pk=item.pk).update(times_printed=item.times_printed + 1)
            badge = Badge.objects.select_related("congress").get(pk=item.badge_id)
            printing.record_desk_print(badge=badge, by=by)
    item.refresh_from_db()
    return item


def reprint(*, item: StationPrint, by) -> StationPrint:
    """Put a printed badge back in the station's queue (jammed, smudged, lost)."""
    with transaction.atomic():
        StationPrint.objects.filter(pk=item.pk).update(printed_at=None, printed_by=None)
        audit.record(
            action="convene.checkin.station_reprint",
            congress=item.station.congress,
            actor=by,
            target=item.badge,
            data={"station": item.station_id, "delegate": item.badge.delegate_id},
        )
    item.refresh_from_db()
    return item
