"""The programme widget: the iframe page's frame-ancestors per congress (only this site when
none are listed), the organiser page that lists the sites (role, bad input, audit), the
script variant's snippet and the CORS header it needs."""

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.errors import InvalidProgrammeData
from sessions.services.widget import allowed_origins, parse_origin
from tests.factories import TeamMembershipFactory, UserFactory

WIDGET = "/wcg-2027/widget/"
MANAGE = "/wcg-2027/manage/agenda/screens-and-widget/"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.fixture
def published(congress, alice, make_session, ana):
    make_session(title="Opening plenary", speakers=[(ana, "speaker")])
    make_session(title="Dropped", start=(12, 0))
    services.publish_schedule(congress=congress, by=alice)


def test_by_default_only_this_site_may_frame_the_widget(client, published):
    response = client.get(WIDGET)
    assert response.status_code == 200
    assert _directives(response)["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "Opening plenary" in response.content.decode()
    assert "Asia/Seoul" in response.content.decode()


def test_the_listed_sites_of_this_congress_may_frame_it_and_no_other(
    client, published, congress, other_congress, alice, charlie
):
    services.save_widget_origins(
        congress=congress, by=alice, origins=["https://www.wcg.example", "https://news.example/"]
    )
    response = client.get(WIDGET)
    assert _directives(response)["frame-ancestors"] == [
        "'self'",
        "https://www.wcg.example",
        "https://news.example",
    ]
    assert "X-Frame-Options" not in response
    # the rest of the site still may not be framed, and another congress keeps its own list
    assert _directives(client.get("/wcg-2027/schedule/"))["frame-ancestors"] == ["'none'"]
    other = client.get(f"/{other_congress.slug}/widget/")
    assert _directives(other)["frame-ancestors"] == ["'self'"]


def test_a_changed_list_is_not_hidden_behind_a_304(client, published, congress, alice):
    first = client.get(WIDGET)
    assert client.get(WIDGET, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.save_widget_origins(congress=congress, by=alice, origins=["https://a.example"])
    again = client.get(WIDGET, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "https://a.example" in again["Content-Security-Policy"]


def test_the_widget_page_lists_no_cancelled_session_and_filters_by_track(
    client, published, congress, alice, make_session, track
):
    make_session(title="Climate talk", start=(14, 0), track=track)
    services.publish_schedule(congress=congress, by=alice)
    body = client.get(WIDGET).content.decode()
    assert "Climate talk" in body and "Opening plenary" in body
    filtered = client.get(WIDGET, {"track": "climate"}).content.decode()
    assert "Climate talk" in filtered and "Opening plenary" not in filtered


def test_before_publication_the_widget_says_so(client, congress):
    response = client.get(WIDGET)
    assert response.status_code == 200
    assert "not been published" in response.content.decode()
    assert _directives(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.example.org", "https://www.example.org"),
        ("  HTTPS://WWW.Example.org/  ", "https://www.example.org"),
        ("https://example.org:8443", "https://example.org:8443"),
        ("http://localhost:8001", "http://localhost:8001"),
    ],
)
def test_an_origin_is_read_as_scheme_host_and_port(typed, origin):
    assert parse_origin(typed) == origin


@pytest.mark.parametrize(
    "typed",
    [
        "www.example.org",
        "https://example.org/programme",
        "https://*.example.org",
        "http://example.org",
        "https://example.org; script-src *",
        "'unsafe-inline'",
        "https://exa\x00mple.org",
        "https://exa mple.org",
        "javascript:alert(1)",
        "https://例え.jp<script>",
        "https://" + "a" * 10_000,
        "https://example.org:99999",
    ],
)
def test_anything_but_an_origin_is_refused(typed):
    with pytest.raises(InvalidProgrammeData):
        parse_origin(typed)


def test_the_organiser_page_saves_the_sites_with_an_audit_entry(client, congress, alice):
    client.force_login(alice)
    page = client.get(MANAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-convene-programme="http://127.0.0.1:8000/api/v1/congresses/wcg-2027/public/"' in (
        body
    )
    assert "/static/agenda/widget.js" in body and "/wcg-2027/widget/" in body
    assert "/wcg-2027/screens/" in body
    response = client.post(MANAGE, {"origins": "https://www.wcg.example\n\nhttps://b.example"})
    assert response.status_code == 302
    assert allowed_origins(congress) == ["https://www.wcg.example", "https://b.example"]
    entry = AuditEntry.objects.get(action="convene.agenda.widget_origins_changed")
    assert entry.data["after"] == ["https://www.wcg.example", "https://b.example"]


def test_bad_lines_are_named_and_nothing_is_saved(client, congress, alice):
    services.save_widget_origins(congress=congress, by=alice, origins=["https://kept.example"])
    client.force_login(alice)
    typed = "https://ok.example\nhttps://bad.example/path\n<b>nope</b>"
    response = client.post(MANAGE, {"origins": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert "https://bad.example/path" in body and "&lt;b&gt;nope&lt;/b&gt;" in body
    assert typed.split("\n")[0] in body  # what was typed stays in the form
    assert allowed_origins(congress) == ["https://kept.example"]


def test_only_programme_managers_reach_the_organiser_page(client, congress, charlie):
    registration = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=registration, role="registration")
    for user in (registration, charlie):
        client.force_login(user)
        assert client.get(MANAGE).status_code == 403
        assert client.post(MANAGE, {"origins": "https://x.example"}).status_code == 403
    assert allowed_origins(congress) == []


def test_the_page_is_in_the_organiser_navigation(client, congress, alice):
    client.force_login(alice)
    body = client.get(reverse("congresses:backoffice", args=[congress.slug])).content.decode()
    assert MANAGE in body


def test_the_public_api_may_be_read_from_any_site(client, published):
    response = client.get("/api/v1/congresses/wcg-2027/public/sessions/")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
