"""Every organiser page and API endpoint of the agenda, walked as people who may not use it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"


@pytest.fixture
def code(make_session):
    return make_session().code


@pytest.fixture
def speaker_code(ana):
    return ana.code


def organiser_pages(code, speaker_code):
    kw = {"congress_slug": SLUG}
    return [
        ("get", reverse("agenda:manage_sessions", kwargs=kw)),
        ("get", reverse("agenda:manage_session_create", kwargs=kw)),
        ("post", reverse("agenda:manage_session_create", kwargs=kw)),
        ("get", reverse("agenda:manage_session_edit", kwargs={**kw, "code": code})),
        ("post", reverse("agenda:manage_session_cancel", kwargs={**kw, "code": code})),
        ("get", reverse("agenda:conflicts", kwargs=kw)),
        ("get", reverse("agenda:publish", kwargs=kw)),
        ("post", reverse("agenda:publish", kwargs=kw)),
        ("get", reverse("agenda:manage_speakers", kwargs=kw)),
        ("get", reverse("agenda:manage_speaker_create", kwargs=kw)),
        ("get", reverse("agenda:manage_speaker_edit", kwargs={**kw, "code": speaker_code})),
    ]


def api_endpoints(code, speaker_code, room_id):
    base = f"/api/v1/congresses/{SLUG}/programme/"
    return [
        ("get", base + "sessions/"),
        ("post", base + "sessions/"),
        ("get", base + f"sessions/{code}/"),
        ("patch", base + f"sessions/{code}/"),
        ("post", base + f"sessions/{code}/cancel/"),
        ("get", base + "speakers/"),
        ("post", base + "speakers/"),
        ("patch", base + f"speakers/{speaker_code}/"),
        ("get", base + "tracks/"),
        ("post", base + "tracks/"),
        ("get", base + "rooms/"),
        ("post", base + "rooms/"),
        ("patch", base + f"rooms/{room_id}/"),
        ("get", base + "conflicts/"),
        ("post", base + "publish/"),
    ]


@pytest.mark.parametrize("persona", ["charlie", "bob"])
def test_outsiders_and_narrow_roles_get_403_or_404_everywhere(
    request, persona, code, speaker_code, hall, client
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for method, url in organiser_pages(code, speaker_code):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (persona, method, url)
    api = APIClient()
    api.force_authenticate(user)
    for method, url in api_endpoints(code, speaker_code, hall.pk):
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code in (403, 404), (persona, method, url)


def test_anonymous_visitors_are_sent_to_log_in_or_refused(client, code, speaker_code, hall):
    for method, url in organiser_pages(code, speaker_code):
        assert getattr(client, method)(url).status_code in (302, 403, 404), url
    for method, url in api_endpoints(code, speaker_code, hall.pk):
        assert getattr(APIClient(), method)(url, {}, format="json").status_code in (401, 403)


def test_the_organiser_reaches_every_page(client, alice, code, speaker_code):
    client.force_login(alice)
    for method, url in organiser_pages(code, speaker_code):
        if method == "get":
            assert client.get(url).status_code == 200, url
