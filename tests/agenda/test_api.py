"""The agenda API: public programme; organisers edit through the same rules as the UI."""

import pytest
from rest_framework.test import APIClient

from sessions import services
from sessions.models import Session, Speaker, Track

pytestmark = pytest.mark.django_db

BASE = "/api/v1/congresses/wcg-2027/programme/"


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def payload(hall, **extra):
    return {
        "title": "Heat plans",
        "format": "parallel",
        "status": "confirmed",
        "room": hall.pk,
        "starts_at": "2027-05-10T10:00:00+09:00",
        "ends_at": "2027-05-10T11:00:00+09:00",
        "languages": ["en"],
        **extra,
    }


def test_public_can_read_the_published_programme(client, congress, alice, make_session):
    session = make_session()
    services.publish_schedule(congress=congress, by=alice)
    response = APIClient().get(BASE)
    assert response.status_code == 200
    assert [s["code"] for s in response.json()["sessions"]] == [session.code]


def test_public_programme_is_404_before_publication(congress):
    assert APIClient().get(BASE).status_code == 404


def test_organiser_creates_a_session_with_speakers(api, hall, ana, track):
    response = api.post(
        BASE + "sessions/",
        payload(hall, track="climate", speakers=[{"speaker": ana.code, "role": "moderator"}]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["speakers"] == [{"speaker": ana.code, "role": "moderator"}]
    assert body["track"] == "climate" and len(body["code"]) == 6
    assert body["warnings"] == []


def test_api_refuses_a_double_booking_naming_the_other_session(api, hall, make_session):
    existing = make_session(title="Already there")
    response = api.post(BASE + "sessions/", payload(hall), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "schedule_conflict"
    assert body["conflicts"][0]["kind"] == "room_double_booked"
    assert body["conflicts"][0]["other"] == existing.code
    assert "Hall A" in body["detail"] and "Already there" in body["detail"]


def test_api_update_and_cancel(api, make_session):
    session = make_session()
    response = api.patch(BASE + f"sessions/{session.code}/", {"title": "New"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "New"
    response = api.post(BASE + f"sessions/{session.code}/cancel/")
    assert response.json()["status"] == "cancelled"
    assert api.delete(BASE + f"sessions/{session.code}/").status_code == 405


@pytest.mark.parametrize(
    "bad",
    [
        {"starts_at": "not a date"},
        {"room": 999999},
        {"format": "rave"},
        {"speakers": [{"speaker": "NOPE", "role": "speaker"}]},
        {"languages": ["xx"]},
        {"ends_at": "2027-05-10T09:00:00+09:00"},
        {"starts_at": "2030-01-01T10:00:00+09:00", "ends_at": "2030-01-01T11:00:00+09:00"},
    ],
)
def test_api_bad_input_is_400(api, hall, bad):
    response = api.post(BASE + "sessions/", payload(hall, **bad), format="json")
    assert response.status_code == 400, response.content


def test_speakers_tracks_and_rooms_through_the_api(api, venue):
    response = api.post(BASE + "speakers/", {"name": "Chiara Rossi", "country": "IT"})
    assert response.status_code == 201 and Speaker.objects.get().name == "Chiara Rossi"
    response = api.post(BASE + "tracks/", {"name": "Water", "slug": "water", "colour": "#00ff00"})
    assert response.status_code == 201 and Track.objects.get().slug == "water"
    bad = api.post(BASE + "tracks/", {"name": "Water", "slug": "water", "colour": "red"})
    assert bad.status_code == 400
    response = api.post(
        BASE + "rooms/", {"venue": venue.pk, "name": "Hall Z", "capacity": 50}, format="json"
    )
    assert response.status_code == 201, response.content
    room_id = response.json()["id"]
    response = api.patch(BASE + f"rooms/{room_id}/", {"capacity": 60}, format="json")
    assert response.status_code == 200 and response.json()["capacity"] == 60


def test_publish_and_conflicts_through_the_api(api, make_session):
    make_session()
    assert api.get(BASE + "conflicts/").json() == []
    response = api.post(BASE + "publish/", {"comment": "v1"}, format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
    again = api.post(BASE + "publish/", {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "nothing_to_publish"
    assert Session.objects.count() == 1
