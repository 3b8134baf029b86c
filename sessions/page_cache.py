"""HTTP and body caching of the public programme pages (schedule grid and list, session,
speaker, speakers, changelog). See docs/agenda.md, "Caching the public programme".

For an anonymous visitor a page is one published version seen in one language, in the
congress's zone, with one query string: its validator (strong ``ETag``) and its cache key are
derived from exactly these (plus the site-wide public version, bumped when a congress's own
pages change). A warm hit is one query (congress, zone and latest version together) and no
template rendering; a new published version changes the key, so nothing has to be deleted.

Never shared: signed-in visitors' pages, a visitor with a message waiting, and any answer
that used a CSRF token or set a cookie (they are rendered afresh and marked ``private``).

Kept pages go gzipped to clients that accept it (its own ETag: another representation). Only
these bodies, which hold no secret and no CSRF token, are compressed (BREACH: docs/security.md).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from events_site.congresses import public_version, soft_cache
from events_site.congresses.enums import PUBLIC_STATUSES

from . import http_caching
from .models import ScheduleVersion

#: Browsers and shared caches may reuse a page this long without asking; then they revalidate
#: (a 304 costs one query). Short, so a correction reaches phones within a minute.
PAGE_MAX_AGE = 60
#: How long a rendered body stays in the Django cache (a new version changes the key anyway).
PAGE_CACHE_SECONDS = 3600
#: Query strings a page understands; any other parameter means "render, don't keep" (so a
#: stranger cannot fill the cache with bodies nobody else will ask for).
KNOWN_PARAMS = frozenset({"day", "view", "track", "format", "language", "tag", "q"})
MAX_CACHED_QUERY = 400


def _published_row(congress_slug: str):
    """(version pk, number, published_at, congress zone) of a public congress's latest
    version, in one query; None when it is not public or has none."""
    return (
        ScheduleVersion.objects.filter(
            congress__slug=congress_slug, congress__status__in=PUBLIC_STATUSES
        )
        .order_by("-number")
        .values_list("pk", "number", "published_at", "congress__time_zone")
        .first()
    )


def _has_pending_messages(request) -> bool:
    storage = get_messages(request)
    return len(storage) > 0  # len() reads them without marking them as seen


def _keepable_query(request) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return len(query) <= MAX_CACHED_QUERY and set(request.GET).issubset(KNOWN_PARAMS)


def _uses_csrf_or_cookies(request, response) -> bool:
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.META.get("CSRF_COOKIE_USED")
    )


def _private(response) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    return response


def page_variant(request, *, kind: str, zone: str) -> str:
    """What besides the version decides the body: page, path, query, language, zone, and
    the site-wide public version (congress name, dates, status)."""
    return "|".join(
        (
            kind,
            request.path,
            request.META.get("QUERY_STRING", ""),
            get_language() or "",
            zone,
            str(public_version.current()),
        )
    )


def cached_public_page(kind: str):
    """Decorate a public programme view (``view(request, congress_slug, **kwargs)``)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, congress_slug: str, **kwargs):
            if request.user.is_authenticated or _has_pending_messages(request):
                return _private(view(request, congress_slug, **kwargs))
            row = _published_row(congress_slug)
            if row is None:  # unpublished, unknown or not public: the view answers
                return _private(view(request, congress_slug, **kwargs))
            pk, number, published_at, zone = row
            version = SimpleNamespace(pk=pk, number=number, published_at=published_at)
            variant = page_variant(request, kind=kind, zone=zone)
            tag = http_caching.version_tag(f"page:{kind}", congress_slug, version, variant)
            gzipped = http_caching.accepts_gzip(request)
            etag = quote_etag(f"{tag}-gzip" if gzipped else tag)
            last_modified = http_caching.last_modified_of(published_at)
            response = http_caching.not_modified(request, etag=etag, last_modified=last_modified)
            if response is None:
                key = f"agenda:page:{tag}"
                body = soft_cache.get(f"{key}:gzip" if gzipped else key)
                if body is None and gzipped:  # kept plain (by a client without gzip) only
                    plain = soft_cache.get(key)
                    if plain is not None:
                        body = http_caching.gzip_body(plain)
                        soft_cache.set(f"{key}:gzip", body, PAGE_CACHE_SECONDS)
                if body is not None:
                    response = HttpResponse(body, content_type="text/html; charset=utf-8")
                    response["X-Convene-Page-Cache"] = "hit"
                else:
                    response = view(request, congress_slug, **kwargs)
                    if response.status_code != 200 or _uses_csrf_or_cookies(request, response):
                        return _private(response)
                    body = response.content
                    if gzipped:
                        body = http_caching.gzip_body(body)
                        response.content = body
                    if _keepable_query(request):
                        soft_cache.set(f"{key}:gzip" if gzipped else key, body, PAGE_CACHE_SECONDS)
                    response["X-Convene-Page-Cache"] = "miss"
                if gzipped:
                    response["Content-Encoding"] = "gzip"
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
            patch_vary_headers(response, ("Accept-Language", "Cookie", "Accept-Encoding"))
            return response

        return wrapper

    return decorate
