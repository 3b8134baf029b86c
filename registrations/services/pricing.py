"""Prices are computed on the server only: tier by the congress's calendar, then the voucher."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ..enums import PriceTier
from ..models import RegistrationType, Voucher


def congress_today(congress, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(congress.tz).date()


def price_tier(rtype: RegistrationType, today: dt.date) -> PriceTier:
    """On site from ``on_site_from`` (or the first day), early bird until its last day."""
    on_site_from = rtype.on_site_from or rtype.congress.start_date
    if rtype.on_site_price is not None and today >= on_site_from:
        return PriceTier.ON_SITE
    if (
        rtype.early_bird_price is not None
        and rtype.early_bird_until is not None
        and today <= rtype.early_bird_until
    ):
        return PriceTier.EARLY_BIRD
    return PriceTier.REGULAR


def list_price(rtype: RegistrationType, today: dt.date) -> tuple[Decimal, PriceTier]:
    """The type's price today before any voucher (complimentary types cost nothing)."""
    tier = price_tier(rtype, today)
    if rtype.complimentary:
        return Decimal("0.00"), tier
    price = {
        PriceTier.ON_SITE: rtype.on_site_price,
        PriceTier.EARLY_BIRD: rtype.early_bird_price,
    }.get(tier, rtype.regular_price)
    return Decimal(price).quantize(Decimal("0.01")), tier


def voucher_covers(voucher: Voucher | None, rtype: RegistrationType, allowed_ids=None) -> bool:
    """Whether ``voucher`` applies to ``rtype`` (``allowed_ids``: its types, prefetched)."""
    if voucher is None:
        return False
    if allowed_ids is None:
        allowed_ids = set(voucher.registration_types.values_list("pk", flat=True))
    return not allowed_ids or rtype.pk in allowed_ids
