"""The one place where seats are counted and the capacity lock is taken.

Every service that takes or frees seats (placing an order, retaking seats for a late payment,
offering a freed seat to the waiting list) calls :func:`lock_capacity` inside its transaction,
then counts with :func:`count_taken` and decides. On PostgreSQL the lock is a set of
transaction-scoped advisory locks taken in one sorted order (congress, types, vouchers) under
``lock_timeout``; on SQLite the IMMEDIATE transaction already serialises writers.

The lock must not be held while the commit waits for the disk: with one lock per congress that
wait (a WAL flush, milliseconds) would be paid by every buyer in turn. So the locked
transaction commits with ``synchronous_commit = off`` (its locks go the moment the commit record
is written) and, right after the commit, ``locks.wait_until_durable`` commits a tiny
transaction synchronously. WAL is flushed in order, so when that returns the locked transaction
is on disk too, and only then does the caller answer anyone. A crash in between loses a
transaction nobody was told about; everything that read it comes later in the WAL and is lost
with it, so no seat is ever sold twice. Concurrent buyers' flushes are grouped by PostgreSQL
instead of queued. The lock itself is the core's one lock helper
(``events_site.congresses.locks``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import locks

from . import lifecycle
from .enums import WaitingListStatus
from .errors import SoldOut
from .models import Delegate, Order, RegistrationSettings, RegistrationType, WaitingListEntry

# Tests switch this off to show that without the lock concurrent buyers really oversell.
LOCKING_ENABLED = True

# Advisory-lock namespaces (see ``events_site.congresses.locks.advisory_key``).
_CONGRESS, _TYPE, _VOUCHER = 1, 2, 3


def lock_capacity(
    *, congress_id: int, type_ids: Iterable[int] = (), voucher_ids: Iterable[int] = ()
) -> None:
    """Serialise every decision about seats (and voucher uses) of this congress.

    Refuses to run outside a transaction (the lock would be released at once). A lock not
    obtained within ``CAPACITY_LOCK_TIMEOUT_MS`` raises :class:`Busy`, never a 500."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_capacity() must run inside transaction.atomic().")
    if not LOCKING_ENABLED:
        return
    keys = (
        [locks.advisory_key(_CONGRESS, congress_id)]
        + [locks.advisory_key(_TYPE, pk) for pk in type_ids]
        + [locks.advisory_key(_VOUCHER, pk) for pk in voucher_ids]
    )
    locks.lock_keys(
        keys,
        busy=_("Many people are registering right now; please try again."),
        release_before_flush=True,
    )


def holding_orders_q(prefix: str = "order__", now=None) -> Q:
    """Orders whose delegates hold seats now: a pending hold counts only until it expires."""
    now = now or timezone.now()
    live = (
        Q(
            **{
                f"{prefix}status__in": lifecycle.FIRM_SEAT_STATUSES,
            }
        )
        | Q(
            **{
                f"{prefix}status": lifecycle.HELD_STATUS,
                f"{prefix}hold_expires_at__isnull": True,
            }
        )
        | Q(**{f"{prefix}status": lifecycle.HELD_STATUS, f"{prefix}hold_expires_at__gt": now})
    )
    return live


@dataclass
class Taken:
    """Seats taken in one congress: by type and overall (holding delegates + open offers)."""

    by_type: Counter
    total: int


def count_taken(
    *,
    congress_id: int,
    type_ids: Iterable[int] | None = None,
    exclude_order_id: int | None = None,
    exclude_offer_id: int | None = None,
    now=None,
) -> Taken:
    """Count seats held by live orders and reserved by open waiting-list offers: of every type,
    or only of ``type_ids`` (then ``total`` is theirs alone).

    It runs under the capacity lock on every order, so it is one statement of plain SQL,
    without the ORM's per-call query building; it counts exactly what
    :func:`holding_orders_q` and the offer filter describe (a test holds the two together)."""
    now = now or timezone.now()
    types = sorted(set(type_ids)) if type_ids is not None else None
    by_type: Counter = Counter()
    if types == []:
        return Taken(by_type=by_type, total=0)
    sql = _taken_sql(
        types=len(types) if types is not None else None,
        exclude_order=exclude_order_id is not None,
        exclude_offer=exclude_offer_id is not None,
    )
    params: list = [congress_id, *(types or []), False, *lifecycle.FIRM_SEAT_STATUSES]
    params += [lifecycle.HELD_STATUS, now]
    params += [exclude_order_id] if exclude_order_id is not None else []
    params += [congress_id, WaitingListStatus.OFFERED, now, *(types or [])]
    params += [exclude_offer_id] if exclude_offer_id is not None else []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for type_id, n in cursor.fetchall():
            by_type[type_id] += n
    return Taken(by_type=by_type, total=sum(by_type.values()))


@lru_cache(maxsize=64)
def _taken_sql(*, types: int | None, exclude_order: bool, exclude_offer: bool) -> str:
    """The counting statement for one shape of filter (built once per process).

    Delegates are found through the congress's types (an index per type) and each one's order
    through its primary key, never by scanning the congress's orders beside them: on tables
    not yet analysed (a new database on its first rush) PostgreSQL otherwise picked a nested
    loop over both that grew with the square of the orders."""
    quote = connection.ops.quote_name
    delegate, order, rtype, entry = (
        quote(m._meta.db_table) for m in (Delegate, Order, RegistrationType, WaitingListEntry)
    )
    of_types = f" AND t.id IN ({', '.join(['%s'] * types)})" if types else ""
    firm = ", ".join(["%s"] * len(lifecycle.FIRM_SEAT_STATUSES))
    # Only quoted table names and placeholders are put in; every value is a parameter.
    holding = (
        f"SELECT d.registration_type_id, COUNT(*) FROM {delegate} d "  # noqa: S608
        f"JOIN {order} o ON o.id = d.order_id "
        f"WHERE d.registration_type_id IN (SELECT t.id FROM {rtype} t WHERE t.congress_id = %s"
        f"{of_types}) AND d.is_cancelled = %s AND (o.status IN ({firm}) "
        "OR (o.status = %s AND (o.hold_expires_at IS NULL OR o.hold_expires_at > %s)))"
        + (" AND o.id <> %s" if exclude_order else "")
        + " GROUP BY d.registration_type_id"
    )
    offered = (
        f"SELECT w.registration_type_id, COUNT(*) FROM {entry} w "  # noqa: S608
        "WHERE w.congress_id = %s AND w.status = %s AND w.offer_expires_at > %s"
        + (f" AND w.registration_type_id IN ({', '.join(['%s'] * types)})" if types else "")
        + (" AND w.id <> %s" if exclude_offer else "")
        + " GROUP BY w.registration_type_id"
    )
    return f"{holding} UNION ALL {offered}"


def remaining(*, congress, types, taken: Taken) -> dict[int, int | None]:
    """Seats left per type (None: unlimited), bounded by the congress's total capacity."""
    total_capacity = RegistrationSettings.for_congress(congress).total_capacity
    overall = None if total_capacity is None else max(0, total_capacity - taken.total)
    result: dict[int, int | None] = {}
    for rtype in types:
        own = None if rtype.capacity is None else max(0, rtype.capacity - taken.by_type[rtype.pk])
        candidates = [n for n in (own, overall) if n is not None]
        result[rtype.pk] = min(candidates) if candidates else None
    return result


def ensure_seats(
    *,
    congress,
    wanted: Counter,
    types_by_id: dict,
    exclude_order_id: int | None = None,
    exclude_offer_id: int | None = None,
) -> int | None:
    """Raise :class:`SoldOut` unless ``wanted`` (type id -> seats) fits. Call under the lock.
    Returns the fewest seats left, before this order, among its types and the congress's total
    (None: unlimited), for the last-seats rule."""
    if not wanted:
        return None
    total_capacity = RegistrationSettings.for_congress(congress).total_capacity
    taken = count_taken(
        congress_id=congress.pk,
        # Without an overall cap only the wanted types matter: count nothing else.
        type_ids=wanted.keys() if total_capacity is None else None,
        exclude_order_id=exclude_order_id,
        exclude_offer_id=exclude_offer_id,
    )
    if total_capacity is not None and taken.total + sum(wanted.values()) > total_capacity:
        raise SoldOut(_("Sorry, the congress is full."))
    for type_id, seats in sorted(wanted.items()):
        rtype = types_by_id[type_id]
        if rtype.capacity is not None and taken.by_type[type_id] + seats > rtype.capacity:
            left = max(0, rtype.capacity - taken.by_type[type_id])
            raise SoldOut(
                _("Sorry, only %(left)s seat(s) left for “%(type)s”.")
                % {"left": left, "type": rtype.name}
            )
    lefts = [] if total_capacity is None else [total_capacity - taken.total]
    lefts += [
        types_by_id[type_id].capacity - taken.by_type[type_id]
        for type_id in wanted
        if types_by_id[type_id].capacity is not None
    ]
    return min(lefts) if lefts else None


def ensure_one_seat(*, congress, rtype: RegistrationType, new_seat: bool) -> None:
    """Raise :class:`SoldOut` unless one more delegate of ``rtype`` fits. Call under the lock.

    ``new_seat``: the delegate is new to the congress (an addition), so the congress's total
    capacity counts it too; a delegate moving from another type keeps the seat it has there,
    so only the new type's capacity is asked."""
    total_capacity = RegistrationSettings.for_congress(congress).total_capacity
    if new_seat or total_capacity is None:
        ensure_seats(
            congress=congress, wanted=Counter({rtype.pk: 1}), types_by_id={rtype.pk: rtype}
        )
        return
    if rtype.capacity is None:
        return
    taken = count_taken(congress_id=congress.pk, type_ids=[rtype.pk])
    if taken.by_type[rtype.pk] + 1 > rtype.capacity:
        left = max(0, rtype.capacity - taken.by_type[rtype.pk])
        raise SoldOut(
            _("Sorry, only %(left)s seat(s) left for “%(type)s”.")
            % {"left": left, "type": rtype.name}
        )
