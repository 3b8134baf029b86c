"""The one way a request is limited: counters per client address and per target in the cache,
through django-ratelimit (sign-in lockout per account is django-axes, API token failures DRF's
``Throttled``). Over a limit, :class:`RateLimited` becomes a 429 with ``Retry-After`` and a page
that says what to do (JSON under ``/api/``).

The cache is reached so that an outage never becomes a 500: a limit whose counter cannot be
read lets the request through (fail open) and logs it, as :mod:`soft_cache` does for pages.
Limits are settings (``RATE_LIMITS``), generous enough that a real person never meets one.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from events_site.congresses.soft_cache import CACHE_DOWN

logger = logging.getLogger("convene.rate_limits")

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "convene_current_request", default=None
)


class RateLimited(Ratelimited):
    """Too many attempts from one address (or at one target); ``retry_after`` in seconds."""

    def __init__(self, *, group: str, retry_after: int) -> None:
        super().__init__(group)
        self.group = group
        self.retry_after = max(1, int(retry_after))


def client_address(request: HttpRequest, *_args: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, unless ``CLIENT_ADDRESS_HEADER`` names the header
    a trusted proxy sets (its right-most entry is the one that proxy saw)."""
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", "")
    if header:
        value = request.META.get(header, "")
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries:
            return entries[-1][:64]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate(name: str) -> str:
    return settings.RATE_LIMITS[name]


def check(request: HttpRequest, *, name: str, key: str | None = None, count: bool = True) -> None:
    """Count one attempt of kind ``name`` (a key of ``RATE_LIMITS``) by ``key`` (the client
    address unless given) and raise :class:`RateLimited` once past the limit. ``count=False``
    only looks. The cache being unreachable lets the attempt through."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    value = key if key is not None else client_address(request)
    try:
        usage = get_usage(
            request,
            group=name,
            key=lambda _group, _request: value,
            rate=_rate(name),
            increment=count,
        )
    except CACHE_DOWN as error:
        logger.warning("rate limit %s not checked, cache unavailable: %s", name, error)
        return
    if usage is None:
        return
    over = usage["should_limit"] if count else usage["count"] >= usage["limit"]
    if over:
        raise RateLimited(group=name, retry_after=usage["time_left"])


def limit_posts(*names_and_keys: tuple[str, Callable[[HttpRequest], str] | None]):
    """Decorate a view: each POST counts against every (limit name, key function) given; the
    key function None means the client address."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                for name, key_of in names_and_keys:
                    key = key_of(request) if key_of else None
                    check(request, name=name, key=key)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def current_request() -> HttpRequest | None:
    """The request being answered on this thread, for limits placed below the views (the
    secret lookup), or None outside a request (tasks, commands)."""
    return _current_request.get()


class CurrentRequestMiddleware:
    """Keeps the request where :func:`current_request` finds it, for the length of the call."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def rate_limited_message(retry_after: int) -> str:
    """What a refused person reads: why, how long to wait, whom to ask."""
    return _(
        "Too many attempts from your connection. Please wait %(minutes)s minute(s) and try "
        "again. If you share a connection with many people (a venue, an office), this can "
        "happen to you without any fault: contact the organisers if it persists."
    ) % {"minutes": max(1, (retry_after + 59) // 60)}


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 429 answer (``RATELIMIT_VIEW``): JSON under ``/api/``, a page elsewhere."""
    retry_after = getattr(exception, "retry_after", None) or 60
    message = rate_limited_message(retry_after)
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "rate_limited", "retry_after": retry_after}, status=429
        )
    else:
        response = render(
            request,
            "congresses/too_many_requests.html",
            {"message": message, "retry_after": retry_after},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response
