"""The Stripe edge: the only module that talks to Stripe or knows its units.

- ``get_client()`` builds a ``stripe.StripeClient`` from settings (pinned API version, optional
  emulator base address); ``card_payments_available()`` says whether one can be built.
- ``to_minor_units`` / ``from_minor_units``: Decimal amounts <-> Stripe's integers, with zero-
  and three-decimal currencies handled here and nowhere else.
- ``verify_webhook()``: checks ``Stripe-Signature`` with the stripe library's own verification
  (HMAC-SHA256 over ``t.payload``, Stripe's tolerance window) and returns the parsed event; a
  timestamp further ahead than the tolerance is refused too (the library checks only the past).
- ``create_payment_intent()`` sends the caller's idempotency key: Stripe answers a repeat of
  the key (within ``IDEMPOTENCY_KEY_LIFETIME``) with the intent it created the first time.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import stripe
from django.conf import settings

from .errors import CardPaymentsUnavailable, InvalidSignature

# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL_CURRENCIES = frozenset(
    ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"]
    + ["PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]
)
# https://docs.stripe.com/currencies#three-decimal : amounts must end in 0 (rounded to cents).
THREE_DECIMAL_CURRENCIES = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
# Stripe represents these with two decimals but accepts only whole units.
WHOLE_UNITS_TWO_DECIMAL = frozenset({"ISK"})

WEBHOOK_TOLERANCE_SECONDS = stripe.Webhook.DEFAULT_TOLERANCE
# https://docs.stripe.com/api/idempotent_requests : keys may be pruned after 24 hours.
IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places Stripe's integer amounts carry for ``currency``."""
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal -> Stripe integer. Refuses (ValueError) an amount the currency cannot carry
    rather than rounding money silently: JPY 10.50 has no Stripe representation."""
    amount = Decimal(amount)
    code = currency.upper()
    exponent = minor_unit_exponent(code)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {code} has more decimals than {code} allows")
    minor = int(scaled)
    if code in THREE_DECIMAL_CURRENCIES and minor % 10:
        raise ValueError(f"Stripe charges {code} only in multiples of 0.010")
    if code in WHOLE_UNITS_TWO_DECIMAL and minor % 100:
        raise ValueError(f"Stripe charges {code} only in whole units")
    return minor


def from_minor_units(minor: int, currency: str) -> Decimal:
    """Stripe integer -> Decimal with two places (our storage), exact for every currency."""
    value = Decimal(int(minor)).scaleb(-minor_unit_exponent(currency))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def card_payments_available() -> bool:
    """Card payment is offered only with a secret key (Stripe or the emulator) configured."""
    return bool(settings.STRIPE_SECRET_KEY) and bool(publishable_key())


def publishable_key() -> str:
    if settings.STRIPE_PUBLISHABLE_KEY:
        return settings.STRIPE_PUBLISHABLE_KEY
    # The emulator accepts any pk_ key; a real Stripe account must configure its own.
    return "pk_test_emulator" if settings.STRIPE_API_BASE else ""


def get_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise CardPaymentsUnavailable()
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION,
        base_addresses=base,
        max_network_retries=2,
    )


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """Verify ``Stripe-Signature`` and return the event as a plain dict.

    Raises InvalidSignature for a missing, malformed, wrong or stale signature, and when no
    webhook secret is configured (an unverifiable webhook is never trusted)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidSignature("No webhook secret is configured.")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature(str(exc.user_message or exc)) from exc
    if _signed_at(signature_header) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        # A correctly signed event "from the future" is one that could be replayed for as long.
        raise InvalidSignature("Timestamp outside the tolerance zone (in the future).")
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSignature("The payload is not JSON.") from exc
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise InvalidSignature("The payload is not a Stripe event.")
    return event


def _signed_at(signature_header: str) -> int:
    """The ``t=`` of a header the library has verified (its first one, as the library reads)."""
    for item in signature_header.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            try:
                return int(value)
            except ValueError as exc:
                raise InvalidSignature("Unable to extract timestamp.") from exc
    raise InvalidSignature("Unable to extract timestamp.")


# --- Calls (each one network round trip; never inside a database transaction) ----------------


def create_payment_intent(
    *, amount: Decimal, currency: str, order_code: str, congress_slug: str, idempotency_key: str
) -> dict[str, Any]:
    intent = get_client().v1.payment_intents.create(
        params={
            "amount": to_minor_units(amount, currency),
            "currency": currency.lower(),
            "payment_method_types": ["card"],
            "metadata": {
                "order": order_code,
                "congress": congress_slug,
                "attempt": idempotency_key,
            },
        },
        options={"idempotency_key": idempotency_key},
    )
    return intent.to_dict()


def retrieve_payment_intent(intent_id: str) -> dict[str, Any]:
    return get_client().v1.payment_intents.retrieve(intent_id).to_dict()


def cancel_payment_intent(intent_id: str) -> dict[str, Any]:
    return get_client().v1.payment_intents.cancel(intent_id).to_dict()


def confirm_with_card_token(*, intent_id: str, token: str) -> dict[str, Any]:
    """Server-side confirmation with a card token from ``stripe.createToken``: the emulator's
    Stripe.js stand-in has no Payment Element ``confirmPayment``, so the browser tokenises the
    card and the server attaches it and confirms (Stripe's "finalize on the server" flow)."""
    client = get_client()
    card = client.v1.tokens.retrieve(token).card
    client.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
    return client.v1.payment_intents.confirm(intent_id).to_dict()


def create_refund(
    *, intent_id: str, amount: Decimal, currency: str, idempotency_key: str, order_code: str
) -> dict[str, Any]:
    refund = get_client().v1.refunds.create(
        params={
            "payment_intent": intent_id,
            "amount": to_minor_units(amount, currency),
            "metadata": {"order": order_code},
        },
        options={"idempotency_key": idempotency_key},
    )
    return refund.to_dict()


def retrieve_refund(refund_id: str) -> dict[str, Any]:
    return get_client().v1.refunds.retrieve(refund_id).to_dict()
