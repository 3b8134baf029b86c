"""Recent re-authentication before the actions a stolen session must not reach: refunds,
exports of personal data, team changes and API token creation.

A sign-in or a re-authentication stamps the session; ``reauth_required`` lets a view run when
the stamp is younger than ``REAUTH_MAX_AGE`` seconds and otherwise sends the person to the
re-authentication page, which returns them to where they were.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, JsonResponse
from django.shortcuts import resolve_url
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

SESSION_KEY = "convene_reauth_at"


def mark_reauthenticated(request: HttpRequest) -> None:
    """Record on the session that its person proved who they are just now."""
    request.session[SESSION_KEY] = int(time.time())


def is_recently_authenticated(request: HttpRequest) -> bool:
    stamp = request.session.get(SESSION_KEY)
    if not isinstance(stamp, int):
        return False
    return 0 <= time.time() - stamp <= settings.REAUTH_MAX_AGE


def authenticated_by_session(request) -> bool:
    """Whether the person came with a session cookie (every page; an API call through DRF's
    session authentication) rather than an API token, which is its own credential: a stolen
    session is what re-authentication and the second factor guard against."""
    if isinstance(request, Request):
        return isinstance(request.successful_authenticator, SessionAuthentication)
    return True


def reauth_required(view):
    """Decorator for function views, DRF actions and class views' ``dispatch``: the view runs
    only within ``REAUTH_MAX_AGE`` of the last sign-in or re-authentication. Apply it after
    (inside) the permission check, so that people without the permission get their 403 first."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        # A function view gets the request first; a method (a DRF action) gets it after self.
        request = args[0] if isinstance(args[0], HttpRequest | Request) else args[1]
        django_request = getattr(request, "_request", request)
        if (
            not django_request.user.is_authenticated
            or not authenticated_by_session(request)
            or is_recently_authenticated(django_request)
        ):
            return view(*args, **kwargs)
        if django_request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Sign in again (recent authentication required).", "code": "reauth"},
                status=403,
            )
        return redirect_to_login(
            django_request.get_full_path(), resolve_url("accounts:reauth"), "next"
        )

    return wrapped


def stamp_on_sign_in(sender, request=None, user=None, **kwargs) -> None:
    """Receiver of ``user_logged_in``: a fresh sign-in counts as a re-authentication."""
    if request is not None and hasattr(request, "session"):
        mark_reauthenticated(request)
