"""API tokens: a key a program uses to call the API as the person who created it, narrowed to
one congress and one role no wider than that person's (checked at creation and at every use).

The key (``cvn_`` and ``secrets.token_urlsafe(32)``) is shown once; the database keeps only its
SHA-256, found by an indexed unique column and compared in constant time. A plain hash is
enough: the key is 256 random bits, not a password. The page, the admin and the API
authentication all go through these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit, text
from .enums import Role
from .errors import DomainError
from .models import ApiToken, Congress
from .permissions import person_permissions, scope_to_token
from .rules import ROLE_PERMISSIONS

KEY_PREFIX = "cvn_"
# Shown in lists: the marker and the first 8 random characters (48 of the 256 bits).
PREFIX_LENGTH = len(KEY_PREFIX) + 8
NAME_MAX_LENGTH = 100
MAX_LIFETIME = dt.timedelta(days=366)
# ``last_used_at`` is written at most this often, the audit entry for use at most this often.
LAST_USED_EVERY = dt.timedelta(minutes=1)
USE_RECORDED_EVERY = dt.timedelta(hours=1)


class TokenError(DomainError):
    """A token that cannot be created or revoked as asked."""

    code = "token_invalid"


class TokenRefused(DomainError):
    """A key that does not authenticate. ``guess`` is true when no token has that key (counted
    against the address); a revoked, expired or orphaned token is a known key, not a guess."""

    status_code = 401

    def __init__(self, message, *, code: str, guess: bool = False):
        super().__init__(message, code=code)
        self.guess = guess


@dataclass(frozen=True)
class CreatedToken:
    """A new token and its key: the only moment the key exists outside the client."""

    token: ApiToken
    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def roles_within(user, congress: Congress) -> list[Role]:
    """The roles a token of ``user`` may carry in ``congress``: each role whose permissions
    are all held by the person there (every role for an owner or a superuser)."""
    held = person_permissions(user, congress)
    return [role for role in Role if ROLE_PERMISSIONS[role] <= held]


def check_request(
    *, congress: Congress, by, name: str, role: str, expires_at: dt.datetime | None
) -> str:
    """The name to store, or :class:`TokenError` when the name is empty, too long or holds a
    control character, the role is wider than the person's own, or the expiry is past or more
    than a year away."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."), code="token_name_missing")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError(
            _("A token name has at most %(count)d characters.") % {"count": NAME_MAX_LENGTH},
            code="token_name_too_long",
        )
    characters = text.forbidden_characters(name)
    if characters:
        raise TokenError(text.refusal_message(str(_("Name")), characters), code="control_character")
    if role not in Role.values:
        raise TokenError(_("Choose one of the roles."), code="token_role_unknown")
    if Role(role) not in roles_within(by, congress):
        raise TokenError(
            _("A token cannot have a role wider than your own in this congress."),
            code="token_role_too_wide",
        )
    now = timezone.now()
    if expires_at is not None and not now < expires_at <= now + MAX_LIFETIME:
        raise TokenError(
            _("The expiry must be in the future and within a year."),
            code="token_expiry_invalid",
        )
    return name


def create_token(
    *,
    congress: Congress,
    by,
    name: str,
    role: str,
    expires_at: dt.datetime | None = None,
) -> CreatedToken:
    """Create a token acting as ``by`` with ``role`` in ``congress`` (see ``check_request``)."""
    name = check_request(congress=congress, by=by, name=name, role=role, expires_at=expires_at)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            congress=congress,
            user=by,
            name=name,
            role=role,
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_key(key),
            expires_at=expires_at,
        )
        audit.record(
            action="convene.api_token.created",
            congress=congress,
            actor=by,
            target=token,
            data=_described(token),
        )
    return CreatedToken(token=token, key=key)


def revoke_token(*, token: ApiToken, by) -> ApiToken:
    """Revoke ``token`` now (the creator or an owner of its congress may); revoking twice
    changes nothing and records nothing."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        token.refresh_from_db(fields=["revoked_at", "revoked_by"])
        if changed:
            audit.record(
                action="convene.api_token.revoked",
                congress=token.congress,
                actor=by,
                target=token,
                data=_described(token),
            )
    return token


def authenticate(*, key: str, address: str = "") -> ApiToken:
    """The live token whose key is ``key``, its creator scoped to its congress and role
    (``token.user``); raises :class:`TokenRefused` otherwise. Marks the use (throttled)."""
    digest = hash_key(key)
    token = ApiToken.objects.select_related("user", "congress").filter(key_hash=digest).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        raise TokenRefused(_("Invalid token."), code="token_invalid", guess=True)
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(_("This token was revoked."), code="token_revoked")
    if token.is_expired(now):
        raise TokenRefused(_("This token has expired."), code="token_expired")
    user = token.user
    if not user.is_active or ROLE_PERMISSIONS[token.role] - person_permissions(
        user, token.congress
    ):
        raise TokenRefused(
            _("The person who created this token no longer holds its role in the congress."),
            code="token_role_lost",
        )
    scope_to_token(user, congress_id=token.congress_id, role=token.role)
    _mark_used(token, now=now, address=address)
    return token


def _mark_used(token: ApiToken, *, now: dt.datetime, address: str) -> None:
    """``last_used_at`` at most once a minute, an audit entry at most once an hour (so on the
    first use after an hour idle); compare-and-set, so concurrent requests write each once,
    and one UPDATE when both are due."""
    hour_ago, minute_ago = now - USE_RECORDED_EVERY, now - LAST_USED_EVERY
    if _is_due(token.use_recorded_at, hour_ago):
        unrecorded = Q(use_recorded_at__isnull=True) | Q(use_recorded_at__lt=hour_ago)
        rows = ApiToken.objects.filter(unrecorded, pk=token.pk)
        if rows.update(last_used_at=now, use_recorded_at=now):
            token.last_used_at = token.use_recorded_at = now
            audit.record(
                action="convene.api_token.used",
                congress=token.congress,
                actor=token.user,
                target=token,
                data={**_described(token), "address": address},
            )
            return
    if _is_due(token.last_used_at, minute_ago):
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=minute_ago)
        if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
            token.last_used_at = now


def _is_due(last: dt.datetime | None, before: dt.datetime) -> bool:
    return last is None or last < before


def _described(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "role": token.role,
        "expires_at": token.expires_at.isoformat() if token.expires_at else "",
    }


def tokens_visible_to(user, congress: Congress, *, every: bool):
    """The congress's tokens for the page: everyone's when ``every`` (owners), else the
    person's own; newest first, with what the list shows fetched in the same query."""
    tokens = ApiToken.objects.filter(congress=congress).select_related("user", "revoked_by")
    return tokens if every else tokens.filter(user=user)
