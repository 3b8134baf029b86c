"""HEAD on every public page and feed answers like GET (200, the same headers, no body); feeds
and the kept programme pages are gzipped for clients that accept it (pages with CSRF tokens
are not: BREACH); the public programme API answers conditional requests like the feeds."""

import gzip

import pytest
from django.urls import reverse
from django.utils.http import http_date

from sessions import services
from sessions.enums import SessionStatus
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    RoomFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

# Headers a HEAD must carry exactly as the GET does.
SAME_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "Content-Disposition",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "X-Robots-Tag",
)


@pytest.fixture
def site(congress, alice):
    """A public congress open for registration, with a published programme, an order, a
    delegate and their personal agenda."""
    import datetime as dt

    regtype = RegistrationTypeFactory(congress=congress, code="member", name="Member")
    hall = RoomFactory(venue=VenueFactory(congress=congress), name="Hall A", opens_at=None)
    speaker = services.create_speaker(congress=congress, by=alice, name="Ana Müller")
    start = dt.datetime.combine(congress.start_date, dt.time(10), tzinfo=congress.tz)
    session = services.create_session(
        congress=congress,
        by=alice,
        title="Heat plans",
        room=hall,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=SessionStatus.CONFIRMED,
        speakers=[(speaker, "speaker")],
    ).session
    services.publish_schedule(congress=congress, by=alice)
    order = OrderFactory(congress=congress)
    delegate = DelegateFactory(order=order, registration_type=regtype)
    agenda = services.get_or_create_agenda(delegate=delegate)
    return {
        "session": session,
        "speaker": speaker,
        "order": order,
        "delegate": delegate,
        "agenda": agenda,
    }


def public_urls(congress, site) -> dict[str, str]:
    slug = {"congress_slug": congress.slug}
    order = site["order"]
    order_kw = {**slug, "code": order.code, "secret": order.secret}
    return {
        "home": reverse("congresses:home"),
        "congress": reverse("congresses:detail", kwargs=slug),
        "register": reverse("registrations:start", kwargs=slug),
        "register details": reverse("registrations:details", kwargs=slug)
        + "?registration_type=member&delegates=1",
        "order": reverse("registrations:order", kwargs=order_kw),
        "order cancel": reverse("registrations:order_cancel", kwargs=order_kw),
        "delegate edit": reverse(
            "registrations:delegate_edit",
            kwargs={**order_kw, "delegate_secret": site["delegate"].secret},
        ),
        "delegate cancel": reverse(
            "registrations:delegate_cancel",
            kwargs={**order_kw, "delegate_secret": site["delegate"].secret},
        ),
        "order payment": reverse("payments:order_payment", kwargs=order_kw),
        "schedule": reverse("agenda:schedule", kwargs=slug),
        "schedule list": reverse("agenda:schedule", kwargs=slug) + "?view=list&day=all",
        "session": reverse("agenda:session", kwargs={**slug, "code": site["session"].code}),
        "speakers": reverse("agenda:speakers", kwargs=slug),
        "speaker": reverse("agenda:speaker", kwargs={**slug, "code": site["speaker"].code}),
        "changes": reverse("agenda:changelog", kwargs=slug),
        "my agenda": reverse(
            "agenda:personal",
            kwargs={**slug, "delegate_secret": site["delegate"].secret},
        ),
        **feed_urls(congress, site),
        "programme API": f"/api/v1/congresses/{congress.slug}/programme/",
    }


def feed_urls(congress, site) -> dict[str, str]:
    slug = {"congress_slug": congress.slug}
    return {
        "schedule.ics": reverse("agenda:schedule_ics", kwargs=slug),
        "schedule.ics?track": reverse("agenda:schedule_ics", kwargs=slug) + "?format=parallel",
        "session.ics": reverse("agenda:session_ics", kwargs={**slug, "code": site["session"].code}),
        "schedule.json": reverse("agenda:schedule_json", kwargs=slug),
        "schedule.xml": reverse("agenda:schedule_xml", kwargs=slug),
        "personal.ics": reverse(
            "agenda:personal_ics", args=[congress.slug, site["agenda"].feed_token]
        ),
    }


def test_head_answers_every_public_page_and_feed_like_get(client, congress, site):
    refused = {}
    for name, url in public_urls(congress, site).items():
        for encoding in ("", "gzip"):
            got = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
            assert got.status_code == 200, (name, got.status_code)
            head = client.head(url, HTTP_ACCEPT_ENCODING=encoding)
            if head.status_code != 200:
                refused[name] = head.status_code
                continue
            assert head.content == b"", name
            for header in SAME_HEADERS:
                assert head.get(header) == got.get(header), (name, encoding, header)
    assert refused == {}


def test_feeds_are_gzipped_for_clients_that_accept_it(client, congress, site):
    for name, url in feed_urls(congress, site).items():
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="br;q=1.0, gzip;q=0.8, *;q=0.1")
        assert "Content-Encoding" not in plain, name
        assert packed["Content-Encoding"] == "gzip", name
        assert gzip.decompress(packed.content) == plain.content, name
        assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
        assert packed["ETag"] != plain["ETag"]  # another representation, another validator
        again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
        assert again.status_code == 304, name
        refused = client.get(url, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
        assert "Content-Encoding" not in refused and refused.content == plain.content


def test_pages_with_csrf_tokens_are_never_compressed(client, congress, site):
    urls = public_urls(congress, site)
    for name in ("register details", "my agenda", "order cancel"):
        response = client.get(urls[name], HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" in response.content.decode(), name
        assert "Content-Encoding" not in response, name


def test_the_kept_programme_pages_are_compressed_and_carry_no_csrf_token(client, congress, site):
    urls = public_urls(congress, site)
    for name in ("schedule", "session"):
        response = client.get(urls[name], HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip", name
        body = gzip.decompress(response.content).decode()
        assert "csrfmiddlewaretoken" not in body and "<html" in body, name


def test_programme_api_answers_conditional_requests(client, congress, alice, site):
    url = f"/api/v1/congresses/{congress.slug}/programme/"
    first = client.get(url, HTTP_ACCEPT="application/json")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    same = client.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304 and same.content == b""
    assert same["ETag"] == first["ETag"]
    since = client.get(
        url, HTTP_ACCEPT="application/json", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert since.status_code == 304
    services.update_session(session=site["session"], by=alice, title="Heat plans, revised")
    version = services.publish_schedule(congress=congress, by=alice)
    changed = client.get(url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed["Last-Modified"] == http_date(int(version.published_at.timestamp()))
    assert changed.json()["sessions"][0]["title"] == "Heat plans, revised"
