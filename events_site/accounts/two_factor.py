"""Two-factor sign-in with django-otp: one TOTP device (an authenticator app) per person, and a
set of ten single-use recovery codes (a static device) made when the app is confirmed.

A session is *verified* once a code was entered in it (``django_otp.login``); the permission
path of the congress core asks :func:`gate` whether to send a person to set up or enter their
code first. Codes are compared by django-otp inside a transaction with the device locked, so a
TOTP code is accepted once (replays fail) and a recovery code is spent when used.
"""

from __future__ import annotations

import re
import time
import unicodedata
from typing import TYPE_CHECKING

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"
# The sign-in waiting for its second step: who, by which backend, since when.
PENDING_KEY = "convene_two_factor_pending"
PENDING_MAX_AGE = 5 * 60
# Recovery codes made just now, shown once on the next page and then forgotten.
FRESH_CODES_KEY = "convene_two_factor_fresh_codes"
MAX_CODE_INPUT = 64

_TOTP_SHAPE = re.compile(r"[0-9]{6}")
_RECOVERY_SHAPE = re.compile(r"[a-z2-7]{8}")


class CodeRefused(Exception):
    """A code that cannot be right, for its shape alone (a translatable message)."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def normalise_code(raw: str) -> str:
    """The code as typed, without spaces or dashes, in lower case, with digits of any script
    (Arabic-Indic, Devanagari, full-width...) read as ASCII digits; raises :class:`CodeRefused`
    for anything else (control characters, markup, another alphabet, a 10 kB paste)."""
    if not isinstance(raw, str) or len(raw) > MAX_CODE_INPUT:
        raise CodeRefused(_("Enter the 6-digit code from your app, or a recovery code."))
    out = []
    for char in raw.strip():
        if char in " -\u00a0\u202f":
            continue
        if unicodedata.category(char) == "Nd":
            out.append(str(unicodedata.decimal(char)))
        elif char.isascii() and char.isalpha():
            out.append(char.lower())
        else:
            raise CodeRefused(_("Enter the 6-digit code from your app, or a recovery code."))
    code = "".join(out)
    if not (_TOTP_SHAPE.fullmatch(code) or _RECOVERY_SHAPE.fullmatch(code)):
        raise CodeRefused(_("Enter the 6-digit code from your app, or a recovery code."))
    return code


def is_totp_shaped(code: str) -> bool:
    return bool(_TOTP_SHAPE.fullmatch(code))


# --- Devices ---
def authenticator(user: AbstractBaseUser, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_two_factor(user) -> bool:
    """Whether ``user`` has a confirmed authenticator app (so sign-in takes two steps)."""
    if getattr(user, "pk", None) is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__confirmed=True, device__name=RECOVERY_NAME
    ).count()


def start_setup(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (made once, kept while unconfirmed, so that
    reloading the page does not change the QR code under the person's phone)."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL as an inline SVG QR code (no script, no external image)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=False, title=str(_("QR code to scan"))
    )


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_setup(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; on success the person's other devices are
    replaced by this one and ten new recovery codes, returned (shown once). None: wrong code."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if locked.confirmed or not is_totp_shaped(code) or not locked.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        return _new_recovery_codes(user)


def regenerate_recovery_codes(*, user) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    with transaction.atomic():
        return _new_recovery_codes(user)


def disable(*, user) -> None:
    """Remove the authenticator app and the recovery codes: sign-in is one step again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def verify(*, user, code: str, allow_recovery: bool = True):
    """The device that accepts ``code`` (already normalised), or None. Six digits are tried on
    the authenticator app only, anything else on the recovery codes only, so that wrong guesses
    of one kind never throttle the other."""
    if is_totp_shaped(code):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    elif allow_recovery:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    else:
        return None
    for device in devices:
        accepted = django_otp.verify_token(user, device.persistent_id, code)
        if accepted is not None:
            return accepted
    return None


# --- Sessions ---
def is_verified(request: HttpRequest) -> bool:
    """Whether this session was signed in with a second factor."""
    user = getattr(request, "user", None)
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def mark_verified(request: HttpRequest, device) -> None:
    django_otp.login(request, device)


def start_pending_sign_in(request: HttpRequest, user) -> None:
    """The password was right and the account has a second factor: remember who is halfway."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
    }


def pending_sign_in(request: HttpRequest) -> tuple[AbstractBaseUser, str] | None:
    """The person halfway through signing in and their backend, while it is fresh."""
    from django.contrib.auth import get_user_model

    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    at = pending.get("at")
    if not isinstance(at, int) or not 0 <= time.time() - at <= PENDING_MAX_AGE:
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()
    backend = pending.get("backend")
    if user is None or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    return user, backend


def end_pending_sign_in(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_account_key(request: HttpRequest) -> str:
    """The rate-limit key of the account whose code is being entered."""
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    pending = request.session.get(PENDING_KEY)
    if isinstance(pending, dict):
        return f"user:{pending.get('user')}"
    return "user:none"


def check_attempts(request: HttpRequest, *, count: bool) -> None:
    """Count (or, with ``count=False``, only look at) wrong codes per address and per account
    against ``RATE_LIMITS``; over either limit the limiter raises its 429."""
    check = import_string(settings.TWO_FACTOR_RATE_LIMIT_CHECK)
    check(request, name="two_factor", count=count)
    check(request, name="two_factor_account", key=pending_account_key(request), count=count)


# --- The gate ---
REQUIRED_MESSAGE = _("Two-factor sign-in is required for this congress.")


def superuser_needs_two_factor(user) -> bool:
    return bool(
        getattr(user, "is_superuser", False)
        and getattr(settings, "TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", True)
    )


def refusal(request: HttpRequest) -> HttpResponse:
    """Where an unverified person goes: set up (no app yet) or enter their code, returning to
    the page they asked for; under ``/api/`` a 403 with code ``two_factor_required``."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": str(REQUIRED_MESSAGE),
                "code": "two_factor_required",
            },
            status=403,
        )
    has_app = has_two_factor(request.user)
    target = "accounts:two_factor_verify" if has_app else "accounts:two_factor_setup"
    return redirect_to_login(request.get_full_path(), resolve_url(target), "next")


def gate(request: HttpRequest, *, required: bool) -> HttpResponse | None:
    """None when the signed-in person may go on; otherwise the answer that sends them to their
    second factor. ``required`` is the caller's rule (the congress asks for two-factor); the
    superuser rule is added here."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    if not (required or superuser_needs_two_factor(user)):
        return None
    if is_verified(request):
        return None
    return refusal(request)


def without_two_factor(users):
    """Those of ``users`` (a queryset) who have no confirmed authenticator app."""
    return users.exclude(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
    ).order_by("username")
