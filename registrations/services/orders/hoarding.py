"""Seat hoarding: caps on unpaid holds per e-mail address and per client address, counted in
orders and in seats, the last-seats rule, and the open unpaid holds they count (the organisers
release them through ``holds``).

The caps are counted under the capacity lock of the congress (see ``placing``), in the same
transaction that places the order, so two concurrent orders from one address can never both
pass a cap that only one of them fits. The placer is recorded on the order only while it is
an unpaid hold (``lifecycle.apply`` clears it when the order is paid, cancelled, expired or
refunded).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from ... import lifecycle
from ...errors import TooManyUnpaidOrders
from ...models import Order
from ...selectors import registration_settings

# Tests and the benchmark switch this off to show what the caps prevent.
CAPS_ENABLED = True


def address_key(address: str) -> str:
    """The client address as counted and stored: an IPv6 address as its /64 network (one
    subscriber gets a whole /64, so single IPv6 addresses cost an attacker nothing), an
    IPv4-mapped one as IPv4, anything unparsable cut to 64 characters."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return "".join(ch for ch in text if ch.isprintable())[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def email_key(email: str) -> str:
    """The e-mail address as counted: lower case, without a ``+tag`` in the local part (so
    ``Ana+1@x`` and ``ana+2@x`` are one person)."""
    local, _sep, domain = (email or "").strip().lower().rpartition("@")
    if not _sep:
        return domain[:254]
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"[:254]


def open_hold_q(now: dt.datetime | None = None) -> Q:
    """Unpaid orders that keep seats now: waiting for approval, or for payment while held."""
    now = now or timezone.now()
    firm_unpaid = [s for s in lifecycle.UNPAID_STATUSES if s != lifecycle.HELD_STATUS]
    return (
        Q(status__in=firm_unpaid)
        | Q(status=lifecycle.HELD_STATUS, hold_expires_at__isnull=True)
        | Q(status=lifecycle.HELD_STATUS, hold_expires_at__gt=now)
    )


@dataclass(frozen=True)
class PlacerHolds:
    """What the placer of a new order holds unpaid already (the new order left out)."""

    email_orders: int = 0
    email_seats: int = 0
    address_orders: int = 0
    address_seats: int = 0


def check_hold_caps(
    *,
    congress: Congress,
    hold_email: str,
    hold_address: str,
    seats: int,
    exclude_order_id: int | None,
    now: dt.datetime,
) -> PlacerHolds:
    """Raise :class:`TooManyUnpaidOrders` if the e-mail address or the client address already
    has the congress's cap of open unpaid orders, or if their unpaid seats with this order's
    ``seats`` would pass the seat caps. Call under the capacity lock: one statement. Returns
    what the placer holds, for :func:`check_last_seats`."""
    if not CAPS_ENABLED:
        return PlacerHolds()
    reg_settings = registration_settings(congress)
    by_email = bool(hold_email) and (
        reg_settings.max_unpaid_orders_per_email is not None
        or reg_settings.max_unpaid_seats_per_email is not None
    )
    by_address = bool(hold_address) and (
        reg_settings.max_unpaid_orders_per_address is not None
        or reg_settings.max_unpaid_seats_per_address is not None
        or reg_settings.last_seats_threshold is not None
    )
    if not by_email and not by_address:
        return PlacerHolds()
    which = Q()
    if by_email:
        which |= Q(hold_email=hold_email)
    if by_address:
        which |= Q(hold_address=hold_address)
    held = Order.objects.filter(which, open_hold_q(now), congress_id=congress.pk)
    if exclude_order_id is not None:
        held = held.exclude(pk=exclude_order_id)
    live_seat = Q(delegates__is_cancelled=False)
    counts = held.aggregate(
        email_orders=Count("pk", distinct=True, filter=Q(hold_email=hold_email)),
        email_seats=Count("delegates", filter=Q(hold_email=hold_email) & live_seat),
        address_orders=Count("pk", distinct=True, filter=Q(hold_address=hold_address)),
        address_seats=Count("delegates", filter=Q(hold_address=hold_address) & live_seat),
    )
    holds = PlacerHolds(
        email_orders=counts["email_orders"] if by_email else 0,
        email_seats=counts["email_seats"] if by_email else 0,
        address_orders=counts["address_orders"] if by_address else 0,
        address_seats=counts["address_seats"] if by_address else 0,
    )
    if by_email:
        _check_email_caps(congress, reg_settings, holds, seats)
    if by_address:
        _check_address_caps(congress, reg_settings, holds, seats)
    return holds


def _contact_sentence(congress: Congress) -> str:
    if not congress.contact_email:
        return ""
    return " " + str(
        _("You can reach the organisers at %(email)s.") % {"email": congress.contact_email}
    )


def _check_email_caps(congress, reg_settings, holds: PlacerHolds, seats: int) -> None:
    per_email = reg_settings.max_unpaid_orders_per_email
    if per_email is not None and holds.email_orders >= per_email:
        raise TooManyUnpaidOrders(
            _(
                "This e-mail address already has %(n)s unpaid order(s) for this congress. "
                "Please pay for or cancel one of them first: each order has its own link in "
                "the e-mail we sent when it was placed."
            )
            % {"n": holds.email_orders},
            field="email",
        )
    seat_cap = reg_settings.max_unpaid_seats_per_email
    if seat_cap is not None and holds.email_seats + seats > seat_cap:
        raise TooManyUnpaidOrders(
            str(
                _(
                    "Unpaid orders of this e-mail address may hold at most %(max)s seat(s) for "
                    "this congress; it holds %(n)s already and this order asks for %(seats)s. "
                    "Please pay for or cancel an open order first (its link is in the e-mail "
                    "we sent when it was placed), or contact the organisers for a larger "
                    "delegation."
                )
                % {"max": seat_cap, "n": holds.email_seats, "seats": seats}
            )
            + _contact_sentence(congress),
            field="email",
        )


def _check_address_caps(congress, reg_settings, holds: PlacerHolds, seats: int) -> None:
    per_address = reg_settings.max_unpaid_orders_per_address
    if per_address is not None and holds.address_orders >= per_address:
        raise TooManyUnpaidOrders(
            _(
                "Too many unpaid orders for this congress were placed from your connection. "
                "Please pay for or cancel an open order first (its link is in the e-mail we "
                "sent when it was placed). If many people share your connection, contact the "
                "organisers."
            )
        )
    seat_cap = reg_settings.max_unpaid_seats_per_address
    if seat_cap is not None and holds.address_seats + seats > seat_cap:
        raise TooManyUnpaidOrders(
            str(
                _(
                    "Unpaid orders placed from your connection may hold at most %(max)s seat(s) "
                    "for this congress; they hold %(n)s already and this order asks for "
                    "%(seats)s. Please pay for or cancel an open order first (its link is in "
                    "the e-mail we sent when it was placed). If many people share your "
                    "connection, contact the organisers."
                )
                % {"max": seat_cap, "n": holds.address_seats, "seats": seats}
            )
            + _contact_sentence(congress)
        )


def check_last_seats(
    *, congress: Congress, holds: PlacerHolds, seats: int, seats_left: int | None
) -> None:
    """The last-seats rule: once ``seats_left`` (before this order, for its types) is at most
    the congress's threshold, the placer's client address may hold only
    ``last_seats_per_address`` unpaid seats, this order's ``seats`` included. Call under the
    capacity lock, after :func:`check_hold_caps` and the seat count."""
    if not CAPS_ENABLED or seats_left is None:
        return
    reg_settings = registration_settings(congress)
    threshold = reg_settings.last_seats_threshold
    if threshold is None or seats_left > threshold:
        return
    limit = reg_settings.last_seats_per_address
    if holds.address_seats + seats <= limit:
        return
    raise TooManyUnpaidOrders(
        str(
            _(
                "Only %(left)s seat(s) are left, so the unpaid orders placed from one "
                "connection may hold at most %(max)s of them (this order would make "
                "%(total)s). Please pay for your open order first, or order fewer seats; for "
                "a larger delegation, contact the organisers."
            )
            % {"left": seats_left, "max": limit, "total": holds.address_seats + seats}
        )
        + _contact_sentence(congress)
    )
