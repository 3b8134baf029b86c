"""Compression of the public programme: gzip for kept pages (no secret, no CSRF token), its own
validator, and never for an answer that carries a CSRF token, sets a cookie or is private."""

import gzip

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from sessions import services
from sessions.page_cache import cached_public_page

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def published(congress, alice, make_session, ana):
    session = make_session(title="Heat plans", speakers=[(ana, "speaker")])
    services.publish_schedule(congress=congress, by=alice)
    return session


@pytest.fixture
def schedule_url(congress, published):
    return reverse("agenda:schedule", kwargs={"congress_slug": congress.slug})


def test_a_kept_page_is_gzipped_for_clients_that_accept_it(client, schedule_url):
    plain = client.get(schedule_url)
    for _ in ("miss", "hit"):
        packed = client.get(schedule_url, **GZIP)
        assert packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.content) == plain.content
        assert len(packed.content) < len(plain.content)
        assert "Accept-Encoding" in packed["Vary"]
        assert "public" in packed["Cache-Control"]


def test_the_gzipped_page_has_its_own_etag_and_gets_its_304(client, schedule_url):
    plain_tag = client.get(schedule_url)["ETag"]
    packed_tag = client.get(schedule_url, **GZIP)["ETag"]
    assert packed_tag != plain_tag
    assert client.get(schedule_url, HTTP_IF_NONE_MATCH=packed_tag, **GZIP).status_code == 304
    # a client that stops accepting gzip does not get a 304 for the gzipped copy
    assert client.get(schedule_url, HTTP_IF_NONE_MATCH=packed_tag).status_code == 200


@pytest.mark.parametrize("refusal", ["identity", "gzip;q=0", ""])
def test_a_client_that_refuses_gzip_gets_the_plain_page(client, schedule_url, refusal):
    response = client.get(schedule_url, HTTP_ACCEPT_ENCODING=refusal)
    assert "Content-Encoding" not in response
    assert b"<html" in response.content


def test_a_signed_in_page_with_a_csrf_token_is_never_compressed(client, alice, schedule_url):
    client.force_login(alice)
    response = client.get(schedule_url, **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert "private" in response["Cache-Control"]


def _call(view, congress_slug):
    request = RequestFactory().get("/", **GZIP)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    request._messages = []
    return view(request, congress_slug)


def test_an_answer_that_sets_a_cookie_is_neither_compressed_nor_shared(congress, published):
    def view(request, congress_slug):
        response = HttpResponse("<html>" + "x" * 2000)
        response.set_cookie("seen", "1")
        return response

    response = _call(cached_public_page("cookie-test")(view), congress.slug)
    assert "Content-Encoding" not in response
    assert response.content.startswith(b"<html>")
    assert "private" in response["Cache-Control"] and "ETag" not in response


def test_an_answer_that_used_a_csrf_token_is_neither_compressed_nor_shared(congress, published):
    def view(request, congress_slug):
        return HttpResponse(f"<html><input value='{get_token(request)}'>" + "x" * 2000)

    response = _call(cached_public_page("csrf-test")(view), congress.slug)
    assert "Content-Encoding" not in response
    assert "private" in response["Cache-Control"] and "ETag" not in response


def test_the_personal_agenda_is_private_and_not_compressed(client, congress, published, delegate):
    url = reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
    )
    response = client.get(url, **GZIP)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "Content-Encoding" not in response


def test_publishing_a_new_version_replaces_the_gzipped_page(
    client, congress, alice, schedule_url, make_session
):
    first = client.get(schedule_url, **GZIP)
    make_session(title="Late addition on flood maps", day=0, start=(15, 0))
    # nothing is published yet: the kept copy still answers, and still gets its 304
    assert client.get(schedule_url, HTTP_IF_NONE_MATCH=first["ETag"], **GZIP).status_code == 304
    services.publish_schedule(congress=congress, by=alice)
    after = client.get(schedule_url, HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert after["X-Convene-Page-Cache"] == "miss"
    assert "Late addition on flood maps" in gzip.decompress(after.content).decode()
