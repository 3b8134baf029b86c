"""Feeds of a programme whose text holds control characters stored before the text rule: every
feed answers 200 and opens in strict readers; TAB, LF, markup and every script survive."""

import json

import icalendar
import ics
import pytest
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream
from lxml import etree
from rest_framework.test import APIClient

from events_site.congresses.models import Room
from sessions import services
from sessions.models import Session, Speaker
from tests.agenda.conftest import at

pytestmark = pytest.mark.django_db

TITLE = "Heat\x0b plans\x0c for <b>cities</b> – القاهرة 東京"
SHOWN = "Heat plans for <b>cities</b> – القاهرة 東京"
ABSTRACT = "Line one\nLine\ttwo\x1b[0m " + "ü" * 10_000


@pytest.fixture
def published(congress, alice, make_session, ana, delegate):
    session = make_session(title="placeholder", abstract="x", speakers=[(ana, "speaker")])
    # Stored directly, bypassing every entry point, as rows written before the rule were
    # (no NUL: PostgreSQL cannot store one, so no stored row holds it).
    Session.objects.filter(pk=session.pk).update(title=TITLE, abstract=ABSTRACT)
    Speaker.objects.filter(pk=ana.pk).update(name="Ana\x1b Müller\x1f", organisation="Org\x7f")
    Room.objects.filter(pk=session.room_id).update(name="Hall\x0c A")
    services.publish_schedule(congress=congress, by=alice)
    agenda = services.get_or_create_agenda(delegate=delegate)
    services.mark_session(agenda=agenda, session=session)
    return {"session": session, "agenda": agenda}


def _feeds(congress, published):
    slug = congress.slug
    return {
        "schedule": reverse("agenda:schedule_ics", kwargs={"congress_slug": slug}),
        "personal": reverse("agenda:personal_ics", args=[slug, published["agenda"].feed_token]),
    }


def _no_control(text: str):
    bad = [c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F]
    assert not bad, bad


@pytest.mark.parametrize("feed", ["schedule", "personal"])
def test_ical_feeds_open_in_strict_parsers(client, congress, published, feed):
    response = client.get(_feeds(congress, published)[feed])
    assert response.status_code == 200
    body = response.content.decode()
    _no_control(body)
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == SHOWN
    assert "Line one\nLine\ttwo[0m" in str(event["description"])
    assert str(event["location"]).startswith("Hall A")
    strict = IcsCalendarStream.calendar_from_ics(body)
    assert [e.summary for e in strict.timeline] == [SHOWN]
    assert [e.name for e in ics.Calendar(body).events] == [SHOWN]


def test_the_frab_schedule_xml_is_well_formed(client, congress, published):
    response = client.get(reverse("agenda:schedule_xml", kwargs={"congress_slug": congress.slug}))
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.findtext(".//event/title") == SHOWN
    assert root.findtext(".//event/abstract") == ABSTRACT.replace("\x1b", "")
    assert root.find(".//room").get("name") == "Hall A"
    assert root.findtext(".//persons/person") == "Ana Müller"


def test_json_feeds_carry_the_printable_text(client, congress, published):
    response = client.get(reverse("agenda:schedule_json", kwargs={"congress_slug": congress.slug}))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["sessions"][0]["title"] == SHOWN
    assert data["speakers"][0]["name"] == "Ana Müller"
    api = APIClient().get(f"/api/v1/congresses/{congress.slug}/programme/")
    assert api.status_code == 200
    assert json.loads(api.content)["sessions"][0]["title"] == SHOWN


def test_the_organiser_session_form_refuses_control_characters(client, congress, alice, hall):
    client.force_login(alice)
    start = at(congress, 0, 9)
    response = client.post(
        reverse("agenda:manage_session_create", kwargs={"congress_slug": congress.slug}),
        {
            "title": "Heat\x0b plans",
            "format": "parallel",
            "status": "confirmed",
            "room": hall.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.replace(hour=10).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code in (200, 400)
    assert "“Title (English)” contains an invisible control character (U+000B)" in (
        response.content.decode()
    )
    assert not Session.objects.exists()


def test_the_speaker_api_refuses_control_characters(congress, alice):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.post(
        f"/api/v1/congresses/{congress.slug}/programme/speakers/", {"name": "X\x0cY"}, format="json"
    )
    assert response.status_code == 400 and "U+000C" in response.json()["name"][0]
    assert not Speaker.objects.exists()
