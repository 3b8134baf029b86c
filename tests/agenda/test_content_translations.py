"""The programme in the reader's language: sessions' titles and abstracts and tracks' names
written per language, published in the snapshot, shown on the public pages and in the feeds
(``?lang=``), written and read back through the API."""

import json

import icalendar
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sessions import services
from tests.agenda.test_manage import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def translated(congress, alice, make_session, track):
    track.translations = {"fr": {"name": "Climat"}}
    track.save()
    session = make_session(
        title="Urban heat",
        abstract="Cooling cities",
        track=track,
        translations={"fr": {"title": "Chaleur urbaine", "abstract": "Rafraîchir les villes"}},
    )
    services.publish_schedule(congress=congress, by=alice)
    return session


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def test_the_public_session_page_shows_the_readers_language(client, congress, translated):
    url = _url("session", congress, code=translated.code)
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chaleur urbaine" in french and "Rafraîchir les villes" in french
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Urban heat" in spanish  # no Spanish title: the main language's


def test_the_ical_feed_is_written_in_the_language_asked(client, congress, translated):
    french = client.get(_url("schedule_ics", congress) + "?lang=fr")
    (event,) = icalendar.Calendar.from_ical(french.content).walk("VEVENT")
    assert str(event["summary"]) == "Chaleur urbaine"
    assert "Climat" in event["categories"].cats
    default = client.get(_url("schedule_ics", congress), HTTP_ACCEPT_LANGUAGE="fr")
    (event,) = icalendar.Calendar.from_ical(default.content).walk("VEVENT")
    assert str(event["summary"]) == "Urban heat"  # one body per language, the main one unasked


@pytest.mark.parametrize("lang", ["de", "x" * 10_240, "fr\x00"])
def test_a_feed_in_a_language_the_congress_is_not_held_in_is_a_400(
    client, congress, translated, lang
):
    response = client.get(_url("schedule_ics", congress), {"lang": lang})
    assert response.status_code == 400
    # A NUL is refused site-wide before the view, with its own message.
    assert b"Unknown language" in response.content or b"NUL character" in response.content


def test_the_json_feed_carries_every_language(client, congress, translated):
    body = json.loads(client.get(_url("schedule_json", congress) + "?lang=fr").content)
    (session,) = body["sessions"]
    assert session["title"] == "Chaleur urbaine"
    assert session["title_translations"] == {"en": "Urban heat", "fr": "Chaleur urbaine"}


def test_the_api_round_trips_a_sessions_translations(congress, alice, translated):
    api = APIClient()
    api.force_authenticate(alice)
    url = f"/api/v1/congresses/{congress.slug}/programme/sessions/{translated.code}/"
    body = api.get(url).json()
    assert body["title_translations"] == {"en": "Urban heat", "fr": "Chaleur urbaine"}
    changed = api.patch(
        url, {"title_translations": {"es": "Calor urbano", "fr": ""}}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["title_translations"] == {"en": "Urban heat", "es": "Calor urbano"}
    translated.refresh_from_db()
    assert translated.translated("abstract", "fr") == "Rafraîchir les villes"


def test_the_session_form_edits_each_language_and_marks_the_missing_one(
    client, alice, hall, make_session
):
    session = make_session(title="Urban heat", abstract="Cooling cities")
    client.force_login(alice)
    page = client.get(url("manage_session_edit", code=session.code)).content.decode()
    assert 'name="title__fr"' in page and 'name="title__es"' in page
    assert "Missing: readers of Français see the English text." in page
    response = client.post(
        url("manage_session_edit", code=session.code),
        form_data(hall, title="Urban heat", title__fr="Chaleur urbaine"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.translations == {"fr": {"title": "Chaleur urbaine"}}
    assert session.title == "Urban heat"
