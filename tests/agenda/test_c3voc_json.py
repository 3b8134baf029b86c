"""``schedule.c3voc.json``: valid against the c3voc schedule JSON schema, cached and answered
with 304s like the other feeds.

No package on PyPI carries the schema (``c3voc-schedule-tools`` 1.1.0 ships the library only),
so ``C3VOC_SCHEMA`` below is written from the structure the voc/schedule project documents in
``validator/json/schema.json`` (draft-06): the required keys, the closed objects
(``additionalProperties: false``), the patterns of acronyms, slugs and durations, and the
oneOf of the two kinds of person. ``start`` is the frab ``HH:MM`` every exporter and reader
uses (the schema calls it a date-time but its own tools write ``HH:MM``)."""

import copy
import datetime as dt
import json
import uuid

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions import services
from sessions.c3voc import acronym
from sessions.enums import BreakKind, SessionFormat
from sessions.services import blocks, breaks

from .conftest import at, bulk_programme

URL = "/wcg-2027/schedule.c3voc.json"

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date"}
_DATE_TIME = {"type": "string", "format": "date-time"}
_UUID = {"type": "string", "format": "uuid"}

C3VOC_SCHEMA = {
    "$schema": "http://json-schema.org/draft-06/schema#",
    "type": "object",
    "additionalProperties": False,
    "required": ["schedule"],
    "properties": {
        "$schema": _STR,
        "schedule": {"$ref": "#/definitions/Schedule"},
        "generator": {
            "type": "object",
            "properties": {"name": _STR, "version": _STR, "url": _STR},
        },
    },
    "definitions": {
        "Schedule": {
            "type": "object",
            "required": ["conference", "version"],
            "properties": {
                "version": _STR,
                "base_url": _STR,
                "conference": {"$ref": "#/definitions/Conference"},
                "rooms": False,
            },
        },
        "Conference": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "title",
                "acronym",
                "days",
                "daysCount",
                "start",
                "end",
                "timeslot_duration",
            ],
            "properties": {
                "acronym": {
                    "type": "string",
                    "pattern": "^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$",
                },
                "title": _STR,
                "description": _STR,
                "start": _STR,
                "end": _DATE,
                "daysCount": {"type": "integer"},
                "timeslot_duration": _STR,
                "time_zone_name": {"type": "string", "pattern": "^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$"},
                "logo": _STR,
                "colors": {"type": "object"},
                "keywords": {"type": "array", "items": _STR},
                "url": _STR,
                "tracks": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"name": _STR, "color": _STR}},
                },
                "rooms": {"type": "array", "items": {"$ref": "#/definitions/Room"}},
                "meta": {"type": "object"},
                "days": {"type": "array", "items": {"$ref": "#/definitions/Day"}},
            },
        },
        "Day": {
            "type": "object",
            "additionalProperties": False,
            "required": ["date", "day_end", "day_start", "index", "rooms"],
            "properties": {
                "index": {"type": "integer"},
                "date": _DATE,
                "day_start": _DATE_TIME,
                "day_end": _DATE_TIME,
                "rooms": {
                    "type": "object",
                    "patternProperties": {
                        ".*": {"type": "array", "items": {"$ref": "#/definitions/Event"}}
                    },
                },
            },
        },
        "Event": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "abstract",
                "date",
                "duration",
                "guid",
                "id",
                "language",
                "links",
                "persons",
                "room",
                "slug",
                "start",
                "subtitle",
                "title",
                "track",
                "type",
                "url",
            ],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "guid": _UUID,
                "logo": _STR,
                "date": _DATE_TIME,
                "start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
                "duration": {"type": "string", "pattern": "^[0-9]+:[0-9]{2}$"},
                "room": _STR,
                "slug": {"type": "string", "pattern": "^[a-z0-9_-]+[a-z0-9]$"},
                "url": _STR,
                "title": _STR,
                "subtitle": _STR_OR_NULL,
                "track": _STR_OR_NULL,
                "type": _STR,
                "language": _STR,
                "abstract": _STR_OR_NULL,
                "description": _STR_OR_NULL,
                "recording_license": _STR,
                "do_not_record": _STR_OR_NULL,
                "do_not_stream": _STR_OR_NULL,
                "persons": {"type": "array", "items": {"$ref": "#/definitions/Person"}},
                "links": {"type": "array"},
                "attachments": {"type": "array"},
                "answers": {"type": "array"},
            },
        },
        "Person": {
            "type": "object",
            "properties": {"name": _STR, "guid": _UUID, "id": {"type": "integer"}},
            "oneOf": [
                {"$ref": "#/definitions/FrabPerson"},
                {"$ref": "#/definitions/PretalxPerson"},
            ],
        },
        "FrabPerson": {
            "type": "object",
            "required": ["public_name", "id"],
            "properties": {"id": {"type": "integer"}, "public_name": _STR},
        },
        "PretalxPerson": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "code": {"type": "string", "pattern": "^[A-Z0-9]+$"},
                "name": _STR,
                "avatar": _STR,
                "biography": _STR,
                "answers": {"type": "array"},
            },
        },
        "Room": {
            "type": "object",
            "additionalProperties": False,
            "required": ["guid", "name"],
            "properties": {
                "name": _STR,
                "guid": _UUID,
                "description": _STR_OR_NULL,
                "capacity": {"type": ["number", "null"]},
            },
        },
    },
}

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _aware_date_time(value) -> bool:
    """ISO 8601 with an offset (jsonschema checks date-time only with an extra package)."""
    return not isinstance(value, str) or dt.datetime.fromisoformat(value).tzinfo is not None


def validate(document: dict) -> None:
    jsonschema.Draft6Validator.check_schema(C3VOC_SCHEMA)
    jsonschema.Draft6Validator(C3VOC_SCHEMA, format_checker=FORMATS).validate(document)


@pytest.fixture
def programme(congress, alice, make_session, hall, small_room, track, ana, kenji):
    ana.photo = SimpleUploadedFile("ana.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    ana.save()
    make_session(title="Opening plenary", track=track, speakers=[(ana, "speaker")])
    make_session(
        title="都市のヒートアイランド <b>対策</b>",
        room=small_room,
        day=1,
        format=SessionFormat.WORKSHOP,
        capacity=20,
        recording_allowed=False,
        speakers=[(kenji, "speaker"), (ana, "moderator")],
    )
    cancelled = make_session(title="Dropped", start=(15, 0))
    block = make_session(title="Lightning talks", start=(16, 0), minutes=60)
    blocks.add_contribution(session=block, by=alice, title="One", minutes=10, speakers=[kenji])
    breaks.create_break(
        congress=congress,
        by=alice,
        title="Coffee",
        kind=BreakKind.COFFEE,
        starts_at=at(congress, 0, 11),
        ends_at=at(congress, 0, 11, 30),
    )
    services.publish_schedule(congress=congress, by=alice)
    services.cancel_session(session=cancelled, by=alice)
    services.publish_schedule(congress=congress, by=alice)


def test_the_c3voc_json_is_valid_against_the_schema(client, programme):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    validate(document)
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "wcg_2027"
    assert conference["daysCount"] == 2
    day1, day2 = conference["days"]
    events = [e for events in day1["rooms"].values() for e in events]
    assert {e["title"] for e in events} >= {"Opening plenary", "Coffee", "Dropped (cancelled)"}
    workshop = day2["rooms"]["Room 101"][0]
    assert workshop["do_not_record"] == "true"
    assert [p["name"] for p in workshop["persons"]] == ["山田 健二", "Ana Müller"]
    opening = next(e for e in events if e["title"] == "Opening plenary")
    assert opening["do_not_record"] is None
    assert opening["persons"][0]["avatar"].startswith("http")
    assert uuid.UUID(opening["guid"])
    lightning = next(e for e in events if e["title"] == "Lightning talks")
    assert "One" in lightning["description"]
    assert [p["name"] for p in lightning["persons"]] == ["山田 健二"]


def test_the_schema_check_refuses_what_the_schema_forbids(client, programme):
    """The validation is real: each of these breaks one rule of the schema."""
    document = client.get(URL).json()
    validate(document)
    breakages = [
        lambda d: d["schedule"]["conference"].pop("acronym"),
        lambda d: d["schedule"]["conference"].update(acronym="WCG-2027"),
        lambda d: _first_event(d).update(slug="Has Capitals"),
        lambda d: _first_event(d).update(guid="not-a-uuid"),
        lambda d: _first_event(d).update(do_not_record=True),
        lambda d: _first_event(d).update(recording={"optout": False}),
        lambda d: _first_event(d)["persons"].append({"name": "A", "public_name": "A", "id": 1}),
        lambda d: _first_event(d).update(duration="90 minutes"),
    ]
    for breakage in breakages:
        broken = copy.deepcopy(document)
        breakage(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


def _first_event(document: dict) -> dict:
    day = document["schedule"]["conference"]["days"][0]
    return next(iter(day["rooms"].values()))[0]


@pytest.mark.parametrize(
    ("slug", "expected"), [("wcg-2027", "wcg_2027"), ("ab", "ab__"), ("IAU.GA", "iau_ga")]
)
def test_acronyms_fit_the_schema_pattern(slug, expected):
    assert acronym(slug) == expected
    validate_acronym = jsonschema.Draft6Validator(
        C3VOC_SCHEMA["definitions"]["Conference"]["properties"]["acronym"]
    )
    assert validate_acronym.is_valid(expected)


def test_it_is_cached_and_answers_304_like_the_other_feeds(
    client, programme, django_assert_max_num_queries
):
    first = client.get(URL)
    etag = first["ETag"]
    assert "public" in first["Cache-Control"] and first["Last-Modified"]
    with django_assert_max_num_queries(2):
        again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    gzipped = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip" and gzipped["ETag"] != etag
    assert client.head(URL).status_code == 200


def test_a_thousand_sessions_validate_in_a_fixed_number_of_queries(
    client, congress, alice, django_assert_max_num_queries
):
    bulk_programme(congress, alice, sessions=1000)
    with django_assert_max_num_queries(3):
        response = client.get(URL)
    document = json.loads(response.content)
    validate(document)
    total = sum(
        len(events)
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
    )
    assert total == 1000


def test_no_published_version_is_a_404(client, congress):
    assert client.get(URL).status_code == 404
