import pytest
from django.db import OperationalError

from tests.tokens import without_random_tokens

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # Issue #11: the cache and the task queue are checked too, each named in the answer.
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "tasks": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def broken_cursor(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_api_docs_use_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn" not in without_random_tokens(html).lower()


def test_public_congress_page_escapes_markup(client, congress):
    congress.tagline = "<script>alert(1)</script>"
    congress.save()
    response = client.get(f"/{congress.slug}/")
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_draft_congress_is_hidden_from_the_public(client, congress):
    congress.status = "draft"
    congress.save()
    assert client.get(f"/{congress.slug}/").status_code == 404


def test_dashboard_lists_the_organisers_congresses(client, alice, congress, other_congress):
    client.force_login(alice)
    response = client.get("/manage/")
    assert response.status_code == 200
    assert congress.name in response.content.decode()
    assert other_congress.name not in response.content.decode()


def test_dashboard_links_only_what_the_role_allows(client, bob, congress):
    client.force_login(bob)
    html = client.get("/manage/").content.decode()
    assert f"/{congress.slug}/manage/checkin/" in html
    assert f"/{congress.slug}/manage/registrations/" not in html
    assert f"/{congress.slug}/manage/payments/" not in html


def test_owner_dashboard_links_every_back_office_area(client, alice, congress):
    client.force_login(alice)
    html = client.get("/manage/").content.decode()
    for area in ("registrations", "payments", "agenda", "badges", "checkin"):
        assert f"/{congress.slug}/manage/{area}/" in html, area


def test_every_page_names_the_site_icon_and_the_icon_is_a_shipped_svg(client, congress):
    import re

    from django.contrib.staticfiles import finders

    html = client.get(congress.get_absolute_url()).content.decode()
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, "no site icon link"
    path = finders.find(match.group(1).removeprefix("/static/"))
    assert path
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")
