"""The API's authentication and its share of the rate limits (docs/deployment.md, "Rate
limits"): Convene's API tokens (``api_tokens.py``) with wrong tokens counted per client
address, and DRF throttles for endpoints a stolen token could walk (check-in lookup and
search). Both read ``RATE_LIMITS`` and, like every limit, let requests through when the cache
cannot be reached.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from events_site.congresses import api_tokens, rate_limits
from events_site.congresses.soft_cache import CACHE_DOWN

logger = logging.getLogger("convene.rate_limits")


class LimitedTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` (what the scanner apps send) or ``Bearer <key>``, for a
    Convene API token; ``request.user`` is its creator narrowed to the token's congress and
    role, ``request.auth`` the :class:`ApiToken`. An address that sent too many unknown keys
    gets a 429 (``RATE_LIMITS["api_token_failure"]``), even with a right one, until the window
    ends; a revoked or expired token is a 401 saying so, not counted (it is no guess)."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in self.keywords:
            return None
        django_request = request._request
        rate_limits.check(django_request, name="api_token_failure", count=False)
        try:
            if len(header) != 2:
                raise api_tokens.TokenRefused(
                    _("Send one token after the word Token, without spaces."),
                    code="token_invalid",
                    guess=True,
                )
            key = header[1].decode("ascii")
            token = api_tokens.authenticate(
                key=key, address=rate_limits.client_address(django_request)
            )
        except UnicodeDecodeError:
            rate_limits.check(django_request, name="api_token_failure")
            raise AuthenticationFailed(_("Invalid token."), code="token_invalid") from None
        except api_tokens.TokenRefused as error:
            if error.guess:
                rate_limits.check(django_request, name="api_token_failure")
            raise AuthenticationFailed(error.message, code=error.code) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class LimitedTokenScheme(OpenApiAuthenticationExtension):
    """The schema's word for the token authentication (drf-spectacular finds extensions by the
    class they describe)."""

    target_class = "events_site.congresses.api_limits.LimitedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A Convene API token, created by a team member on the congress's "
                "API tokens page: `Token <key>` (or `Bearer <key>`). It acts in one congress "
                "with one role, no wider than its creator's."
            ),
        }


class PerAccountThrottle(SimpleRateThrottle):
    """A DRF throttle per signed-in account (per address otherwise), its rate named by
    ``scope`` in ``RATE_LIMITS``; fails open when the cache is down."""

    def get_rate(self):
        return settings.RATE_LIMITS[self.scope]

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = rate_limits.client_address(request._request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except CACHE_DOWN as error:
            logger.warning("API throttle %s not checked, cache unavailable: %s", self.scope, error)
            return True


class CheckInSearchThrottle(PerAccountThrottle):
    scope = "checkin_search"
