"""Payment fixtures: a real localstripe emulator (one per test session, on a free loopback
port), settings pointing the real ``stripe`` library at it, orders ready to pay, and a
signer that signs webhook payloads exactly the way Stripe does."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from registrations.enums import OrderStatus
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

WEBHOOK_SECRET = "whsec_convene_tests"

# The demo's own launcher: loopback only, state in memory (never the shared /tmp pickle).
LAUNCHER = str(Path(__file__).resolve().parents[2] / "scripts" / "run_localstripe.py")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    """The emulator's base address; the process ends with the session."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, LAUNCHER, "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a loaded CI machine takes a while to import it
    while True:
        try:
            urllib.request.urlopen(base + "/js.stripe.com/v3/", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def stripe_on(settings, localstripe):
    settings.STRIPE_SECRET_KEY = "sk_test_convene"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_convene"
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_JS_URL = localstripe + "/js.stripe.com/v3/"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return localstripe


@pytest.fixture
def stripe_off(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def make_order(
    congress,
    *,
    total="450.00",
    status=OrderStatus.PENDING_PAYMENT,
    hold_minutes=15,
    delegates=1,
    **extra,
):
    total = Decimal(total)
    order = OrderFactory(
        congress=congress,
        status=status,
        total=total,
        hold_expires_at=timezone.now() + dt.timedelta(minutes=hold_minutes)
        if status == OrderStatus.PENDING_PAYMENT
        else None,
        **extra,
    )
    rtype = RegistrationTypeFactory(congress=congress, capacity=10)
    share = (total / delegates).quantize(Decimal("0.01"))
    for _ in range(delegates):
        DelegateFactory(order=order, registration_type=rtype, price=share)
    return order


@pytest.fixture
def pending_order(congress):
    return make_order(congress)


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for ``payload``: t=<unix>,v1=HMAC-SHA256(secret, "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


_counter = iter(range(1, 10**9))


def event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_counter)}_{int(time.time() * 1000)}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "type": event_type,
        "data": {"object": obj},
    }


@pytest.fixture
def post_webhook(client):
    def post(payload: dict | str, *, header: str | None = "sign", **sign_kwargs):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        headers = {}
        if header == "sign":
            headers["HTTP_STRIPE_SIGNATURE"] = sign(body, **sign_kwargs)
        elif header is not None:
            headers["HTTP_STRIPE_SIGNATURE"] = header
        return client.post(
            "/payments/stripe/webhook/", data=body, content_type="application/json", **headers
        )

    return post


@pytest.fixture
def finance_user(congress):
    """A finance team member of ``congress`` (not an owner, not a superuser)."""
    user = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=user, role="finance")
    return user


@pytest.fixture
def registration_user(congress):
    """A registration manager of ``congress``: no finance permission."""
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user
