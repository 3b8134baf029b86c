"""Rate limits and the sign-in lockout: brute force and secret guessing get a 429 with
Retry-After and a page that says what to do; a normal flow never meets a limit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from badges import services as badge_services
from registrations.models import Order
from tests.factories import RegistrationTypeFactory, UserFactory
from tests.registrations.test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def regtype(congress):
    return RegistrationTypeFactory(
        congress=congress, code="member", name="Member", regular_price=Decimal("450.00")
    )


@pytest.fixture
def dora(db):
    user = UserFactory(username="dora", email="dora@city.example")
    user.set_password("right-horse-battery-staple")
    user.save()
    return user


def sign_in(client, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": "dora", "password": password}, REMOTE_ADDR=address)


def test_sixty_wrong_passwords_lock_the_account_and_its_owner_is_told(
    client, dora, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(60):
            sign_in(client, f"wrong-{n}", address=f"198.51.100.{n + 1}")
    # The right password, even from an address that never failed, is refused while locked.
    response = sign_in(client, "right-horse-battery-staple", address="192.0.2.200")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    notices = [m for m in mailoutbox if m.to == ["dora@city.example"]]
    assert len(notices) == 1  # once per lockout, not once per refused attempt
    assert "locked" in notices[0].subject


def test_a_few_wrong_passwords_then_the_right_one_signs_in(client, dora):
    for n in range(5):
        assert sign_in(client, f"wrong-{n}").status_code == 200
    response = sign_in(client, "right-horse-battery-staple")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(dora.pk)


def test_one_address_posting_sign_ins_without_end_gets_a_429(client, settings, dora):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": "10/h"}
    for n in range(10):
        assert client.post(LOGIN, {"username": f"user{n}", "password": "x"}).status_code == 200
    response = client.post(LOGIN, {"username": "other", "password": "x"})
    assert response.status_code == 429
    assert response["Retry-After"]


def test_the_lockout_page_speaks_the_visitors_language(client, dora, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for n in range(2):
        sign_in(client, f"wrong-{n}")
    response = client.post(
        LOGIN,
        {"username": "dora", "password": "x"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    assert 'lang="fr"' in response.content.decode()


def test_password_reset_requests_for_one_address_are_limited(client):
    url = reverse("password_reset")
    for _ in range(5):
        assert client.post(url, {"email": "victim@city.example"}).status_code == 302
    response = client.post(url, {"email": "Victim@City.example"})
    assert response.status_code == 429


def order_url(order, secret):
    return reverse(
        "registrations:order",
        kwargs={"congress_slug": order.congress.slug, "code": order.code, "secret": secret},
    )


def test_150_wrong_order_secrets_from_one_address_get_429_while_another_address_works(
    client, congress, regtype
):
    client.post(details_url(congress), form_data(regtype, 1))
    order = Order.objects.get()
    statuses = [
        client.get(order_url(order, f"guess{n:04d}"), REMOTE_ADDR="203.0.113.9").status_code
        for n in range(150)
    ]
    assert set(statuses[:100]) == {404}
    assert statuses[-1] == 429
    refused = client.get(order_url(order, order.secret), REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429  # even the right secret, from the guessing address
    assert int(refused["Retry-After"]) > 0
    assert "Too many attempts" in refused.content.decode()
    other = client.get(order_url(order, order.secret), REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 200


def test_a_trusted_proxy_header_names_the_client_when_set(client, settings, congress, regtype):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "secret_lookup": "3/h"}
    client.post(details_url(congress), form_data(regtype, 1))
    order = Order.objects.get()
    for n in range(4):
        client.get(order_url(order, f"guess{n}"), HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert (
        client.get(order_url(order, order.secret), HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
        == 429
    )
    # Behind the same proxy, another client is not refused.
    assert (
        client.get(order_url(order, order.secret), HTTP_X_FORWARDED_FOR="203.0.113.10").status_code
        == 200
    )


def test_limits_let_requests_through_when_the_cache_is_down(client, settings, congress, regtype):
    from tests.registrations.test_cache_down import closed_port

    client.post(details_url(congress), form_data(regtype, 1))
    order = Order.objects.get()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    assert client.get(order_url(order, "guess")).status_code == 404
    assert client.get(order_url(order, order.secret)).status_code == 200


def test_check_in_searches_by_one_account_are_limited(client, settings, congress, bob):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkin_search": "5/m"}
    client.force_login(bob)
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    for n in range(5):
        assert client.get(url, {"q": f"name{n}"}).status_code == 200
    response = client.get(url, {"q": "more"})
    assert response.status_code == 429
    assert response["Retry-After"]


def test_a_normal_day_never_meets_a_limit(client, congress, regtype, bob):
    for n in range(3):
        assert (
            client.post(details_url(congress), form_data(regtype, 1, token=f"t{n}")).status_code
            == 302
        )
    for order in Order.objects.all():
        for _ in range(10):
            assert client.get(order_url(order, order.secret)).status_code == 200
        order.status = "paid"
        order.save()
    from tests.badges.conftest import make_delegate

    delegates = [make_delegate(congress, given_name=f"P{n}") for n in range(20)]
    badge_services.issue_badges(congress=congress)
    client.force_login(bob)
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    for delegate in delegates:
        delegate.badge.refresh_from_db()
        assert client.get(url, {"q": delegate.family_name}).status_code == 200
        assert client.get(url, {"code": delegate.badge.secret}).status_code == 200
        done = client.post(
            reverse(
                "badges:checkin_person",
                kwargs={"congress_slug": congress.slug, "delegate_id": delegate.pk},
            )
        )
        assert done.status_code in (200, 302)
    from badges.models import Badge

    assert Badge.objects.filter(checked_in_at__isnull=False).count() == 20


def test_wrong_voucher_codes_from_one_address_are_limited(client, settings, congress, regtype):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "voucher": "5/h"}
    for n in range(5):
        data = form_data(regtype, 1, token=f"v{n}", voucher=f"GUESS{n}")
        assert client.post(details_url(congress), data).status_code == 400
    response = client.post(details_url(congress), form_data(regtype, 1, token="v9", voucher="X"))
    assert response.status_code == 429
    assert response["Retry-After"]
    # Without a voucher the same address still registers.
    assert client.post(details_url(congress), form_data(regtype, 1, token="ok")).status_code == 302


def test_orders_placed_from_one_address_are_limited(client, settings, congress, regtype):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order_placement": "3/h"}
    # Each order from its own e-mail address: the per-address rate limit, not the cap on
    # unpaid orders per e-mail (tests/registrations/test_hoarding.py), is what is measured.
    for n in range(3):
        data = form_data(regtype, 1, token=f"o{n}", email=f"buyer{n}@city.example")
        assert client.post(details_url(congress), data).status_code == 302
    response = client.post(
        details_url(congress), form_data(regtype, 1, token="o9", email="buyer9@city.example")
    )
    assert response.status_code == 429
    assert Order.objects.count() == 3
    other = client.post(
        details_url(congress),
        form_data(regtype, 1, token="o10", email="buyer10@city.example"),
        REMOTE_ADDR="198.51.100.3",
    )
    assert other.status_code == 302


def api_url(congress, action):
    return f"/api/v1/congresses/{congress.slug}/checkin/{action}"


def test_wrong_api_tokens_from_one_address_get_a_json_429(settings, congress, bob):
    from rest_framework.test import APIClient

    from tests.factories import api_key

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token_failure": "5/h"}
    guesser = APIClient(REMOTE_ADDR="203.0.113.50")
    for n in range(5):
        guesser.credentials(HTTP_AUTHORIZATION=f"Token wrong{n:036d}")
        assert guesser.get(api_url(congress, "search/"), {"q": "a"}).status_code == 401
    key = api_key(bob, congress)
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = guesser.get(api_url(congress, "search/"), {"q": "a"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Too many attempts" in response.json()["detail"]
    scanner = APIClient(REMOTE_ADDR="198.51.100.60")
    scanner.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert scanner.get(api_url(congress, "search/"), {"q": "a"}).status_code == 200


def test_api_check_in_searches_per_account_are_throttled(settings, congress, bob):
    from rest_framework.test import APIClient

    from tests.factories import api_key

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkin_search": "4/m"}
    scanner = APIClient()
    scanner.credentials(HTTP_AUTHORIZATION=f"Token {api_key(bob, congress)}")
    for n in range(4):
        assert scanner.get(api_url(congress, "search/"), {"q": f"n{n}"}).status_code == 200
    response = scanner.get(api_url(congress, "search/"), {"q": "more"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.json()["detail"]


def test_the_api_answers_with_the_cache_down(settings, congress, bob):
    from rest_framework.test import APIClient

    from tests.factories import api_key
    from tests.registrations.test_cache_down import closed_port

    key = api_key(bob, congress)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(api_url(congress, "search/"), {"q": "a"}).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(api_url(congress, "search/"), {"q": "a"}).status_code == 200


def test_sign_in_works_with_the_cache_down(client, settings, dora):
    from tests.registrations.test_cache_down import closed_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "right-horse-battery-staple").status_code == 302
