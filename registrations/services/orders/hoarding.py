"""Seat hoarding: caps on unpaid holds per e-mail address and per client address, and the
open unpaid holds they count (the organisers release them through ``holds``).

The caps are counted under the capacity lock of the congress (see ``placing``), in the same
transaction that places the order, so two concurrent orders from one address can never both
pass a cap that only one of them fits. The placer is recorded on the order only while it is
an unpaid hold (``lifecycle.apply`` clears it when the order is paid, cancelled, expired or
refunded).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

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


def check_hold_caps(
    *,
    congress: Congress,
    hold_email: str,
    hold_address: str,
    exclude_order_id: int | None,
    now: dt.datetime,
) -> None:
    """Raise :class:`TooManyUnpaidOrders` if the e-mail address or the client address already
    has the congress's cap of open unpaid orders. Call under the capacity lock: one statement."""
    if not CAPS_ENABLED:
        return
    reg_settings = registration_settings(congress)
    per_email = reg_settings.max_unpaid_orders_per_email if hold_email else None
    per_address = reg_settings.max_unpaid_orders_per_address if hold_address else None
    if per_email is None and per_address is None:
        return
    which = Q()
    if per_email is not None:
        which |= Q(hold_email=hold_email)
    if per_address is not None:
        which |= Q(hold_address=hold_address)
    held = Order.objects.filter(which, open_hold_q(now), congress_id=congress.pk)
    if exclude_order_id is not None:
        held = held.exclude(pk=exclude_order_id)
    counts = held.aggregate(
        by_email=Count("pk", filter=Q(hold_email=hold_email)),
        by_address=Count("pk", filter=Q(hold_address=hold_address)),
    )
    if per_email is not None and counts["by_email"] >= per_email:
        raise TooManyUnpaidOrders(
            _(
                "This e-mail address already has %(n)s unpaid order(s) for this congress. "
                "Please pay for or cancel one of them first: each order has its own link in "
                "the e-mail we sent when it was placed."
            )
            % {"n": counts["by_email"]},
            field="email",
        )
    if per_address is not None and counts["by_address"] >= per_address:
        raise TooManyUnpaidOrders(
            _(
                "Too many unpaid orders for this congress were placed from your connection. "
                "Please pay for or cancel an open order first (its link is in the e-mail we "
                "sent when it was placed). If many people share your connection, contact the "
                "organisers."
            )
        )
