"""Sessions per person: which browsers are signed in, since when, seen when, from where, and
ending them from another browser.

Django's session stores cannot be listed by person, and a row that kept a session key would
be a second copy of every key. So each signed-in session carries a random token
(``TOKEN_KEY``) and :class:`~events_site.accounts.models.UserSession` keeps its hash. Ending a
session deletes its row; the next request of that browser finds its token without a row and
is signed out (:func:`check`). This works with any ``SESSION_ENGINE`` and needs no cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from .models import UserSession

TOKEN_KEY = "convene_session_token"  # noqa: S105 (a session key name)
# A row's last-seen time is written at most this often (one UPDATE a minute per browser).
SEEN_EVERY = dt.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_marks(user) -> list[str]:
    """The marks a live session of ``user`` can carry (the current secret key and its
    fallbacks)."""
    return [
        _hash(value)
        for value in (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
    ]


def _token(request: HttpRequest) -> str:
    token = request.session.get(TOKEN_KEY)
    return token if isinstance(token, str) else ""


def start(
    request: HttpRequest, *, user, address: str, browser: str, idle_timeout: bool
) -> UserSession:
    """Track the session of ``request`` as a sign-in of ``user`` (a new token, a new row).
    Rows of sessions that cannot be alive any more (older than the longest a session lives,
    or from before a password change) are dropped on the way."""
    now = timezone.now()
    old = _token(request)
    if old:
        UserSession.objects.filter(token_hash=_hash(old)).delete()
    marks = _password_marks(user)
    UserSession.objects.filter(user=user).filter(
        Q(last_seen_at__lt=now - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
        | ~Q(password_mark__in=marks)
    ).delete()
    token = secrets.token_urlsafe(32)
    request.session[TOKEN_KEY] = token
    return UserSession.objects.create(
        user=user,
        token_hash=_hash(token),
        password_mark=marks[0],
        address=address[:64],
        browser=browser[:160],
        idle_timeout=idle_timeout,
        created_at=now,
        last_seen_at=now,
    )


@dataclass(frozen=True)
class Seen:
    """What :func:`check` found for a signed-in request."""

    row: UserSession | None  # None: an untracked session (signed in before tracking began)
    ended: bool = False  # ended from another browser: sign this one out
    idle: bool = False  # an organiser session past ORGANISER_IDLE_TIMEOUT

    @property
    def due_for_update(self) -> bool:
        return self.row is not None and timezone.now() - self.row.last_seen_at >= SEEN_EVERY


def check(request: HttpRequest, *, user_id) -> Seen:
    """One indexed query: is the signed-in session of ``request`` still tracked, and idle?"""
    token = _token(request)
    if not token:
        return Seen(row=None)
    row = (
        UserSession.objects.filter(token_hash=_hash(token))
        .only("pk", "user_id", "last_seen_at", "idle_timeout")
        .first()
    )
    if row is None or str(row.user_id) != str(user_id):
        return Seen(row=row, ended=True)
    idle_for = (timezone.now() - row.last_seen_at).total_seconds()
    return Seen(row=row, idle=row.idle_timeout and idle_for > settings.ORGANISER_IDLE_TIMEOUT)


def mark_seen(row: UserSession, *, user, idle_timeout: bool) -> None:
    """Write the last-seen time, whether the idle timeout applies (it may have changed since
    the sign-in: a person added to a team) and the password mark (this session outlived a
    password change made in it, so it is alive)."""
    UserSession.objects.filter(pk=row.pk).update(
        last_seen_at=timezone.now(),
        idle_timeout=idle_timeout,
        password_mark=_password_marks(user)[0],
    )


def end(request: HttpRequest) -> None:
    """Stop tracking the session of ``request`` (it is signing out)."""
    token = _token(request)
    if token:
        UserSession.objects.filter(token_hash=_hash(token)).delete()


def end_others(*, user, request: HttpRequest) -> int:
    """End every session of ``user`` but the one of ``request``; the number ended."""
    others = UserSession.objects.filter(user=user)
    token = _token(request)
    if token:
        others = others.exclude(token_hash=_hash(token))
    deleted, _by_model = others.delete()
    return deleted


def active_for(request: HttpRequest, *, limit: int = 100) -> list[UserSession]:
    """The sessions of the person signed in on ``request`` that may still be signed in (this
    one always), most recently seen first."""
    user = request.user
    since = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    alive = Q(last_seen_at__gte=since, password_mark__in=_password_marks(user))
    token = _token(request)
    if token:
        alive |= Q(token_hash=_hash(token))
    return list(UserSession.objects.filter(alive, user=user)[:limit])


def is_this_browser(request: HttpRequest, row: UserSession) -> bool:
    token = _token(request)
    return bool(token) and secrets.compare_digest(row.token_hash, _hash(token))
