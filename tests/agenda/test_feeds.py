"""Feeds: RFC 5545 iCalendar parsed back by two independent parsers, JSON, frab XML,
conditional requests, filters and escaping."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
import zoneinfo

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils.http import http_date

from sessions import services
from sessions.enums import SessionFormat
from tests.agenda.conftest import bulk_programme

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def ics_url(congress, **params):
    from urllib.parse import urlencode

    url = reverse("agenda:schedule_ics", kwargs={"congress_slug": congress.slug})
    return url + ("?" + urlencode(params) if params else "")


@pytest.fixture
def published(congress, alice, make_session, ana, kenji, track, small_room):
    heat = make_session(
        title="Heat plans; cities, too",
        abstract="Line one\nLine two",
        track=track,
        speakers=[(ana, "moderator"), (kenji, "panellist")],
    )
    workshop = make_session(
        title="Bond workshop",
        format=SessionFormat.WORKSHOP,
        capacity=10,
        room=small_room,
        day=1,
    )
    services.publish_schedule(congress=congress, by=alice)
    return {"heat": heat, "workshop": workshop}


def events_of(body: bytes):
    calendar = icalendar.Calendar.from_ical(body)
    return calendar, {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_schedule_ics_is_valid_icalendar_with_local_times_and_vtimezone(
    client, congress, published, settings
):
    response = client.get(ics_url(congress))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, events = events_of(response.content)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    heat = published["heat"]
    uid = f"convene-wcg-2027-{heat.code}@127.0.0.1"
    event = events[uid]
    start = event.decoded("dtstart")
    assert start == dt.datetime(2027, 5, 10, 10, 0, tzinfo=SEOUL)
    assert event["dtstart"].params["TZID"] == "Asia/Seoul"
    assert "DTSTART;TZID=Asia/Seoul:20270510T100000" in response.content.decode()
    assert str(event["location"]) == "Hall A, Daejeon Convention Center"
    assert "Ana Müller (Moderator)" in str(event["description"])
    assert "山田 健二 (Panellist)" in str(event["description"])
    assert str(event["url"]).endswith(f"/wcg-2027/schedule/sessions/{heat.code}/")
    assert event["categories"].cats == ["Climate", "Parallel session"]
    assert event["sequence"] == 0 and str(event["status"]) == "CONFIRMED"
    assert "dtstamp" in event and "last-modified" in event
    assert str(event["summary"]) == "Heat plans; cities, too"


def test_schedule_ics_parses_in_vobject_an_independent_parser(client, congress, published):
    body = client.get(ics_url(congress)).content.decode()
    calendar = vobject.readOne(body)
    events = {e.uid.value: e for e in calendar.vevent_list}
    heat = published["heat"]
    event = events[f"convene-wcg-2027-{heat.code}@127.0.0.1"]
    assert event.dtstart.value.utcoffset() == dt.timedelta(hours=9)
    assert event.dtstart.value.astimezone(dt.UTC) == heat.starts_at
    assert event.summary.value == "Heat plans; cities, too"
    assert calendar.vtimezone.tzid.value == "Asia/Seoul"


def test_uid_stays_and_sequence_rises_with_published_changes(client, congress, alice, published):
    heat = published["heat"]
    uid = f"convene-wcg-2027-{heat.code}@127.0.0.1"
    services.update_session(
        session=heat,
        by=alice,
        starts_at=heat.starts_at + dt.timedelta(hours=1),
        ends_at=heat.ends_at + dt.timedelta(hours=1),
    )
    # Draft changes are invisible in the feed until published.
    assert events_of(client.get(ics_url(congress)).content)[1][uid]["sequence"] == 0
    services.publish_schedule(congress=congress, by=alice)
    services.cancel_session(session=heat, by=alice)
    services.publish_schedule(congress=congress, by=alice)
    event = events_of(client.get(ics_url(congress)).content)[1][uid]
    assert event["sequence"] == 2
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("dtstart").hour == 11


def test_conditional_requests_get_304(client, congress, published, alice):
    first = client.get(ics_url(congress))
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(ics_url(congress), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(ics_url(congress), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    services.update_session(session=published["heat"], by=alice, title="New title")
    services.publish_schedule(congress=congress, by=alice)
    again = client.get(ics_url(congress), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    old = http_date(0)
    assert client.get(ics_url(congress), HTTP_IF_MODIFIED_SINCE=old).status_code == 200


@pytest.mark.parametrize(
    ("param", "value_of", "expected"),
    [
        ("track", lambda p, f: "climate", {"heat"}),
        ("format", lambda p, f: "workshop", {"workshop"}),
        ("room", lambda p, f: str(f["small_room"].pk), {"workshop"}),
        ("speaker", lambda p, f: f["kenji"].code, {"heat"}),
    ],
)
def test_filtered_feeds(client, congress, published, small_room, kenji, param, value_of, expected):
    value = value_of(published, {"small_room": small_room, "kenji": kenji})
    _cal, events = events_of(client.get(ics_url(congress, **{param: value})).content)
    codes = {uid.split("-")[-1].split("@")[0] for uid in events}
    assert codes == {published[name].code for name in expected}


@pytest.mark.parametrize(
    "params",
    [{"track": "nope"}, {"room": "abc"}, {"room": "999999"}, {"speaker": "<x>"}, {"format": "x"}],
)
def test_bad_feed_filters_are_400_not_500(client, congress, published, params):
    response = client.get(ics_url(congress, **params))
    assert response.status_code == 400
    assert "<x>" not in response.content.decode() or response["Content-Type"].startswith(
        "text/plain"
    )


def test_one_session_ics(client, congress, published):
    heat = published["heat"]
    url = reverse("agenda:session_ics", kwargs={"congress_slug": congress.slug, "code": heat.code})
    _cal, events = events_of(client.get(url).content)
    assert list(events) == [f"convene-wcg-2027-{heat.code}@127.0.0.1"]
    missing = reverse("agenda:session_ics", kwargs={"congress_slug": congress.slug, "code": "ZZZ"})
    assert client.get(missing).status_code == 404


def test_feeds_404_before_publication(client, congress):
    for name in ("schedule_ics", "schedule_json", "schedule_xml"):
        assert client.get(reverse(f"agenda:{name}", args=[congress.slug])).status_code == 404


def test_schedule_json(client, congress, published):
    data = json.loads(client.get(reverse("agenda:schedule_json", args=[congress.slug])).content)
    assert data["version"] == 1 and data["congress"]["time_zone"] == "Asia/Seoul"
    heat = next(s for s in data["sessions"] if s["code"] == published["heat"].code)
    assert heat["starts_at"] == "2027-05-10T10:00:00+09:00"
    assert [p["role"] for p in heat["speakers"]] == ["moderator", "panellist"]


def test_frab_xml_has_the_structure_schedule_apps_import(client, congress, published):
    response = client.get(reverse("agenda:schedule_xml", args=[congress.slug]))
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(  # noqa: S314 - our own output
        response.content
    )
    assert root.tag == "schedule" and root.findtext("version") == "v1"
    assert root.find("conference/title").text == congress.name
    assert root.findtext("conference/time_zone_name") == "Asia/Seoul"
    days = root.findall("day")
    assert [d.get("index") for d in days] == ["1", "2"]
    assert days[0].get("date") == "2027-05-10"
    room = days[0].find("room")
    assert room.get("name") == "Hall A"
    event = room.find("event")
    assert event.get("guid") and event.get("id").isdigit()
    for tag in (
        "date",
        "start",
        "duration",
        "room",
        "slug",
        "title",
        "subtitle",
        "track",
        "type",
        "language",
        "abstract",
        "description",
        "persons",
        "links",
        "attachments",
    ):
        assert event.find(tag) is not None, tag
    assert event.findtext("start") == "10:00" and event.findtext("duration") == "01:00"
    assert [p.text for p in event.findall("persons/person")] == ["Ana Müller", "山田 健二"]


def test_markup_is_plain_text_in_every_feed(client, congress, alice, make_session):
    session = make_session(title="<b>Bold</b> & <script>x</script>", abstract="a < b")
    services.publish_schedule(congress=congress, by=alice)
    xml = client.get(reverse("agenda:schedule_xml", args=[congress.slug])).content
    assert b"<script>" not in xml and b"&lt;script&gt;" in xml
    assert (
        ET.fromstring(  # noqa: S314 - our own output
            xml
        )
        .find("day/room/event/title")
        .text.startswith("<b>Bold</b>")
    )
    _cal, events = events_of(client.get(ics_url(congress)).content)
    assert str(next(iter(events.values()))["summary"]) == "<b>Bold</b> & <script>x</script>"
    data = json.loads(client.get(reverse("agenda:schedule_json", args=[congress.slug])).content)
    assert data["sessions"][0]["title"] == session.title


@pytest.mark.parametrize("size", [40, 400])
def test_feeds_use_a_fixed_number_of_queries(
    client, congress, alice, size, django_assert_max_num_queries
):
    bulk_programme(congress, alice, sessions=size)
    for name in ("schedule_ics", "schedule_json", "schedule_xml"):
        with django_assert_max_num_queries(3):
            response = client.get(reverse(f"agenda:{name}", args=[congress.slug]))
        assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(client.get(ics_url(congress)).content)
    assert len(calendar.walk("VEVENT")) == size
