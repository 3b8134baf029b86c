"""Secrets the application must read back (the PDF signing certificate's passphrase), stored
sealed with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) so a database dump or a
backup alone does not give them away.

The keys come from ``settings.SEALED_SECRET_KEYS`` (the first seals, every one unseals, so a
key can be rotated); left empty, they are derived with HKDF from ``SECRET_KEY`` and then
``SECRET_KEY_FALLBACKS``, so rotating SECRET_KEY the Django way keeps old secrets readable."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"convene.sealed-secret.v1"


class SecretUnreadable(ValueError):
    """A sealed secret that none of the configured keys opens (the key changed)."""


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = list(getattr(settings, "SEALED_SECRET_KEYS", None) or [])
    if not secrets:
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets if secret])


def seal(plain: str) -> str:
    """The sealed form of ``plain`` (empty stays empty: nothing to hide)."""
    if not plain:
        return ""
    return _keys().encrypt(plain.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    """The secret ``seal`` sealed; raises ``SecretUnreadable`` if no key opens it."""
    if not sealed:
        return ""
    try:
        return _keys().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise SecretUnreadable(str(error) or "invalid token") from error
