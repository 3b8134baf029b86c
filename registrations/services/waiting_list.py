"""The waiting list: join when sold out; each freed seat is offered, in turn, with a deadline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress
from events_site.congresses.secret_links import find_by_secret

from ..capacity import count_taken, lock_capacity, remaining
from ..enums import WaitingListStatus
from ..errors import OfferInvalid, OfferRefused, RegistrationError
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


# --- The organisers' actions (the waiting-list page) -------------------------------------------

MAX_EXTENSION_HOURS = 24 * 30
ACTIVE_STATUSES = (WaitingListStatus.WAITING, WaitingListStatus.OFFERED)


def _locked_entry(entry: WaitingListEntry) -> WaitingListEntry:
    """Take the capacity lock of the entry's type, then re-read the entry under it."""
    lock_capacity(congress_id=entry.congress_id, type_ids=[entry.registration_type_id])
    return WaitingListEntry.objects.select_related("congress", "registration_type").get(pk=entry.pk)


def _change(entry: WaitingListEntry, *, refusal, **fields) -> None:
    """Compare-and-set: write ``fields`` only if the entry's status is still the one read (the
    scheduler lapses offers without the capacity lock)."""
    changed = WaitingListEntry.objects.filter(pk=entry.pk, status=entry.status).update(**fields)
    if not changed:
        raise OfferRefused(refusal)
    for name, value in fields.items():
        setattr(entry, name, value)


def _seat_free(entry: WaitingListEntry, now: dt.datetime) -> bool:
    """A seat of the entry's type is free (open offers count as taken). Call under the lock."""
    rtype = entry.registration_type
    left = remaining(
        congress=entry.congress,
        types=[rtype],
        taken=count_taken(congress_id=entry.congress_id, now=now, exclude_offer_id=entry.pk),
    )[rtype.pk]
    return left is None or left > 0


def offer_seat(*, entry: WaitingListEntry, by, now: dt.datetime | None = None) -> WaitingListEntry:
    """Offer a seat by hand to one waiting person, in or out of turn, for the congress's offer
    time; refused unless a seat of that type is free under the capacity lock."""
    now = now or timezone.now()
    if entry.status != WaitingListStatus.WAITING:
        raise OfferRefused(_("Only a person still waiting can be offered a seat."))
    with transaction.atomic():
        entry = _locked_entry(entry)
        if entry.status != WaitingListStatus.WAITING:
            raise OfferRefused(_("Only a person still waiting can be offered a seat."))
        if not _seat_free(entry, now):
            raise OfferRefused(
                _("No seat of “%(type)s” is free: nothing was offered.")
                % {"type": entry.registration_type.name}
            )
        hours = registration_settings(entry.congress).waiting_list_offer_hours
        _change(
            entry,
            refusal=_("Only a person still waiting can be offered a seat."),
            status=WaitingListStatus.OFFERED,
            offered_at=now,
            offer_expires_at=now + dt.timedelta(hours=hours),
        )
        audit.record(
            action="convene.waiting_list.offered_by_hand",
            congress=entry.congress,
            actor=by,
            target=entry,
            data={
                "type": entry.registration_type.code,
                "expires": entry.offer_expires_at.isoformat(),
            },
        )
        notifications.send_offer_email(entry=entry, register_url=offer_url(entry))
    return entry


OFFER_FIELDS = ("status", "offer_expires_at")


def extend_offer(
    *,
    entry: WaitingListEntry,
    hours: int,
    by,
    shown_fingerprint: str | None = None,
    now: dt.datetime | None = None,
) -> WaitingListEntry:
    """Push an open offer's deadline back by ``hours``. An offer whose deadline has passed (not
    yet lapsed by the scheduler) no longer holds its seat: it is extended from now, and only
    if a seat is still free. The person gets the offer e-mail again with the new deadline.
    Refused over someone else's change to the offer since ``shown_fingerprint`` was read."""
    now = now or timezone.now()
    if not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise OfferRefused(
            _("Extend by 1 to %(max)s hours.") % {"max": MAX_EXTENSION_HOURS}, field="hours"
        )
    if entry.status != WaitingListStatus.OFFERED:
        raise OfferRefused(_("Only an open offer can be extended."))
    with transaction.atomic():
        entry = _locked_entry(entry)
        if entry.status != WaitingListStatus.OFFERED:
            raise OfferRefused(_("Only an open offer can be extended."))
        refuse_if_changed(entry, OFFER_FIELDS, shown_fingerprint)
        before = entry.offer_expires_at
        if before is None or before <= now:
            if not _seat_free(entry, now):
                raise OfferRefused(
                    _("This offer has run out and its seat has gone: it cannot be extended.")
                )
            before = now
        _change(
            entry,
            refusal=_("Only an open offer can be extended."),
            offer_expires_at=before + dt.timedelta(hours=hours),
        )
        audit.record(
            action="convene.waiting_list.offer_extended",
            congress=entry.congress,
            actor=by,
            target=entry,
            data={"hours": hours, "expires": entry.offer_expires_at.isoformat()},
        )
        notifications.send_offer_email(entry=entry, register_url=offer_url(entry))
    return entry


def _leave(*, entry: WaitingListEntry, status: str, allowed, refusal, action: str, by, template):
    """End an entry (withdrawn offer, removal); a seat its offer held goes to the next person
    waiting for the type, in the same transaction, through :func:`offer_freed_seats`."""
    if entry.status not in allowed:
        raise OfferRefused(refusal)
    with transaction.atomic():
        entry = _locked_entry(entry)
        if entry.status not in allowed:
            raise OfferRefused(refusal)
        held_seat = entry.status == WaitingListStatus.OFFERED
        before = entry.status
        _change(entry, refusal=refusal, status=status)
        audit.record(
            action=action,
            congress=entry.congress,
            actor=by,
            target=entry,
            data={"type": entry.registration_type.code, "was": before},
        )
        notifications.send_waiting_list_email(entry=entry, template=template)
        if held_seat:
            offer_freed_seats(congress=entry.congress)
    return entry


def withdraw_offer(*, entry: WaitingListEntry, by) -> WaitingListEntry:
    """Withdraw an open offer: the person leaves the list, and the seat is offered to the next
    person waiting (the queue keeps its order); with nobody waiting it goes back on sale."""
    return _leave(
        entry=entry,
        status=WaitingListStatus.WITHDRAWN,
        allowed=(WaitingListStatus.OFFERED,),
        refusal=_("Only an open offer can be withdrawn."),
        action="convene.waiting_list.offer_withdrawn",
        by=by,
        template="waiting_list_withdrawn",
    )


def remove_from_waiting_list(*, entry: WaitingListEntry, by) -> WaitingListEntry:
    """Take someone off the list (the row stays, marked removed, for the record); a seat
    offered to them is passed on as for a withdrawn offer."""
    return _leave(
        entry=entry,
        status=WaitingListStatus.REMOVED,
        allowed=ACTIVE_STATUSES,
        refusal=_("Only a person waiting or holding an offer can be removed."),
        action="convene.waiting_list.removed",
        by=by,
        template="waiting_list_removed",
    )
