"""The personal agenda offers the chosen day's programme 25 sessions a page (each with its own
form), keeps the day and page across a mark, and stays private."""

import re

import pytest
from django.urls import reverse

from sessions.views.personal import BROWSE_PAGE

from .conftest import bulk_programme

pytestmark = pytest.mark.django_db

CODES = re.compile(r"/mark/(S\d{5})/")


@pytest.fixture
def agenda_url(congress, alice, delegate):
    bulk_programme(congress, alice, sessions=240)  # 60 a day over four days
    return reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
    )


def test_the_days_sessions_come_25_a_page_and_every_page_differs(client, agenda_url):
    seen: list[str] = []
    for page in (1, 2, 3):
        body = client.get(agenda_url, {"page": page}).content.decode()
        codes = CODES.findall(body)
        assert 0 < len(codes) <= BROWSE_PAGE
        assert not set(codes) & set(seen)
        seen += codes
        assert f"Page {page} of 3" in body
    assert len(seen) == 60  # the whole day, across the pages
    last = client.get(agenda_url, {"page": 3}).content.decode()
    assert 'rel="next"' not in last and 'rel="prev"' in last


@pytest.mark.parametrize("page", ["0", "999", "x", "<b>", "1" * 50])
def test_a_wrong_page_number_shows_a_page_not_an_error(client, agenda_url, page):
    response = client.get(agenda_url, {"page": page})
    assert response.status_code == 200
    assert CODES.findall(response.content.decode())


def test_a_mark_returns_to_the_same_day_and_page(client, agenda_url):
    body = client.get(agenda_url, {"page": 2}).content.decode()
    code = CODES.findall(body)[0]
    response = client.post(f"{agenda_url}mark/{code}/", {"day": "2027-05-10", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{agenda_url}?day=2027-05-10&page=2#choose-{code}"


def test_the_page_links_keep_the_filters(client, agenda_url):
    body = client.get(agenda_url, {"track": "bulk"}).content.decode()
    assert "?track=bulk&amp;page=2" in body


def test_the_page_is_private(client, agenda_url):
    assert "private" in client.get(agenda_url)["Cache-Control"]
