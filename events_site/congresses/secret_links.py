"""The one lookup of a row by the secret a link carries (an order's self-service link, a
delegate's edit and agenda links, an agenda's calendar feed, a waiting-list offer, a badge's
QR code).

A secret is only ever looked up by its indexed unique column, never by scanning or by an id;
whatever else the link names (an order's code) is compared in constant time, so an answer
never tells which part was wrong. Text that cannot be a secret (empty, too long, outside the
URL-safe alphabet of ``secrets.token_urlsafe``: a NUL would even make PostgreSQL refuse the
query) finds nothing without a query. Every lookup passes through :func:`find_by_secret`, the
one place where a limit on guessing is put: wrong secrets are counted per client address
(``RATE_LIMITS["secret_lookup"]``) and past the limit every lookup from that address, right or
wrong, raises :class:`~events_site.congresses.rate_limits.RateLimited` (a 429).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from events_site.congresses import rate_limits

M = TypeVar("M", bound=Model)

_SECRET_TEXT = re.compile(r"[A-Za-z0-9_-]+")


def _same(actual: Any, expected: Any) -> bool:
    return hmac.compare_digest(
        str(actual).encode("utf-8", "surrogatepass"),
        str(expected).encode("utf-8", "surrogatepass"),
    )


def find_by_secret(
    queryset: QuerySet[M],
    *,
    secret: str,
    field: str = "secret",
    matching: Mapping[str, Any] | None = None,
) -> M | None:
    """The row of ``queryset`` whose unique ``field`` is ``secret`` and whose attributes named
    in ``matching`` equal the given values (compared in constant time), or None.

    Inside a request, raises ``RateLimited`` once its address has guessed wrong too often."""
    request = rate_limits.current_request()
    if request is not None:
        rate_limits.check(request, name="secret_lookup", count=False)
    row = _lookup(queryset, secret=secret, field=field, matching=matching)
    if row is None and request is not None:
        rate_limits.check(request, name="secret_lookup")
    return row


def _lookup(
    queryset: QuerySet[M],
    *,
    secret: str,
    field: str,
    matching: Mapping[str, Any] | None,
) -> M | None:
    max_length = queryset.model._meta.get_field(field).max_length or 64
    if not isinstance(secret, str) or len(secret) > max_length:
        return None
    if not _SECRET_TEXT.fullmatch(secret):
        return None
    row = queryset.filter(**{field: secret}).first()
    if row is None:
        return None
    if matching and not all(_same(getattr(row, name), value) for name, value in matching.items()):
        return None
    return row


def get_by_secret_or_404(
    queryset: QuerySet[M],
    *,
    secret: str,
    field: str = "secret",
    matching: Mapping[str, Any] | None = None,
) -> M:
    """:func:`find_by_secret`, or the same 404 for every way of being wrong."""
    row = find_by_secret(queryset, secret=secret, field=field, matching=matching)
    if row is None:
        raise Http404
    return row
