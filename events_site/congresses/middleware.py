"""Request guards that apply to every URL of the site, before any view runs."""

from __future__ import annotations

import contextlib

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def holds_nul(request: HttpRequest) -> bool:
    """True when the decoded path, a query parameter (name or value) or a form field of a
    POSTed form holds a NUL character."""
    if "\x00" in request.path_info:
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        # A malformed body is left to the view, which refuses it as it always did.
        with contextlib.suppress(MultiPartParserError):
            sources.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for source in sources
        for key, values in source.lists()
    )


class RefuseNulMiddleware:
    """Answer 400 to any request whose URL or form carries a NUL byte (``%00``).

    No view can use such text: PostgreSQL refuses NUL in text values, so a lookup or search
    with it used to fail with a 500. Refusing it here, once, keeps every view and API filter
    safe, including those that read the query string directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if holds_nul(request):
            message = _(
                "The address or the form contains a NUL character (a zero byte), which is not "
                "allowed. Remove it and try again."
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "nul_character"}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
