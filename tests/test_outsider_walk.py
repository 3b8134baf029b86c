"""Indico's test_unauthorized: every organiser page and API endpoint of a congress, walked as
charlie (who organises another congress) and as an anonymous visitor, must refuse."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# Public by design: the delegate and visitor side (secret links are tested in each app).
PUBLIC_API_PREFIXES = ("api/v1/congresses/<congress_slug>/programme",)


def _readable(pattern) -> str:
    """Turn router regexes like ``^x/(?P<congress_slug>[^/.]+)/$`` into ``x/<congress_slug>/``."""
    text = str(pattern)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
    return text.replace("^", "").replace("$", "")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _readable(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _readable(entry.pattern), entry


def _protected_routes() -> list[str]:
    routes = []
    for route, _entry in _walk(get_resolver().url_patterns):
        if "<congress_slug>" not in route:
            continue
        is_manage = "/manage/" in route or route.endswith("/manage/")
        is_api = route.startswith("api/v1/")
        if not (is_manage or is_api):
            continue
        if is_api and any(route.startswith(p) for p in PUBLIC_API_PREFIXES):
            continue
        if "<format>" in route:
            continue
        routes.append(route)
    return sorted(set(routes))


def _fill(route: str, congress_slug: str) -> str:
    path = route.replace("<congress_slug>", congress_slug).replace(
        "<slug:congress_slug>", congress_slug
    )
    replacements = {"int": "1", "uuid": str(uuid.uuid4()), "slug": "x", "str": "x", "path": "x"}
    while "<" in path:
        start = path.index("<")
        end = path.index(">", start)
        converter = path[start + 1 : end].split(":")[0] if ":" in path[start:end] else "str"
        path = path[:start] + replacements.get(converter, "x") + path[end + 1 :]
    return "/" + path


ROUTES = _protected_routes()


def test_there_are_organiser_routes_to_walk():
    assert len(ROUTES) >= 5, ROUTES


@pytest.mark.parametrize("route", ROUTES)
def test_outsider_is_refused_everywhere(route, congress, charlie):
    client = APIClient()
    client.force_login(charlie)
    path = _fill(route, congress.slug)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (403, 404, 405), (method, path, response.status_code)


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_visitor_is_refused_everywhere(route, congress):
    client = APIClient()
    path = _fill(route, congress.slug)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], path
        else:
            assert response.status_code in (401, 403, 404, 405), (
                method,
                path,
                response.status_code,
            )
