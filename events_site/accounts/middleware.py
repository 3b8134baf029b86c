"""The superuser rule for Django admin: with ``TWO_FACTOR_REQUIRED_FOR_SUPERUSERS`` a superuser
signed in without a second factor is sent to enter (or set up) a code before any /admin/ page.
The organiser pages and the API apply the same rule in the congress core's permission check."""

from __future__ import annotations

from django.urls import reverse

from .two_factor import gate


class SuperuserTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        if request.path_info.startswith(self._admin_prefix):
            user = getattr(request, "user", None)
            if getattr(user, "is_superuser", False):
                refused = gate(request, required=False)
                if refused is not None:
                    return refused
        return self.get_response(request)
