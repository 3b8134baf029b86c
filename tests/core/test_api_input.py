"""API input that used to answer 500: huge numbers, malformed ids and lists, a speaker without
a country, and datetimes without a UTC offset."""

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from sessions import services as agenda
from sessions.models import Session, Speaker
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    RoomFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"
API = f"/api/v1/congresses/{SLUG}/"
HUGE = "1686583734111112790016"


def list_paths() -> list[str]:
    """Every GET operation of the schema that pages with ``?limit=``."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if any(p["name"] == "limit" for p in operations.get("get", {}).get("parameters", []))
    )


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def rows(congress, alice):
    venue = VenueFactory(congress=congress)
    room = RoomFactory(venue=venue, opens_at=dt.time(8), closes_at=dt.time(20))
    rtype = RegistrationTypeFactory(congress=congress, code="member")
    DelegateFactory(order=OrderFactory(congress=congress), registration_type=rtype)
    agenda.publish_schedule(congress=congress, by=alice)  # for the public programme API
    return room


def test_the_schema_has_paged_lists_to_check():
    assert len(list_paths()) >= 10


@pytest.mark.parametrize("path", list_paths())
def test_a_huge_limit_on_a_list_is_capped_not_a_500(api, rows, path):
    response = api.get(path.replace("{congress_slug}", SLUG) + f"?limit={HUGE}")
    assert response.status_code == 200, response.content
    assert response.json()["count"] >= 0


@pytest.mark.parametrize("path", list_paths())
def test_a_huge_offset_on_a_list_is_an_empty_page(api, rows, path):
    response = api.get(path.replace("{congress_slug}", SLUG) + f"?offset={HUGE}")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


def test_a_limit_above_the_maximum_pages_by_the_maximum(api, congress):
    from events_site.congresses.models import Venue

    Venue.objects.bulk_create(Venue(congress=congress, name=f"V{n}") for n in range(1002))
    response = api.get(API + f"venues/?limit={HUGE}")
    assert response.json()["count"] == 1002
    assert len(response.json()["results"]) == 1000


@pytest.mark.parametrize("pk", ["null%2Cnull", "abc", "1.5", HUGE])
def test_a_room_id_that_is_not_a_number_is_404(api, rows, pk):
    assert api.get(API + f"programme/rooms/{pk}/").status_code == 404
    assert api.patch(API + f"programme/rooms/{pk}/", {}, format="json").status_code == 404


@pytest.mark.parametrize("pk", ["null%2Cnull", HUGE])
def test_a_delegate_id_that_is_not_a_number_is_404(api, rows, pk):
    assert api.get(API + f"delegates/{pk}/").status_code == 404


@pytest.mark.parametrize(
    "languages", [[[{}]], [{}], [None], [1], "en", {"en": 1}, [], ["en", "xx"]]
)
def test_congress_languages_must_be_a_list_of_known_codes(api, congress, languages):
    response = api.patch(API, {"languages": languages}, format="json")
    assert response.status_code == 400, response.content
    assert "languages" in response.json()
    congress.refresh_from_db()
    assert congress.languages == ["en", "fr", "es"]


def test_congress_languages_accept_known_codes(api, congress):
    response = api.patch(API, {"languages": ["fr", "ar"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["languages"] == ["fr", "ar"]


def test_a_speaker_created_through_the_api_with_only_a_name(api, congress):
    response = api.post(API + "programme/speakers/", {"name": "X"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["country"] == ""
    code = response.json()["code"]
    assert api.get(API + "programme/speakers/").status_code == 200
    assert api.get(API + f"programme/speakers/{code}/").json()["country"] == ""


def test_a_speaker_created_on_the_organiser_page_with_only_a_name_reads_back(
    client, api, congress, alice
):
    client.force_login(alice)
    response = client.post(f"/{SLUG}/manage/agenda/speakers/new/", {"name": "Only a name"})
    assert response.status_code == 302
    speaker = Speaker.objects.get(name="Only a name")
    listing = api.get(API + "programme/speakers/")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["country"] == ""
    detail = api.get(API + f"programme/speakers/{speaker.code}/")
    assert detail.status_code == 200 and detail.json()["country"] == ""


def test_a_speaker_country_is_a_code_and_can_be_cleared(api, congress):
    code = api.post(API + "programme/speakers/", {"name": "Y", "country": "KR"}).json()["code"]
    assert api.get(API + f"programme/speakers/{code}/").json()["country"] == "KR"
    response = api.patch(API + f"programme/speakers/{code}/", {"country": ""}, format="json")
    assert response.status_code == 200 and response.json()["country"] == ""
    assert (
        api.patch(API + f"programme/speakers/{code}/", {"country": "ZZ"}, format="json").status_code
        == 400
    )


# --- datetimes without an offset ---------------------------------------------------------------


def session_payload(room, **extra):
    return {
        "title": "Heat plans",
        "format": "parallel",
        "status": "confirmed",
        "room": room.pk,
        "starts_at": "2027-05-10T10:00:00+09:00",
        "ends_at": "2027-05-10T11:00:00+09:00",
        **extra,
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("starts_at", "2027-05-10T10:00:00"),
        ("ends_at", "2027-05-10T11:00:00"),
        ("starts_at", "2027-05-10 10:00"),
    ],
)
def test_a_datetime_without_an_offset_is_refused_saying_so(api, rows, field, value):
    response = api.post(
        API + "programme/sessions/", session_payload(rows, **{field: value}), format="json"
    )
    assert response.status_code == 400, response.content
    assert "offset" in response.json()[field][0]
    assert not Session.objects.exists()


def test_a_naive_datetime_is_refused_on_update_too(api, rows):
    code = api.post(API + "programme/sessions/", session_payload(rows), format="json").json()[
        "code"
    ]
    # Read as UTC these would be a valid move to 10:30-11:00 in Seoul: they must still be refused.
    naive = {"starts_at": "2027-05-10T01:30:00", "ends_at": "2027-05-10T02:00:00"}
    response = api.patch(API + f"programme/sessions/{code}/", naive, format="json")
    assert response.status_code == 400
    assert "offset" in response.json()["starts_at"][0]
    session = Session.objects.get(code=code)
    assert session.starts_at == dt.datetime(2027, 5, 10, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", ["2027-05-10T01:00:00Z", "2027-05-10T10:00:00+09:00"])
def test_a_datetime_with_an_offset_or_z_is_stored_as_that_instant(api, rows, value):
    response = api.post(
        API + "programme/sessions/",
        session_payload(rows, starts_at=value, ends_at="2027-05-10T11:00:00+09:00"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Session.objects.get().starts_at == dt.datetime(2027, 5, 10, 1, 0, tzinfo=dt.UTC)


def test_the_schema_says_datetimes_need_an_offset():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    starts_at = schema["components"]["schemas"]["ProgrammeSession"]["properties"]["starts_at"]
    assert starts_at["format"] == "date-time"
    assert "offset" in starts_at["description"]


def test_every_writable_api_datetime_refuses_a_time_without_an_offset():
    """Walk every serializer of every app's API: no writable datetime escapes the rule."""
    import inspect

    from rest_framework import serializers

    from badges import api as badges_api
    from events_site.congresses import api as core_api
    from events_site.congresses.api_fields import AwareDateTimeField
    from registrations import api as registrations_api
    from registrations.payments import api as payment_api
    from sessions import api as agenda_api

    def walk(fields):
        for name, field in fields.items():
            if isinstance(field, serializers.ListSerializer):
                field = field.child
            if isinstance(field, serializers.Serializer):
                yield from walk(field.fields)
            else:
                yield name, field

    seen = 0
    for module in (core_api, registrations_api, payment_api, agenda_api, badges_api):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, serializers.Serializer) or cls.__module__ != module.__name__:
                continue
            for name, field in walk(cls().fields):
                if isinstance(field, serializers.DateTimeField) and not field.read_only:
                    seen += 1
                    assert isinstance(field, AwareDateTimeField), f"{cls.__name__}.{name}"
    assert seen >= 2


# --- a room's daily hours are local times ------------------------------------------------------


@pytest.mark.parametrize("value", ["08:00:00Z", "08:00+05:00", "08:00:00-0300", "08:00z"])
def test_a_room_hour_with_an_offset_is_refused_not_dropped_or_a_500(api, rows, value):
    response = api.patch(API + f"programme/rooms/{rows.pk}/", {"opens_at": value}, format="json")
    assert response.status_code == 400, response.content
    assert "offset" in response.json()["opens_at"][0]
    rows.refresh_from_db()
    assert rows.opens_at == dt.time(8)


def test_a_room_hour_reads_back_as_the_local_time_the_schema_describes(api, rows):
    response = api.patch(API + f"programme/rooms/{rows.pk}/", {"opens_at": "07:30"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["opens_at"] == "07:30:00"
    schema = SchemaGenerator().get_schema(request=None, public=True)
    opens_at = schema["components"]["schemas"]["ProgrammeRoom"]["properties"]["opens_at"]
    assert "format" not in opens_at and opens_at["pattern"].startswith("^")


# --- refusals under /api/ are JSON, as the schema documents -----------------------------------


@pytest.mark.parametrize(
    "path", ["delegates/0.5/", "orders/a%20b./approve/", "programme/rooms/%C2%84/", "nothing/"]
)
def test_an_api_url_no_route_matches_is_a_json_404(api, rows, path):
    response = api.get(API + path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_page_url_no_route_matches_is_still_an_html_404(client, db):
    response = client.get("/no/such/page/here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def _public(path: str) -> bool:
    """The published programme, and the public programme API under ``public/``."""
    return path == "/api/v1/congresses/{congress_slug}/programme/" or path.startswith(
        "/api/v1/congresses/{congress_slug}/public/"
    )


def test_every_operation_documents_its_refusals():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            if not _public(path):
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            else:  # anyone may call it: no token, so no 401 or 403
                assert operation["security"] == [{}], (method, path)
    checkin = schema["paths"]["/api/v1/congresses/{congress_slug}/checkin/"]["post"]
    assert "409" in checkin["responses"]  # not_allowed_to_enter


def test_the_finance_summary_is_documented_as_counts():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    summary = schema["paths"]["/api/v1/congresses/{congress_slug}/payments/orders/summary/"]
    ref = summary["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/FinanceSummary")


def test_a_delegate_without_a_country_reads_back_as_empty(api, congress):
    delegate = DelegateFactory(order=OrderFactory(congress=congress), country="")
    response = api.get(API + f"delegates/{delegate.pk}/")
    assert response.status_code == 200 and response.json()["country"] == ""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    country = schema["components"]["schemas"]["Delegate"]["properties"]["country"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in country["oneOf"]
