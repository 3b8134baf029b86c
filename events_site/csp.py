"""Content-Security-Policy for every response, through django-csp.

The fixed policy is ``CONTENT_SECURITY_POLICY`` in the settings: scripts, styles, images, fonts
and connections from our own origin only (styles may also be inline attributes: the timetable
places each session with a ``style``), no plugins, no framing by other sites. The card payment
page loads Stripe.js and its frames, so the origins of ``STRIPE_JS_URL`` and ``STRIPE_API_BASE``
are added here, read from the settings at each response (the local Stripe emulator in
development and tests, Stripe itself in production).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

STRIPE_API = "https://api.stripe.com"
STRIPE_HOOKS = "https://hooks.stripe.com"


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute URL, else None."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def stripe_sources() -> dict[str, list[str]]:
    js = origin(settings.STRIPE_JS_URL)
    api = origin(settings.STRIPE_API_BASE) or STRIPE_API
    frames = [source for source in (js, STRIPE_HOOKS) if source]
    return {"script-src": [js] if js else [], "frame-src": frames, "connect-src": [api]}


class ConveneCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Stripe origins of the current settings added."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = {key: list(values) for key, values in (parts.update or {}).items()}
        for directive, sources in stripe_sources().items():
            update[directive] = [*update.get(directive, []), *sources]
        parts.update = update
        return parts
