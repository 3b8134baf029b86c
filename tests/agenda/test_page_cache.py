"""The public programme pages: strong validators per version, language, zone and query; 304s;
shared caching only for anonymous visitors, with no CSRF token or cookie in a kept body."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import reverse

from events_site.congresses import services as congress_services
from events_site.congresses.enums import CongressStatus
from sessions import services
from sessions.page_cache import PAGE_MAX_AGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(congress, alice, make_session, ana, track):
    session = make_session(title="Heat plans", track=track, speakers=[(ana, "speaker")])
    make_session(title="Cool roofs", day=1)
    services.publish_schedule(congress=congress, by=alice)
    return session


def page_urls(congress, session, speaker):
    slug = congress.slug
    return [
        reverse("agenda:schedule", kwargs={"congress_slug": slug}),
        reverse("agenda:schedule", kwargs={"congress_slug": slug}) + "?view=list&day=all",
        reverse("agenda:schedule", kwargs={"congress_slug": slug}) + "?view=list&track=climate",
        reverse("agenda:session", kwargs={"congress_slug": slug, "code": session.code}),
        reverse("agenda:speakers", kwargs={"congress_slug": slug}),
        reverse("agenda:speaker", kwargs={"congress_slug": slug, "code": speaker.code}),
        reverse("agenda:changelog", kwargs={"congress_slug": slug}),
    ]


@pytest.fixture
def urls(congress, published, ana):
    return page_urls(congress, published, ana)


def test_every_page_has_a_strong_etag_last_modified_and_a_short_public_max_age(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        etag = response["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), url
        assert response["Last-Modified"].endswith("GMT")
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and f"max-age={PAGE_MAX_AGE}" in cache_control
        assert "Accept-Language" in response["Vary"]


def test_etag_is_stable_across_requests_and_distinct_per_page(client, urls):
    first = [client.get(url)["ETag"] for url in urls]
    again = [client.get(url)["ETag"] for url in urls]
    assert first == again
    assert len(set(first)) == len(urls)


def test_a_matching_if_none_match_gets_a_304_with_the_validators(client, urls):
    for url in urls:
        etag = client.get(url)["ETag"]
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304, url
        assert response["ETag"] == etag
        assert response.content == b""
        assert "public" in response["Cache-Control"]


def test_if_modified_since_gets_a_304_and_a_stale_tag_gets_the_page(client, urls):
    url = urls[0]
    last_modified = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_a_new_published_version_changes_every_etag_and_the_body(
    client, congress, alice, urls, make_session
):
    before = {url: client.get(url)["ETag"] for url in urls}
    make_session(title="Late addition", day=0, start=(15, 0))
    services.publish_schedule(congress=congress, by=alice)
    for url in urls:
        response = client.get(url, HTTP_IF_NONE_MATCH=before[url])
        assert response.status_code == 200, url
        assert response["ETag"] != before[url]
    assert "Late addition" in client.get(urls[1]).content.decode()


def test_language_and_filters_change_the_etag(client, urls):
    url = urls[0]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert english["ETag"] != french["ETag"]
    assert french.content != english.content
    assert client.get(url + "?track=climate")["ETag"] != english["ETag"]
    assert client.get(url + "?q=heat")["ETag"] != client.get(url + "?q=roof")["ETag"]


def test_the_congress_zone_is_part_of_the_etag(client, congress, alice, urls):
    before = client.get(urls[0])["ETag"]
    type(congress).objects.filter(pk=congress.pk).update(time_zone="Pacific/Auckland")
    assert client.get(urls[0])["ETag"] != before


def test_a_change_to_the_congress_pages_changes_the_etag(client, congress, alice, urls):
    before = client.get(urls[0])["ETag"]
    congress_services.update_congress(congress=congress, by=alice, name="World Congress 2028")
    response = client.get(urls[0])
    assert response["ETag"] != before
    assert "World Congress 2028" in response.content.decode()


def test_anonymous_pages_carry_no_csrf_token_and_set_no_cookie(client, urls):
    for url in urls:
        for _ in range(2):  # miss, then hit
            response = client.get(url)
            body = response.content.decode()
            assert "csrfmiddlewaretoken" not in body, url
            assert not response.cookies, url
            assert "Set-Cookie" not in response.headers


def test_a_warm_hit_renders_no_template_and_costs_one_query(
    client, urls, django_assert_num_queries
):
    for url in urls:
        cold = client.get(url)
        assert cold["X-Convene-Page-Cache"] == "miss"
        with django_assert_num_queries(1):
            warm = client.get(url)
        assert warm["X-Convene-Page-Cache"] == "hit"
        assert warm.content == cold.content
        assert warm.templates == []


def test_a_304_costs_one_query(client, urls, django_assert_num_queries):
    etag = client.get(urls[0])["ETag"]
    with django_assert_num_queries(1):
        assert client.get(urls[0], HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_signed_in_visitors_get_private_pages_never_from_the_shared_cache(client, alice, urls):
    for url in urls:
        client.get(url)  # an anonymous visit fills the cache
    client.force_login(alice)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "X-Convene-Page-Cache" not in response
        assert "ETag" not in response


def test_an_organiser_sees_a_non_public_congress_privately(client, congress, alice, published):
    type(congress).objects.filter(pk=congress.pk).update(status=CongressStatus.DRAFT)
    url = reverse("agenda:schedule", kwargs={"congress_slug": congress.slug})
    assert client.get(url).status_code == 404
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_a_visitor_with_a_message_waiting_is_served_fresh_and_sees_it(client, urls):
    client.get(urls[0])  # cached without a message
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Your seat is booked")
    response = client.get("/")
    storage.update(response)
    client.cookies.update(response.cookies)
    page = client.get(urls[0])
    assert "Your seat is booked" in page.content.decode()
    assert "private" in page["Cache-Control"]
    assert "X-Convene-Page-Cache" not in page


def test_the_personal_agenda_is_never_shared(client, congress, published, delegate):
    url = reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert "X-Convene-Page-Cache" not in response


def test_unknown_parameters_are_answered_but_not_kept(client, urls):
    url = urls[0] + "?utm_source=" + "x" * 500
    assert client.get(url)["X-Convene-Page-Cache"] == "miss"
    assert client.get(url)["X-Convene-Page-Cache"] == "miss"


@pytest.mark.parametrize(
    "query",
    ["q=%3Cscript%3Ealert(1)%3C/script%3E", "q=" + "é" * 3000, "q=a%01b", "track=%E2%80%AEx"],
)
def test_hostile_queries_are_escaped_and_cached_per_query(client, urls, query):
    url = urls[0] + "?" + query
    first = client.get(url)
    assert first.status_code == 200
    assert "<script>alert(1)" not in first.content.decode()
    assert client.get(url)["ETag"] == first["ETag"]


def test_the_language_menu_sets_the_cookie_and_returns_to_a_local_page(client, congress, urls):
    language = reverse("agenda:language", kwargs={"congress_slug": congress.slug})
    response = client.get(language, {"language": "fr", "next": urls[1]})
    assert response.status_code == 302
    assert response["Location"] == urls[1]
    assert response.cookies["django_language"].value == "fr"
    assert "no-store" in response["Cache-Control"]
    assert 'lang="fr"' in client.get(urls[1]).content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "\x00"]
)
def test_the_language_menu_refuses_to_send_anyone_elsewhere(client, congress, urls, next_url):
    language = reverse("agenda:language", kwargs={"congress_slug": congress.slug})
    response = client.get(language, {"language": "de<script>", "next": next_url})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == urls[0]
        assert "django_language" not in response.cookies
