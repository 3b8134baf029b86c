"""HTTP caching of what a published version serves (feeds and the public programme API): one
validator per version and variant, 304s for conditional requests, and gzip for clients that
accept it. Only for these documents: pages carrying CSRF tokens are never compressed (BREACH)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

CLIENT_MAX_AGE = 300


def version_tag(identifier: str, congress_slug: str, version, variant: str = "") -> str:
    """A validator that changes with the version (number, time) and the variant served."""
    return hashlib.sha256(
        f"{identifier}|{congress_slug}|{version.pk}|{version.number}|"
        f"{version.published_at.isoformat()}|{variant}".encode()
    ).hexdigest()[:32]


def last_modified_of(*moments: dt.datetime | None) -> int:
    return int(max(filter(None, moments)).timestamp())


def not_modified(request, *, etag: str, last_modified: int):
    """A 304 (or 412) when the client's validators still match, else None."""
    return get_conditional_response(request, etag=etag, last_modified=last_modified)


def stamp(response, *, etag: str, last_modified: int, public: bool) -> None:
    """The validators and caching headers every answer (200 or 304) carries."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if public:
        patch_cache_control(response, public=True, max_age=CLIENT_MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=CLIENT_MAX_AGE)
        response["X-Robots-Tag"] = "noindex"


def accepts_gzip(request) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip`` or ``*`` with a non-zero q)."""
    allowed: dict[str, float] = {}
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding:
            allowed[coding.strip().lower()] = quality
    if "gzip" in allowed:
        return allowed["gzip"] > 0
    return allowed.get("*", 0) > 0


def gzip_body(body: bytes) -> bytes:
    """Deterministic gzip (no timestamp), so cached copies and validators stay stable."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def vary_on_encoding(response) -> None:
    patch_vary_headers(response, ("Accept-Encoding",))
