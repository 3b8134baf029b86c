"""The public form page is rendered once and served with each visitor's own tokens."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from events_site.congresses.services import update_congress
from registrations.models import Order
from registrations.services.orders import cancel_order, place_order
from registrations.services.waiting_list import join_waiting_list
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs, save_question_in_admin
from .test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db

QUERY = {"registration_type": "member", "delegates": 1}


def _tokens(response) -> tuple[str, str]:
    body = response.content.decode()
    csrf = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    token = re.findall(r'name="token" value="([^"]+)"', body)
    assert len(token) == 1 and len(set(csrf)) == 1, "one token and one CSRF token per page"
    return csrf[0], token[0]


def test_every_visitor_gets_own_working_tokens_from_a_page_served_without_a_query(
    congress, regtype, django_assert_num_queries
):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered = first.get(details_url(congress), QUERY)
    with django_assert_num_queries(0):
        served = second.get(details_url(congress), QUERY)
    assert served.status_code == 200
    assert "csrftoken" in served.cookies
    (csrf_1, token_1), (csrf_2, token_2) = _tokens(rendered), _tokens(served)
    assert token_1 != token_2 and csrf_1 != csrf_2
    assert "token-" not in token_2 and "csrf-" not in csrf_2  # no placeholder is left
    assert rendered.content.replace(csrf_1.encode(), b"").replace(
        token_1.encode(), b""
    ) == served.content.replace(csrf_2.encode(), b"").replace(token_2.encode(), b"")

    for client, csrf, token in ((second, csrf_2, token_2), (first, csrf_1, token_1)):
        posted = client.post(
            details_url(congress), {**form_data(regtype, token=token), "csrfmiddlewaretoken": csrf}
        )
        assert posted.status_code == 302
    assert set(Order.objects.values_list("idempotency_key", flat=True)) == {token_1, token_2}


def test_a_stolen_csrf_token_from_the_shared_page_is_refused(congress, regtype):
    owner, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    csrf, token = _tokens(owner.get(details_url(congress), QUERY))
    other.get(details_url(congress), QUERY)  # has its own cookie, not the owner's
    refused = other.post(
        details_url(congress), {**form_data(regtype, token=token), "csrfmiddlewaretoken": csrf}
    )
    assert refused.status_code == 403
    assert not Order.objects.exists()


def test_organiser_changes_and_unpublishing_show_on_the_next_request(client, congress, regtype):
    # Changes made the way organisers make them: the admin's question screen, the core service.
    assert b"Arrival date" not in client.get(details_url(congress), QUERY).content
    question = save_question_in_admin(congress, label="Arrival date", kind="date")
    assert b"Arrival date" in client.get(details_url(congress), QUERY).content
    # a change of the limited types alone
    save_question_in_admin(congress, question, registration_types=[regtype.pk])
    assert b"Only for: Member." in client.get(details_url(congress), QUERY).content
    update_congress(congress=congress, status="draft")
    assert client.get(details_url(congress), QUERY).status_code == 404


def test_each_language_and_query_has_its_own_page(client, congress, regtype):
    english = client.get(details_url(congress), QUERY)
    french = client.get(details_url(congress), QUERY, headers={"accept-language": "fr"})
    three = client.get(details_url(congress), {**QUERY, "delegates": 3})
    assert b'lang="en"' in english.content and b'lang="fr"' in french.content
    assert three.content.count(b"data-delegate-form") == 4


def test_offer_pages_and_pages_with_messages_are_never_shared(client, congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1, code="member")
    order = place_order(**order_kwargs(congress, rtype))
    entry = join_waiting_list(
        congress=congress, registration_type=rtype, name="Wen", email="w@x.example", language="en"
    )
    cancel_order(order=order)
    entry.refresh_from_db()
    offered = client.get(details_url(congress), {"offer": entry.token})
    assert b'value="w@x.example"' in offered.content
    stranger = Client()
    # The offer's seat is reserved: the type is sold out to anyone else, nothing of Wen's shows.
    for _ in range(2):
        page = stranger.get(details_url(congress), {**QUERY, "registration_type": "member"})
        # Random tokens (CSRF, CSP nonce) may spell "Wen" by chance: leave them out.
        shown = re.sub(rb'(nonce|value)="[A-Za-z0-9+/=_-]{20,}"', b"", page.content)
        assert b"w@x.example" not in shown and b"Wen" not in shown

    start = reverse("registrations:start", kwargs={"congress_slug": congress.slug})
    expired = client.get(start, {"offer": "bogus"}, follow=True)  # a flash message, then start
    assert b"expired or was already used" in expired.content


def test_a_bad_request_is_not_kept(client, congress, regtype):
    bad = client.get(details_url(congress), {"registration_type": "nope", "delegates": 0})
    assert bad.status_code == 400
    again = client.get(details_url(congress), {"registration_type": "nope", "delegates": 0})
    assert again.status_code == 400
    assert b"Choose one of the registration types on sale." in again.content


@pytest.mark.parametrize("country", ["XX", "pt ", "", "<b>PT</b>"])
def test_a_country_not_on_the_list_is_refused_next_to_the_field(client, congress, regtype, country):
    response = client.post(
        details_url(congress), form_data(regtype, 1, **{"delegates-0-country": country})
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<b>PT</b>" not in body
    assert ("This field is required." if not country.strip() else "Select a valid choice.") in body
    assert not Order.objects.exists()


def test_the_country_list_follows_the_visitor_language(client, congress, regtype):
    french = client.get(details_url(congress), QUERY, headers={"accept-language": "fr"})
    english = client.get(details_url(congress), QUERY)
    assert '<option value="DE">Allemagne</option>' in french.content.decode()
    assert '<option value="DE">Germany</option>' in english.content.decode()


def test_a_delegation_costs_the_same_queries_as_a_single_delegate(client, congress, regtype):
    """Each delegate's type is resolved among the types fetched once, not one query each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 3, 6):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                details_url(congress), form_data(regtype, size, token=f"t{size}")
            )
        assert response.status_code == 302
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_a_type_not_on_sale_is_refused_next_to_the_delegate(client, congress, regtype):
    other = RegistrationTypeFactory(congress=congress, code="staff", is_active=False)
    for bad in (str(other.pk), "999999", "not-a-number"):
        response = client.post(
            details_url(congress), form_data(regtype, 1, **{"delegates-0-registration_type": bad})
        )
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"utm": "x"},  # a made-up parameter
        {"voucher": "SISTER"},  # a voucher is prefilled for this visitor only
        {"delegates": ["1", "2"]},  # a repeated parameter
    ],
)
def test_only_step_ones_own_query_is_shared(
    client, congress, regtype, extra, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = {**QUERY, **extra}
    assert client.get(details_url(congress), query).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = client.get(details_url(congress), query)
    assert again.status_code == 200
    assert len(queries.captured_queries) > 0  # rendered again, not kept

    # What step one really sends (an empty voucher box included) is kept.
    sent = {**QUERY, "voucher": ""}
    client.get(details_url(congress), sent)
    with django_assert_num_queries(0):
        assert client.get(details_url(congress), sent).status_code == 200


def test_a_voucher_in_the_query_keeps_nothing_in_the_cache(client, congress, regtype):
    from django.core.cache import cache

    cache.clear()
    for code in ("AAA", "BBB", "CCC"):
        page = client.get(details_url(congress), {**QUERY, "voucher": code})
        assert f'value="{code}"' in page.content.decode()  # prefilled for this visitor
    assert not [key for key in cache._cache if "blank-forms" in key or "public-page" in key]
