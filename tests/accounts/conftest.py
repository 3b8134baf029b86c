"""Helpers for the accounts tests: people, signing in, a confirmed authenticator app and the
codes it shows."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

PASSWORD = "right-horse-battery-staple"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def dora(db):
    """A person with an account and no organiser role."""
    user = UserFactory(username="dora", email="dora@city.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password=PASSWORD, *, address="203.0.113.7", agent=FIREFOX):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=agent,
    )


def code_for(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``device`` now (or at ``at``)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def give_two_factor(user, *, recovery_codes=("abcdefgh", "ijklmnop")) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for token in recovery_codes:
        StaticToken.objects.create(device=static, token=token)
    return device


@pytest.fixture(autouse=True)
def _no_device_throttle(settings):
    """django-otp's own back-off (1 s, 2 s, 4 s... after a wrong code) would make these tests
    wait; the limits under test here are the site's per address and per account."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def with_password(alice):
    alice.set_password(PASSWORD)
    alice.save()
    return alice


def sign_in_with_password(client, user, next_url="/manage/"):
    return client.post(
        f"/accounts/login/?next={next_url}",
        {"username": user.username, "password": PASSWORD},
    )
