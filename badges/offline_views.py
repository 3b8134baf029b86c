"""The offline check-in desk's URLs (check-in staff only): web app manifest, service worker,
the session's encryption key, the desk list (delta by cursor) and the sync of queued check-ins.

Every answer is private and never stored by a cache on the way (``no-store``); the service
worker caches the desk page and its static files, never these answers.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events_site.congresses import rate_limits
from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.permissions import congress_perm_required

from . import offline

SW_ASSETS = (
    "css/convene.css",
    "badges/checkin.css",
    "badges/checkin.js",
    "badges/desk-offline.js",
    "badges/desk-offline.css",
    "badges/desk-icon-192.png",
    "badges/desk-icon-512.png",
)
MAX_SYNC_BODY = 256 * 1024  # 100 queued check-ins are ~20 kB


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


def _limit(request) -> None:
    # A stolen staff session must not walk the delegate list quickly: counted per account.
    rate_limits.check(request, name="checkin_offline", key=f"user:{request.user.pk}")


def _desk_url(congress) -> str:
    return reverse("badges:checkin", kwargs={"congress_slug": congress.slug})


@require_GET
@congress_perm_required(Perm.CHECK_IN)
def desk_manifest(request, congress):
    """The desk as an installable app: opens on the desk, scoped to it."""
    desk = _desk_url(congress)
    manifest = {
        "name": _("Check-in – %(congress)s") % {"congress": congress.name},
        "short_name": _("Check-in"),
        "id": desk,
        "start_url": desk,
        "scope": desk,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {"src": static("badges/desk-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("badges/desk-icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json"
    )
    return _private(response)


@functools.cache
def _worker_source() -> str:
    path = finders.find("badges/desk-sw.js")
    with open(path, encoding="utf-8") as source:
        return source.read()


@require_GET
@congress_perm_required(Perm.CHECK_IN)
def desk_service_worker(request, congress):
    """The service worker, served under the desk's own path so its scope is the desk."""
    desk = _desk_url(congress)
    assets = [static(name) for name in SW_ASSETS]
    source = _worker_source()
    version = hashlib.sha256("\n".join([source, desk, *assets]).encode()).hexdigest()[:12]
    config = {
        "cache": f"convene-desk-{congress.slug}-{version}",
        "desk": desk,
        "assets": assets,
        "login": reverse("login"),
    }
    body = f"self.DESK_CONFIG = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = desk
    response["Cache-Control"] = "no-cache, private"
    return response


def _session_key_name(congress) -> str:
    return f"badges_desk_key:{congress.pk}"


@require_GET
@congress_perm_required(Perm.CHECK_IN)
def desk_key(request, congress):
    """This sign-in's key for the desk list kept in the browser (AES-GCM, 256 bits): it lives
    in the server session, so signing out makes the copy in the browser unreadable."""
    _limit(request)
    name = _session_key_name(congress)
    key = request.session.get(name)
    if not key:
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        request.session[name] = key
    return _private(JsonResponse({"key": key, "congress": congress.slug}))


@require_GET
@congress_perm_required(Perm.CHECK_IN)
def desk_list(request, congress):
    """The desk rows changed after ``since`` (a cursor this endpoint gave), a page at a time."""
    _limit(request)
    since_text = request.GET.get("since", "0")
    if not since_text.isascii() or not since_text.isdigit() or len(since_text) > 18:
        return _private(
            JsonResponse({"detail": _("Not a cursor."), "code": "bad_cursor"}, status=400)
        )
    page = offline.desk_list_page(congress=congress, since=int(since_text))
    page["time_zone"] = congress.time_zone
    return _private(JsonResponse(page))


@require_POST
@congress_perm_required(Perm.CHECK_IN)
def desk_sync(request, congress):
    """Apply the check-ins a desk queued offline: ``{"items": [{nonce, delegate, at, desk,
    badge?}]}``; one answer per item, in order."""
    _limit(request)
    if len(request.body) > MAX_SYNC_BODY:
        return _private(JsonResponse({"detail": _("Too large."), "code": "too_large"}, status=413))
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # nesting too deep
        return _private(
            JsonResponse({"detail": _("Not JSON."), "code": "malformed_json"}, status=400)
        )
    if not isinstance(payload, dict):
        payload = {}
    try:
        results = offline.apply_queue(
            congress=congress, items=payload.get("items"), by=request.user
        )
    except DomainError as error:
        return _private(
            JsonResponse({"detail": str(error.message), "code": error.code}, status=400)
        )
    return _private(JsonResponse({"results": results}))
