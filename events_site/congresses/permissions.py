"""The one permission check of Convene, used by every organiser view and API endpoint.

``has_congress_perm(user, perm, congress)`` answers from the user's roles in that congress;
superusers may do everything. Roles are read once per request and user, then cached on the user.
A request authenticated with an API token (``api_tokens.py``) holds only what the token's role
grants, and only in the token's congress, whatever its creator may do elsewhere.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

import rules
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from rest_framework.permissions import BasePermission

from events_site.accounts import two_factor
from events_site.accounts.reauth import authenticated_by_session

from .enums import Perm
from .errors import DomainError
from .models import Congress, TeamMembership
from .rules import ROLE_PERMISSIONS, permissions_for_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


_TOKEN_SCOPE = "_convene_api_token_scope"  # noqa: S105 - an attribute name


def scope_to_token(user: AbstractBaseUser, *, congress_id: int, role: str) -> None:
    """From now on ``user`` (this object: the request's) holds at most ``role``'s permissions,
    in the congress ``congress_id`` only. Set by the API token authentication."""
    user.__dict__[_TOKEN_SCOPE] = (congress_id, ROLE_PERMISSIONS.get(role, frozenset()))


def congress_permissions(user: AbstractBaseUser | AnonymousUser, congress: Congress) -> frozenset:
    """All permissions ``user`` holds in ``congress`` (cached on the user object), narrowed to
    the token's role and congress when the request came with an API token."""
    held = person_permissions(user, congress)
    scope = getattr(user, "__dict__", {}).get(_TOKEN_SCOPE)
    if scope is None:
        return held
    congress_id, granted = scope
    return held & granted if congress.pk == congress_id else frozenset()


def person_permissions(user: AbstractBaseUser | AnonymousUser, congress: Congress) -> frozenset:
    """What the person holds in ``congress`` through their roles, ignoring any token scope
    (to check that a token's role is still no wider than its creator's)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    if user.is_superuser:
        return frozenset(Perm.values)
    cache = user.__dict__.setdefault("_convene_congress_perms", {})
    if congress.pk not in cache:
        roles = set(
            TeamMembership.objects.filter(user=user, congress_id=congress.pk).values_list(
                "role", flat=True
            )
        )
        cache[congress.pk] = permissions_for_roles(roles)
    return cache[congress.pk]


def has_congress_perm(user, perm: str, congress: Congress | None) -> bool:
    if congress is None:
        return False
    return str(perm) in congress_permissions(user, congress)


def require_congress_perm(user, perm: str, congress: Congress) -> None:
    if not has_congress_perm(user, perm, congress):
        raise PermissionDenied


def require_team_member(user, congress: Congress) -> None:
    """Any role in ``congress`` will do (pages every team member has, like their API tokens)."""
    if not congress_permissions(user, congress):
        raise PermissionDenied


def congresses_with_perm(user, perm: str):
    """The congresses in which ``user`` holds ``perm`` (a queryset)."""
    if not getattr(user, "is_authenticated", False):
        return Congress.objects.none()
    scope = user.__dict__.get(_TOKEN_SCOPE)
    if scope is not None:
        congress = Congress.objects.filter(pk=scope[0]).first()
        if congress is None or not has_congress_perm(user, perm, congress):
            return Congress.objects.none()
        return Congress.objects.filter(pk=congress.pk)
    if user.is_superuser:
        return Congress.objects.all()
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if str(perm) in perms]
    return Congress.objects.filter(team__user=user, team__role__in=roles).distinct()


# django-rules object permissions, so that ``user.has_perm("congress.view", congress)`` and the
# admin agree with the one check above.
def _predicate_for(perm: str) -> rules.Predicate:
    def check(user, congress) -> bool:
        return has_congress_perm(user, perm, congress)

    return rules.predicate(check, name=f"has_congress_perm:{perm}")


for _perm in Perm.values:
    rules.add_perm(_perm, _predicate_for(_perm))


class TwoFactorRequired(DomainError):
    """The API's answer to a session that still needs its second factor."""

    code = "two_factor_required"
    status_code = 403


def two_factor_refusal(request, congress: Congress | None):
    """None when the signed-in person may go on; otherwise the answer sending them to set up or
    enter their second factor first: the congress requires two-factor sign-in for its team, or
    the person is a superuser (``TWO_FACTOR_REQUIRED_FOR_SUPERUSERS``)."""
    required = bool(congress is not None and congress.require_two_factor)
    return two_factor.gate(request, required=required)


def congress_perm_required(perm: str | None):
    """Decorator for function views taking ``congress_slug``: 404 for an unknown congress,
    login for anonymous visitors, 403 without the permission (``None``: without any role);
    sets ``request.congress``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, congress_slug: str, **kwargs):
            congress = get_object_or_404(Congress, slug=congress_slug)
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if perm is None:
                require_team_member(request.user, congress)
            else:
                require_congress_perm(request.user, perm, congress)
            refused = two_factor_refusal(request, congress)
            if refused is not None:
                return refused
            request.congress = congress
            return view(request, *args, congress=congress, **kwargs)

        return wrapped

    return decorator


class CongressPermissionMixin(AccessMixin):
    """Class-based views: set ``required_perm``; the congress comes from ``congress_slug``."""

    required_perm: str = Perm.VIEW
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        self.congress = get_object_or_404(Congress, slug=kwargs["congress_slug"])
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_congress_perm(request.user, self.required_perm, self.congress)
        refused = two_factor_refusal(request, self.congress)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("congress", self.congress)
        return super().get_context_data(**kwargs)


class HasCongressPerm(BasePermission):
    """DRF: the view names ``required_perm`` (or ``required_perms`` per action) and provides
    ``get_congress()``; object checks go through ``obj.congress`` or the object itself."""

    message = "You do not have permission for this congress."

    def _perm(self, view) -> str:
        per_action = getattr(view, "required_perms", None) or {}
        action = getattr(view, "action", None)
        return per_action.get(action) or getattr(view, "required_perm", Perm.VIEW)

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        get_congress = getattr(view, "get_congress", None)
        congress = None
        if get_congress is not None:
            congress = get_congress()
            if not has_congress_perm(request.user, self._perm(view), congress):
                return False
        self._check_second_factor(request, congress)
        return True

    @staticmethod
    def _check_second_factor(request, congress: Congress | None) -> None:
        """With session authentication, the congress's two-factor rule (and the superuser's)
        applies as on its pages; an API token is its own credential and passes."""
        if not authenticated_by_session(request):
            return
        if two_factor_refusal(request._request, congress) is not None:
            raise TwoFactorRequired(two_factor.REQUIRED_MESSAGE)

    def has_object_permission(self, request, view, obj) -> bool:
        congress = obj if isinstance(obj, Congress) else getattr(obj, "congress", None)
        if not has_congress_perm(request.user, self._perm(view), congress):
            return False
        self._check_second_factor(request, congress)
        return True
