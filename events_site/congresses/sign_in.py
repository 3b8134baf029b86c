"""Sign-in brute force: django-axes locks an account after ``AXES_FAILURE_LIMIT`` wrong
passwords for ``AXES_COOLOFF_TIME`` (counted in the cache), answers with the same 429 page as
every other limit, and e-mails the account's owner once per lockout. Attempts per client
address are limited on the sign-in view itself (:mod:`rate_limits`).
"""

from __future__ import annotations

import logging

from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from events_site.congresses.mail import send_templated_email
from events_site.congresses.rate_limits import RateLimited, client_address, too_many_requests
from events_site.congresses.soft_cache import CACHE_DOWN

logger = logging.getLogger("convene.sign_in")


def _cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, for sign-ins that come with a request (the sign-in page, the API's
    session and basic auth). ``authenticate()`` without one (the test client's ``login``, a
    management command) has no address to count and is not a guess from the internet."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SoftCacheHandler(AxesCacheHandler):
    """Axes' cache handler that lets sign-in through (fail open, logged) when the cache is down."""

    def is_locked(self, request, credentials=None):
        try:
            return super().is_locked(request, credentials)
        except CACHE_DOWN as error:
            logger.warning("sign-in lockout not checked, cache unavailable: %s", error)
            return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        try:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        except CACHE_DOWN as error:
            logger.warning("failed sign-in not counted, cache unavailable: %s", error)

    def user_logged_in(self, sender, request, user, **kwargs):
        try:
            return super().user_logged_in(sender, request, user, **kwargs)
        except CACHE_DOWN as error:
            logger.warning("sign-in not recorded, cache unavailable: %s", error)


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None, *args
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the shared 429 page, retry after the cool-off."""
    return too_many_requests(
        request, RateLimited(group="sign_in_lockout", retry_after=_cooloff_seconds())
    )


def send_lockout_notice(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """Receiver of axes' ``user_locked_out``: e-mail the account's owner, once per lockout
    (axes repeats the signal on every refused attempt)."""
    if not username:
        return
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if user is None or not user.email:
        return
    try:
        first = cache.add(f"convene:lockout-notice:{user.pk}", True, _cooloff_seconds())
    except CACHE_DOWN:
        first = True
    if not first:
        return
    send_templated_email(
        to=[user.email],
        template="congresses/emails/sign_in_locked",
        context={
            "user": user,
            "address": client_address(request) if request is not None else ip_address,
            "minutes": max(1, _cooloff_seconds() // 60),
            "site_url": settings.SITE_URL,
        },
        language=getattr(request, "LANGUAGE_CODE", None),
    )
