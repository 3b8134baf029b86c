"""Refunds and exports of personal data need a recent sign-in: a stale session is sent to confirm
it is the person (pages) or refused with code "reauth" (API); a fresh one passes; API tokens are
their own credential. And the confirmation may be a current code from the person's app."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from events_site.accounts.reauth import SESSION_KEY
from registrations.models import Refund
from registrations.payments.services import payments as payment_services
from tests.factories import api_key
from tests.payments.conftest import make_order

from .conftest import PASSWORD, code_for, give_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(congress, alice):
    order = make_order(congress, contact_name="Ana Paid")
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("450"), received_on=dt.date(2027, 3, 1), by=alice
    )
    return order


def _stale(client):
    session = client.session
    session[SESSION_KEY] = int(time.time()) - 24 * 3600
    session.save()


def _fresh(client):
    session = client.session
    session[SESSION_KEY] = int(time.time())
    session.save()


def _pages(congress, order):
    manage = f"/{congress.slug}/manage"
    return [
        ("get", f"{manage}/registrations/export.csv", {}),
        ("get", f"{manage}/registrations/export.xlsx", {}),
        ("get", f"{manage}/payments/export.csv", {}),
        ("get", f"{manage}/payments/export.xlsx", {}),
        ("post", f"{manage}/payments/orders/{order.code}/refunds/", {"amount": "10"}),
    ]


def _api_calls(congress, order):
    api = f"/api/v1/congresses/{congress.slug}"
    return [
        ("get", f"{api}/delegates/export-csv/", {}),
        ("get", f"{api}/delegates/export-xlsx/", {}),
        ("post", f"{api}/payments/orders/{order.code}/refunds/", {"amount": "10"}),
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_stale_session_is_sent_to_confirm_before_the_page(client, alice, congress, paid, index):
    method, url, data = _pages(congress, paid)[index]
    client.force_login(alice)
    _stale(client)
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauth/?next=")
    assert not Refund.objects.exists()
    _fresh(client)
    response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302)
    assert not response.get("Location", "").startswith("/accounts/reauth/")
    if method == "get":
        assert "attachment" in response["Content-Disposition"]
    else:
        assert Refund.objects.filter(order=paid).count() == 1


@pytest.mark.parametrize("index", range(3))
def test_a_stale_session_is_refused_by_the_api_with_code_reauth(alice, congress, paid, index):
    method, url, data = _api_calls(congress, paid)[index]
    api = APIClient()
    api.force_login(alice)
    _stale(api)
    response = getattr(api, method)(url, data, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "reauth"
    assert not Refund.objects.exists()
    _fresh(api)
    response = getattr(api, method)(url, data, format="json")
    assert response.status_code in (200, 201), response.content


def test_without_the_permission_the_answer_is_403_before_any_reauth(client, bob, congress, paid):
    client.force_login(bob)
    _stale(client)
    for method, url, data in _pages(congress, paid):
        assert getattr(client, method)(url, data).status_code == 403, url


def test_an_api_token_is_its_own_credential(alice, congress, paid):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice, congress, role='owner')}")
    response = api.get(f"/api/v1/congresses/{congress.slug}/delegates/export-csv/")
    assert response.status_code == 200


# --- Confirming with a code --------------------------------------------------------------------
def test_the_page_offers_a_code_only_to_people_with_an_app(client, alice):
    client.force_login(alice)
    assert 'name="code"' not in client.get("/accounts/reauth/").content.decode()
    give_two_factor(alice)
    assert 'name="code"' in client.get("/accounts/reauth/").content.decode()


def test_a_current_code_confirms_instead_of_the_password(client, alice):
    device = give_two_factor(alice)
    client.force_login(alice)
    _stale(client)
    response = client.post("/accounts/reauth/", {"code": code_for(device), "next": "/x/"})
    assert response.status_code == 302 and response["Location"] == "/x/"
    assert time.time() - client.session[SESSION_KEY] < 5


def test_a_wrong_or_replayed_code_does_not_confirm(client, alice):
    device = give_two_factor(alice)
    client.force_login(alice)
    code = code_for(device)
    client.post("/accounts/reauth/", {"code": code})
    _stale(client)
    for attempt in (code, "abc\x1bdef", "9" * 10_000):
        response = client.post("/accounts/reauth/", {"code": attempt})
        assert response.status_code == 200, attempt
        assert 'class="errorlist"' in response.content.decode()
    assert time.time() - client.session[SESSION_KEY] > 3600


def test_a_recovery_code_does_not_confirm_a_sensitive_action(client, alice):
    give_two_factor(alice, recovery_codes=("abcdefgh",))
    client.force_login(alice)
    _stale(client)
    assert client.post("/accounts/reauth/", {"code": "abcdefgh"}).status_code == 200
    assert time.time() - client.session[SESSION_KEY] > 3600


def test_wrong_codes_on_the_reauth_page_are_limited(client, alice, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor_account": "2/15m"}
    device = give_two_factor(alice)
    client.force_login(alice)
    client.post("/accounts/reauth/", {"code": "zzzzzzzz"})
    client.post("/accounts/reauth/", {"code": "zzzzzzzz"})
    assert client.post("/accounts/reauth/", {"code": code_for(device)}).status_code == 429


def test_the_password_still_confirms_for_a_person_with_an_app(client, alice):
    alice.set_password(PASSWORD)
    alice.save()
    give_two_factor(alice)
    client.force_login(alice)
    _stale(client)
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": "/x/"})
    assert response.status_code == 302
