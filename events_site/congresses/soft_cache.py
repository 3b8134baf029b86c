"""The cache as an optimisation that may be missing: when it is down (Redis stopped, network
gone), a read finds nothing and a write is skipped, and the page is built from the database
as if the cache were cold. Never a 500 because of the cache; ``/healthz`` reports it down.

Only errors of reaching the cache are swallowed (``CACHE_DOWN``), each one logged; a bug in
what we store (a value that cannot be pickled, say) still raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger("convene.cache")

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a pinned requirement
    RedisError = OSError

CACHE_DOWN: tuple[type[BaseException], ...] = (RedisError, OSError)


def _down(action: str, key: str, error: BaseException) -> None:
    logger.warning("cache unavailable (%s %s): %s", action, key, error)


def get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except CACHE_DOWN as error:
        _down("get", key, error)
        return default


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    keys = list(keys)
    try:
        return cache.get_many(keys)
    except CACHE_DOWN as error:
        _down("get_many", ",".join(keys), error)
        return {}


def set(key: str, value: Any, timeout: float | None) -> bool:
    """Keep ``value``; False when the cache could not be reached."""
    try:
        cache.set(key, value, timeout)
    except CACHE_DOWN as error:
        _down("set", key, error)
        return False
    return True


def incr(key: str) -> int | None:
    """Add one to a counter; ``ValueError`` if it is not set (as Django's), None if the cache
    could not be reached."""
    try:
        return cache.incr(key)
    except CACHE_DOWN as error:
        _down("incr", key, error)
        return None
