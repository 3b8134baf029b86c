from decimal import Decimal

import pytest

from registrations.payments import stripe as stripe_edge
from registrations.payments.errors import CardPaymentsUnavailable, InvalidSignature

from .conftest import WEBHOOK_SECRET, sign


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("450.00", "EUR", 45000),
        ("0.01", "usd", 1),
        ("12.34", "EUR", 1234),
        ("5000", "JPY", 5000),
        ("5000.00", "JPY", 5000),
        ("150000", "KRW", 150000),
        ("990", "XOF", 990),
        ("12.34", "KWD", 12340),
        ("1500.00", "ISK", 150000),
    ],
)
def test_amounts_convert_to_stripe_minor_units_per_currency(amount, currency, minor):
    assert stripe_edge.to_minor_units(Decimal(amount), currency) == minor
    assert stripe_edge.from_minor_units(minor, currency) == Decimal(amount).quantize(
        Decimal("0.01")
    )


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("10.50", "JPY"), ("0.5", "KRW"), ("1.001", "EUR"), ("1.234", "KWD"), ("10.50", "ISK")],
)
def test_amounts_a_currency_cannot_carry_are_refused_not_rounded(amount, currency):
    with pytest.raises(ValueError):
        stripe_edge.to_minor_units(Decimal(amount), currency)


def test_zero_decimal_currencies_include_yen_and_won_but_not_euro():
    assert stripe_edge.minor_unit_exponent("jpy") == 0
    assert stripe_edge.minor_unit_exponent("KRW") == 0
    assert stripe_edge.minor_unit_exponent("EUR") == 2
    assert stripe_edge.minor_unit_exponent("BHD") == 3


def test_card_payments_are_unavailable_without_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert not stripe_edge.card_payments_available()
    with pytest.raises(CardPaymentsUnavailable):
        stripe_edge.get_client()


def test_client_pins_the_api_version_and_the_emulator_address(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    client = stripe_edge.get_client()
    assert client._requestor._options.base_addresses["api"] == "http://127.0.0.1:8420"
    assert client._requestor._options.stripe_version == settings.STRIPE_API_VERSION


def test_a_correct_signature_is_accepted(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = '{"id": "evt_1", "type": "x", "data": {"object": {}}}'
    assert stripe_edge.verify_webhook(body.encode(), sign(body))["id"] == "evt_1"


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", "t=abc,v1=def", "t=1700000000", "v1=deadbeef"],
)
def test_malformed_or_missing_signatures_are_refused(settings, header):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    with pytest.raises(InvalidSignature):
        stripe_edge.verify_webhook(b'{"id": "evt_1", "type": "x"}', header)


def test_no_configured_webhook_secret_refuses_everything(settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = '{"id": "evt_1", "type": "x"}'
    with pytest.raises(InvalidSignature):
        stripe_edge.verify_webhook(body.encode(), sign(body, secret=""))
