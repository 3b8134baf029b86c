"""A NUL byte in a URL's path or query string is refused with a clear 400 (PostgreSQL cannot
store or compare text holding NUL, so it used to reach the database and answer 500)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DelegateFactory, OrderFactory

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"

PAGES = [
    f"/{SLUG}/register/?offer=%00",
    f"/{SLUG}/register/details/?offer=%00",
    f"/{SLUG}/my-agenda/%00/",
    f"/{SLUG}/manage/checkin/?q=a%00b",
    f"/{SLUG}/manage/registrations/?q=a%00b",
    # The secret links and numbers added with the calls for proposals and the documents.
    "/v/a%00b/",
    f"/{SLUG}/proposals/a%00b/",
    f"/{SLUG}/speaking/a%00b/",
    f"/{SLUG}/documents/a%00b/",
    f"/{SLUG}/payments/a%00b/c/quotes/Q-1.pdf",
    f"/{SLUG}/manage/payments/quotes/Q%00-1.pdf",
]
API = [
    f"/api/v1/congresses/{SLUG}/delegates/?search=a%00b",
    f"/api/v1/congresses/{SLUG}/orders/?search=a%00b",
    f"/api/v1/congresses/{SLUG}/checkin/search/?q=a%00b",
    f"/api/v1/congresses/{SLUG}/checkin/search/?search=a%00b",
]


@pytest.fixture
def data(congress, alice):
    DelegateFactory(order=OrderFactory(congress=congress), given_name="Ana")


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_byte_in_a_page_url_is_a_clear_400(client, data, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("url", API)
def test_a_nul_byte_in_an_api_query_is_a_clear_400(data, alice, url):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.get(url)
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert "NUL" in response.json()["detail"]


def test_a_nul_byte_in_a_form_post_is_a_clear_400(client, data):
    response = client.post(f"/{SLUG}/register/details/", {"offer": "\x00", "token": "t"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_a_query_parameter_name_is_refused_too(client, data):
    assert client.get(f"/{SLUG}/register/?a%00b=1").status_code == 400


def test_ordinary_text_and_an_encoded_percent_pass(client, data, alice):
    client.force_login(alice)
    assert client.get(f"/{SLUG}/manage/registrations/?q=%2500%20Ana").status_code == 200


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=x"])
def test_a_malformed_form_body_is_still_the_views_business_not_a_500(data, alice, content_type):
    api = APIClient()
    api.force_authenticate(alice)
    url = f"/api/v1/congresses/{SLUG}/checkin/lookup/"
    response = api.generic("POST", url, data=b"\x00garbage", content_type=content_type)
    assert response.status_code in (400, 415)
