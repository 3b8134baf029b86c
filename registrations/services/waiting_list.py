"""The waiting list: join when sold out; each freed seat is offered, in turn, with a deadline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress
from events_site.congresses.secret_links import find_by_secret

from ..capacity import count_taken, lock_capacity, remaining
from ..enums import WaitingListStatus
from ..errors import OfferInvalid, RegistrationError
from ..models import RegistrationType, WaitingListEntry
from ..selectors import registration_settings
from . import notifications


def join_waiting_list(
    *,
    congress: Congress,
    registration_type: RegistrationType,
    name: str,
    email: str,
    language: str,
) -> WaitingListEntry:
    """Add someone to the list of a type (once per e-mail while they wait)."""
    if not registration_settings(congress).waiting_list_enabled:
        raise RegistrationError(_("This congress has no waiting list."))
    if registration_type.congress_id != congress.pk:
        raise RegistrationError(_("This registration type is not on sale."))
    with transaction.atomic():
        entry = WaitingListEntry.objects.filter(
            registration_type=registration_type,
            email__iexact=email,
            status__in=[WaitingListStatus.WAITING, WaitingListStatus.OFFERED],
        ).first()
        if entry is not None:
            return entry
        entry = WaitingListEntry.objects.create(
            congress=congress,
            registration_type=registration_type,
            name=name,
            email=email,
            language=language,
        )
        audit.record(
            action="convene.waiting_list.joined",
            congress=congress,
            actor_label=email,
            target=entry,
            data={"type": registration_type.code},
        )
    return entry


def offer_url(entry: WaitingListEntry) -> str:
    start = reverse("registrations:start", kwargs={"congress_slug": entry.congress.slug})
    return f"{start}?{urlencode({'offer': entry.token})}"


def offer_freed_seats(*, congress: Congress, now: dt.datetime | None = None) -> int:
    """Offer every free seat to the next person waiting for that type; the seat stays
    reserved for them until the offer expires. Runs inside the caller's transaction."""
    now = now or timezone.now()
    reg_settings = registration_settings(congress)
    if not reg_settings.waiting_list_enabled:
        return 0
    waiting_type_ids = sorted(
        set(
            WaitingListEntry.objects.filter(
                congress=congress, status=WaitingListStatus.WAITING
            ).values_list("registration_type_id", flat=True)
        )
    )
    if not waiting_type_ids:
        return 0
    offered = 0
    with transaction.atomic():
        lock_capacity(congress_id=congress.pk, type_ids=waiting_type_ids)
        types = list(RegistrationType.objects.filter(pk__in=waiting_type_ids))
        for rtype in types:
            left = remaining(
                congress=congress, types=[rtype], taken=count_taken(congress_id=congress.pk)
            )[rtype.pk]
            if left is None or left <= 0:
                continue
            entries = list(
                WaitingListEntry.objects.filter(
                    registration_type=rtype, status=WaitingListStatus.WAITING
                ).order_by("created_at", "id")[:left]
            )
            expires = now + dt.timedelta(hours=reg_settings.waiting_list_offer_hours)
            for entry in entries:
                changed = WaitingListEntry.objects.filter(
                    pk=entry.pk, status=WaitingListStatus.WAITING
                ).update(status=WaitingListStatus.OFFERED, offered_at=now, offer_expires_at=expires)
                if not changed:
                    continue
                entry.status, entry.offer_expires_at = WaitingListStatus.OFFERED, expires
                audit.record(
                    action="convene.waiting_list.offered",
                    congress=congress,
                    target=entry,
                    data={"type": rtype.code, "expires": expires.isoformat()},
                )
                notifications.send_offer_email(entry=entry, register_url=offer_url(entry))
                offered += 1
    return offered


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Lapse offers past their deadline and pass their seats on to the next in line."""
    now = now or timezone.now()
    lapsed = list(
        WaitingListEntry.objects.filter(
            status=WaitingListStatus.OFFERED, offer_expires_at__lte=now
        ).select_related("congress")
    )
    congresses = {}
    for entry in lapsed:
        with transaction.atomic():
            if WaitingListEntry.objects.filter(
                pk=entry.pk, status=WaitingListStatus.OFFERED
            ).update(status=WaitingListStatus.EXPIRED):
                audit.record(
                    action="convene.waiting_list.offer_expired",
                    congress=entry.congress,
                    target=entry,
                )
                congresses[entry.congress_id] = entry.congress
    for congress in congresses.values():
        with transaction.atomic():
            offer_freed_seats(congress=congress, now=now)
    return len(lapsed)


def live_offer(*, congress: Congress, token: str) -> WaitingListEntry:
    """The open offer behind a link, or :class:`OfferInvalid`."""
    entry = find_by_secret(
        WaitingListEntry.objects.select_related("registration_type").filter(congress=congress),
        secret=token,
        field="token",
    )
    if (
        entry is None
        or entry.status != WaitingListStatus.OFFERED
        or entry.offer_expires_at is None
        or entry.offer_expires_at <= timezone.now()
    ):
        raise OfferInvalid(_("This seat offer has expired or was already used."))
    return entry
