"""Signing out wipes what this site kept in the browser: the check-in desk's offline list,
its queued check-ins and its service worker (``Clear-Site-Data``, honoured over HTTPS and on
localhost). Every way of signing out counts: the sign-out button, a session ended from
another browser, the organisers' idle timeout."""

from __future__ import annotations

CLEAR_SITE_DATA = '"cache", "storage"'


def mark_signed_out(sender, request=None, **kwargs) -> None:
    """Receiver of ``user_logged_out``: the response to this request clears the site data."""
    if request is not None:
        request.convene_signed_out = True


class ClearSiteDataOnSignOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "convene_signed_out", False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
