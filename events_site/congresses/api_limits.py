"""The API's share of the rate limits (docs/deployment.md, "Rate limits"): wrong tokens per
client address, and DRF throttles for endpoints a stolen token could walk (check-in lookup and
search). Both read ``RATE_LIMITS`` and, like every limit, let requests through when the cache
cannot be reached.
"""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from events_site.congresses import rate_limits
from events_site.congresses.soft_cache import CACHE_DOWN

logger = logging.getLogger("convene.rate_limits")


class LimitedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; an address that sent too many wrong tokens gets a 429
    (``RATE_LIMITS["api_token_failure"]``), even with a right one, until the window ends."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        rate_limits.check(request._request, name="api_token_failure", count=False)
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            rate_limits.check(request._request, name="api_token_failure")
            raise


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
