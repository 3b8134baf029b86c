"""The public programme API: published data only, filters, paging at scale in a fixed number
of queries, 304s keyed by the published version, earlier versions, seats left, the schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from events_site.congresses.enums import CongressStatus
from sessions import services
from sessions.enums import SessionFormat, SessionStatus
from sessions.models import SessionSignup
from sessions.selectors import latest_version
from tests.factories import DelegateFactory, OrderFactory

from .conftest import bulk_programme

BASE = "/api/v1/congresses/wcg-2027/public"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def published(congress, alice, make_session, hall, small_room, track, ana, kenji):
    hall.building = "North wing"
    hall.floor = "2"
    hall.accessibility_notes = "Step-free access, hearing loop"
    hall.save()
    ana.photo = SimpleUploadedFile("ana.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    ana.save()
    opening = make_session(title="Opening plenary", track=track, speakers=[(ana, "speaker")])
    workshop = make_session(
        title="Heat maps workshop",
        room=small_room,
        day=1,
        format=SessionFormat.WORKSHOP,
        capacity=2,
        languages=["fr"],
        speakers=[(kenji, "speaker")],
    )
    make_session(title="Secret draft", status=SessionStatus.DRAFT, start=(14, 0))
    services.publish_schedule(congress=congress, by=alice)
    return {"opening": opening, "workshop": workshop}


def test_sessions_list_shows_the_published_sessions_only(api, published):
    response = api.get(f"{BASE}/sessions/")
    assert response.status_code == 200
    titles = [s["title"] for s in response.json()["results"]]
    assert titles == ["Opening plenary", "Heat maps workshop"]
    assert "Secret draft" not in response.content.decode()
    first = response.json()["results"][0]
    assert first["starts_at"].endswith("+09:00") or "+" in first["starts_at"]
    assert first["speakers"] == [
        {
            "code": published["opening"].roles.get().speaker.code,
            "name": "Ana Müller",
            "role": "speaker",
        }
    ]


def test_a_draft_session_is_a_404_even_by_its_code(api, published, make_session):
    draft = make_session(title="Not yet", status=SessionStatus.DRAFT, start=(16, 0))
    assert api.get(f"{BASE}/sessions/{draft.code}/").status_code == 404
    code = published["opening"].code
    assert api.get(f"{BASE}/sessions/{code}/").json()["title"] == "Opening plenary"


def test_an_edit_after_publishing_stays_out_of_the_api_until_published(api, published, alice):
    services.update_session(session=published["opening"], by=alice, title="Renamed in draft")
    assert "Renamed in draft" not in api.get(f"{BASE}/sessions/").content.decode()


def test_nothing_published_or_a_draft_congress_is_a_404(api, congress, other_congress):
    assert api.get(f"{BASE}/sessions/").status_code == 404
    other_congress.status = CongressStatus.DRAFT
    other_congress.save()
    assert api.get(f"/api/v1/congresses/{other_congress.slug}/public/rooms/").status_code == 404
    assert api.get("/api/v1/congresses/nope/public/sessions/").status_code == 404


def test_speakers_show_what_their_public_page_shows_with_an_absolute_photo_url(
    api, published, settings
):
    results = api.get(f"{BASE}/speakers/").json()["results"]
    ana = next(s for s in results if s["name"] == "Ana Müller")
    assert ana["photo"].startswith(settings.SITE_URL + "/media/speakers/")
    assert set(ana) == {
        "code",
        "name",
        "title",
        "organisation",
        "city",
        "country",
        "bio",
        "photo",
        "url",
        "sessions",
    }
    assert ana["sessions"] == [published["opening"].code]
    assert "delegate" not in str(results) and "@" not in str(results)
    kenji = next(s for s in results if s["name"] == "山田 健二")
    assert kenji["photo"] is None


def test_rooms_carry_building_floor_and_accessibility_notes(api, published):
    rooms = api.get(f"{BASE}/rooms/").json()["results"]
    hall = rooms[0]
    assert (hall["name"], hall["building"], hall["floor"]) == ("Hall A", "North wing", "2")
    assert hall["accessibility_notes"] == "Step-free access, hearing loop"
    assert hall["screen_url"].endswith(f"/wcg-2027/screens/rooms/{hall['id']}/")


def test_tracks_and_formats_list_what_is_published(api, published):
    tracks = api.get(f"{BASE}/tracks/").json()["results"]
    assert tracks == [{"slug": "climate", "name": "Climate", "colour": "#1b7f3b", "sessions": 1}]
    formats = {f["format"]: f["sessions"] for f in api.get(f"{BASE}/formats/").json()["results"]}
    assert formats == {"parallel": 1, "workshop": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("track=climate", ["Opening plenary"]),
        ("format=workshop", ["Heat maps workshop"]),
        ("language=fr", ["Heat maps workshop"]),
        ("q=HEAT", ["Heat maps workshop"]),
        ("q=müller", ["Opening plenary"]),
        ("track=unknown", []),
        ("status=cancelled", []),
    ],
)
def test_session_filters(api, published, query, expected):
    response = api.get(f"{BASE}/sessions/?{query}")
    assert response.status_code == 200
    assert [s["title"] for s in response.json()["results"]] == expected


def test_day_room_and_speaker_filters(api, published, congress, small_room):
    day2 = congress.start_date.toordinal() + 1
    import datetime as dt

    day = dt.date.fromordinal(day2).isoformat()
    assert [s["title"] for s in api.get(f"{BASE}/sessions/?day={day}").json()["results"]] == [
        "Heat maps workshop"
    ]
    rows = api.get(f"{BASE}/sessions/?room={small_room.pk}").json()["results"]
    assert [s["title"] for s in rows] == ["Heat maps workshop"]
    speaker = published["opening"].roles.get().speaker.code
    rows = api.get(f"{BASE}/sessions/?speaker={speaker}").json()["results"]
    assert [s["title"] for s in rows] == ["Opening plenary"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("day=tomorrow", "day"),
        ("room=null", "room"),
        ("format=keynote", "format"),
        ("version=latest", "version"),
        ("status=draft", "status"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(api, published, query, field):
    response = api.get(f"{BASE}/sessions/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "value", ["<script>alert(1)</script>", "x" * 10_000, "Ελληνικά 中文 العربية", "a\x01b"]
)
def test_odd_search_text_is_answered_not_a_500(api, published, value):
    response = api.get(f"{BASE}/sessions/", {"q": value})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_conditional_request_is_a_304_until_the_next_version(api, published, alice, congress):
    first = api.get(f"{BASE}/sessions/")
    etag = first["ETag"]
    assert first["Last-Modified"] and "public" in first["Cache-Control"]
    again = api.get(f"{BASE}/sessions/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    since = api.get(f"{BASE}/sessions/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # another page or filter is another representation
    assert api.get(f"{BASE}/sessions/?limit=1", HTTP_IF_NONE_MATCH=etag).status_code == 200
    services.update_session(session=published["opening"], by=alice, title="Opening, renamed")
    services.publish_schedule(congress=congress, by=alice)
    fresh = api.get(f"{BASE}/sessions/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert fresh.json()["results"][0]["title"] == "Opening, renamed"


def test_an_earlier_version_stays_readable_and_the_changelog_spans_versions(
    api, published, alice, congress
):
    services.update_session(session=published["opening"], by=alice, title="Opening, renamed")
    services.publish_schedule(congress=congress, by=alice, comment="New title")
    old = api.get(f"{BASE}/sessions/?version=1").json()["results"]
    assert old[0]["title"] == "Opening plenary"
    assert api.get(f"{BASE}/sessions/?version=9").status_code == 404
    versions = api.get(f"{BASE}/versions/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["comment"] == "New title"
    detail = api.get(f"{BASE}/versions/2/").json()
    assert {c["kind"] for c in detail["changelog"]} == {"changed"}
    programme = api.get(detail["programme_url"].split("127.0.0.1:8000")[-1]).json()
    assert programme["version"] == 2
    first = api.get(f"{BASE}/versions/1/programme/").json()
    assert [s["title"] for s in first["sessions"]][0] == "Opening plenary"
    changes = api.get(f"{BASE}/changelog/?since=1").json()["results"]
    assert changes and all(c["version"] == 2 for c in changes)
    assert api.get(f"{BASE}/changelog/?since=x").status_code == 400


def test_seats_left_follow_sign_ups_and_their_etag_changes_with_them(api, published, congress):
    workshop = published["workshop"]
    first = api.get(f"{BASE}/seats/")
    assert first.json()["results"] == [
        {
            "session": workshop.code,
            "title": "Heat maps workshop",
            "capacity": 2,
            "taken": 0,
            "left": 2,
            "full": False,
        }
    ]
    assert api.get(f"{BASE}/seats/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    for _ in range(2):
        delegate = DelegateFactory(order=OrderFactory(congress=congress))
        SessionSignup.objects.create(session=workshop, delegate=delegate, status="seat")
    changed = api.get(f"{BASE}/seats/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["results"][0] | {} == {
        **first.json()["results"][0],
        "taken": 2,
        "left": 0,
        "full": True,
    }


def test_calls_past_the_limit_get_a_429_with_retry_after(api, published, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_api": "3/m"}
    for _ in range(3):
        assert api.get(f"{BASE}/tracks/").status_code == 200
    refused = api.get(f"{BASE}/tracks/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_a_wrong_token_does_not_turn_a_public_read_into_a_401(api, published):
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get(f"{BASE}/rooms/").status_code == 200


@pytest.mark.django_db
def test_sessions_page_through_a_thousand_in_a_fixed_number_of_queries(
    api, congress, alice, django_assert_max_num_queries
):
    bulk_programme(congress, alice, sessions=1000)
    seen = []
    url = f"{BASE}/sessions/?limit=250"
    pages = 0
    while url:
        with django_assert_max_num_queries(3):
            body = api.get(url).json()
        seen.extend(s["code"] for s in body["results"])
        url = body["next"]
        pages += 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 1000
    with django_assert_max_num_queries(3):
        speakers = api.get(f"{BASE}/speakers/?limit=1000").json()
    assert speakers["count"] == 333
    with django_assert_max_num_queries(3):
        assert api.get(f"{BASE}/seats/").status_code == 200


def test_a_version_is_parsed_once_not_per_request(api, published, django_assert_num_queries):
    api.get(f"{BASE}/sessions/")
    with django_assert_num_queries(2):  # the congress and its latest version
        api.get(f"{BASE}/speakers/")


def test_every_public_operation_is_in_the_schema_and_needs_no_token():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = {p for p in schema["paths"] if "/public/" in p}
    assert paths == {
        "/api/v1/congresses/{congress_slug}/public/" + tail
        for tail in (
            "sessions/",
            "sessions/{code}/",
            "contributions/",
            "speakers/",
            "speakers/{code}/",
            "rooms/",
            "tracks/",
            "formats/",
            "seats/",
            "versions/",
            "versions/{number}/",
            "versions/{number}/programme/",
            "changelog/",
        )
    }
    for path in paths:
        operation = schema["paths"][path]["get"]
        assert operation["security"] == [{}]
        assert {"200", "304", "429"} <= set(operation["responses"])
    room = schema["components"]["schemas"]["PublicRoom"]["properties"]
    assert {"building", "floor", "accessibility_notes"} <= set(room)
    assert "building" in schema["components"]["schemas"]["ProgrammeRoom"]["properties"]


def test_published_version_is_the_one_the_api_reads(published, congress):
    assert latest_version(congress).number == 1
