"""The registration form page (step two), kept and served to every visitor; its invalidation.

The blank page is the same for every visitor who asks for the same URL in the same language,
except for two values that must be their own: the CSRF token and the order's one-time token
(its idempotency key). So :func:`cached` renders it with two random placeholders, keeps it for
:data:`PAGE_SECONDS`, and gives each visitor a copy with fresh values in their place; serving it
runs no query. Underneath, :func:`render_forms` keeps the blank forms per fingerprint of
everything they show (for :data:`BLANK_FORMS_SECONDS`), so a miss renders only the page around
them.

Freshness: a kept page carries the version of the public pages it was rendered under
(:mod:`events_site.congresses.public_version`). The services that change a registration type,
a question or the registration settings call :func:`invalidate` (the core's congress services
bump the same version), explicitly: no signal, so a ``QuerySet.update()`` in a service is not
missed. With a shared cache (Redis, as in production) the next visitor sees the change; with
the per-process default cache other workers see it within :data:`PAGE_SECONDS`. The seats-left
column is at most that old: it is advice, the capacity lock decides every order. Pages with an
error, a flash message or a waiting-list offer (which carries the person's name) are never
kept, nor any query string other than step one's type and number of delegates, so the pages
kept are bounded by the congress's types.

With the cache down every page is rendered from the database (``soft_cache``): slower, never
an error. Capacity never depends on the cache.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation

from events_site.congresses import public_version, soft_cache

PAGE_SECONDS = 5
BLANK_FORMS_SECONDS = 600


def invalidate() -> None:
    """Something the form page shows has changed (a type, a question, the settings): the
    next request renders it again. Called by the services (and admin screens) that change it."""
    public_version.bump()


def new_order_token() -> str:
    """The one-time token of one visitor's form: the order's idempotency key."""
    return secrets.token_urlsafe(24)


def blank_forms_key(parts: list) -> str:
    """The key of blank forms that show exactly ``parts`` (any change gives a new key)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"registrations:blank-forms:{digest}"


def render_forms(contact, formset, cache_key: str | None) -> dict[str, str]:
    """The contact's visible fields and the formset (management form, delegates, the empty
    form for "add another") as HTML, kept under ``cache_key`` when there is one; the one-time
    token is rendered by the page itself."""
    if cache_key is not None:
        kept = soft_cache.get(cache_key)
        if kept is not None:
            return kept
    html = {
        "contact_fields": render_to_string(
            "registrations/_contact_fields.html", {"contact": contact}
        ),
        "delegate_forms": render_to_string(
            "registrations/_delegate_forms.html", {"formset": formset}
        ),
    }
    if cache_key is not None:
        soft_cache.set(cache_key, html, BLANK_FORMS_SECONDS)
    return html


@dataclass(frozen=True)
class Holes:
    """The placeholders a kept page is rendered with (random, so no content can fake one)."""

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


def _cacheable(request: HttpRequest) -> bool:
    """Only a plain GET (or HEAD) of step one's own query, without pending flash messages."""
    if request.method not in ("GET", "HEAD"):
        return False
    for name, values in request.GET.lists():
        pattern = _PAGE_QUERY.get(name)
        if pattern is None or len(values) != 1 or not pattern.fullmatch(values[0]):
            return False
    return not len(get_messages(request))


def _page_key(request: HttpRequest, congress_slug: str) -> str:
    path = f"{congress_slug}|{translation.get_language()}|{request.get_full_path()}"
    return "registrations:public-page:" + hashlib.sha256(path.encode()).hexdigest()


def _fill(request: HttpRequest, html: str, holes: Holes) -> HttpResponse:
    html = html.replace(holes.csrf, get_token(request)).replace(holes.token, new_order_token())
    return HttpResponse(html)


def cached(view):
    """Serve the page kept under the current version with this visitor's own tokens; otherwise
    run ``view`` and keep what it answers when that is a shared blank page (a
    :class:`TemplateResponse` whose context says ``shared``, with the ``contact`` form)."""

    @functools.wraps(view)
    def serve(request: HttpRequest, congress_slug: str, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, congress_slug, **kwargs)
        page_key = _page_key(request, congress_slug)
        found = soft_cache.get_many([page_key, public_version.KEY])
        version = public_version.current(found)  # read before what the page shows
        entry = found.get(page_key)
        if entry is not None and entry[0] == version:
            _version, html, csrf_hole, token_hole = entry
            return _fill(request, html, Holes(csrf=csrf_hole, token=token_hole))
        response = view(request, congress_slug, **kwargs)
        if not isinstance(response, TemplateResponse) or not response.context_data.get("shared"):
            return response
        holes = Holes.new()
        response.context_data["contact"].fields["token"].initial = holes.token
        response.context_data["csrf_token"] = holes.csrf
        html = response.rendered_content
        soft_cache.set(page_key, (version, html, holes.csrf, holes.token), PAGE_SECONDS)
        return _fill(request, html, holes)

    return serve
