"""The public registration form page, rendered once and served to every visitor.

The details page (step two) is the same for every visitor who asks for the same URL in the same
language, except for two values that must be their own: the CSRF token and the order's one-time
token (its idempotency key). So the page is rendered with two random placeholders, kept in the
cache, and each visitor gets a copy with fresh values in their place; serving it runs no query.

Freshness: every change to a registration type, question, the registration settings or a
congress bumps one version number in the cache, so with a shared cache (Redis, as in
production) the next visitor sees it at once; with the per-process default cache other workers
see it within :data:`PAGE_SECONDS`. The seats-left column is at most that old; it is advice:
the capacity lock decides every order. Pages with an error, a flash message or a waiting-list
offer (which carries the person's name) are never cached, nor any query string other than step
one's type and number of delegates, so the pages kept are bounded by the congress's types.

With the cache down every page is rendered from the database (``soft_cache``): slower, never
an error. Capacity never depends on the cache.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from events_site.congresses import soft_cache

from .forms import new_order_token

PAGE_SECONDS = 5
_VERSION_KEY = "registrations:public-page-version"


@dataclass(frozen=True)
class Holes:
    """The placeholders a cached page is rendered with (random, so no content can fake one)."""

    csrf: str
    token: str

    @classmethod
    def new(cls) -> Holes:
        return cls(csrf=f"csrf-{secrets.token_hex(16)}", token=f"token-{secrets.token_hex(16)}")


# What step one sends, and nothing else: a type code and a number of delegates (an empty voucher
# box is sent too). Anything more (a voucher, an offer, made-up parameters) is rendered for that
# request alone, so nobody can fill the cache with pages by varying the query string.
_PAGE_QUERY = {
    "registration_type": re.compile(r"[-\w]{1,50}"),
    "delegates": re.compile(r"[0-9]{1,2}"),
    "voucher": re.compile(r""),
}


def cacheable(request: HttpRequest) -> bool:
    """Only a plain GET (or HEAD) of step one's own query, without pending flash messages."""
    if request.method not in ("GET", "HEAD"):
        return False
    for name, values in request.GET.lists():
        pattern = _PAGE_QUERY.get(name)
        if pattern is None or len(values) != 1 or not pattern.fullmatch(values[0]):
            return False
    return not len(get_messages(request))


def _key(request: HttpRequest, congress_slug: str) -> tuple[str, str]:
    """The page's key under the current version (and the version key, fetched together)."""
    path = f"{congress_slug}|{translation.get_language()}|{request.get_full_path()}"
    return "registrations:public-page:" + hashlib.sha256(path.encode()).hexdigest(), _VERSION_KEY


def cached_page(request: HttpRequest, congress_slug: str) -> HttpResponse | None:
    """The cached page with this visitor's own tokens, or None if there is none yet."""
    page_key, version_key = _key(request, congress_slug)
    found = soft_cache.get_many([page_key, version_key])
    entry = found.get(page_key)
    if entry is None or entry[0] != found.get(version_key, 0):
        return None
    _version, html, csrf_hole, token_hole = entry
    return _fill(request, html, Holes(csrf=csrf_hole, token=token_hole))


def store_page(
    request: HttpRequest, congress_slug: str, html: str, holes: Holes, version: int
) -> HttpResponse:
    """Keep a page rendered with ``holes`` under ``version`` (read before rendering, so a
    change made meanwhile is not hidden) and answer this visitor with their own copy."""
    page_key, _version_key = _key(request, congress_slug)
    soft_cache.set(page_key, (version, html, holes.csrf, holes.token), PAGE_SECONDS)
    return _fill(request, html, holes)


def current_version() -> int:
    return soft_cache.get(_VERSION_KEY, 0)


def _fill(request: HttpRequest, html: str, holes: Holes) -> HttpResponse:
    html = html.replace(holes.csrf, get_token(request)).replace(holes.token, new_order_token())
    return HttpResponse(html)


def invalidate(**_kwargs) -> None:
    """Any change that shows on the public pages: start a new version. (With the cache down
    nothing is kept, and pages kept before the outage expire within PAGE_SECONDS.)"""
    try:
        soft_cache.incr(_VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any value other than 0 or the old one
        soft_cache.set(_VERSION_KEY, secrets.randbelow(2**62) + 1, None)


def connect_signals() -> None:
    from events_site.congresses.models import Congress

    from .models import Question, RegistrationSettings, RegistrationType

    for model in (Congress, RegistrationType, Question, RegistrationSettings):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"page-cache-save-{model}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"page-cache-del-{model}")
    m2m_changed.connect(
        invalidate,
        sender=Question.registration_types.through,
        dispatch_uid="page-cache-question-types",
    )
