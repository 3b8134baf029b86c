"""A speaker's recording consent, given on their own link, reaches the speaker record and so
every export: a session is opted out of recording when any of its speakers refuses."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import Speaker
from sessions.services import cfp

from .cfp_world import accept_and_publish, make_call, make_proposal

pytestmark = pytest.mark.django_db


def _exports(client, congress, title):
    slug = congress.slug
    xml = client.get(reverse("agenda:schedule_xml", kwargs={"congress_slug": slug})).content
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    optout = next(
        e.findtext("recording/optout") for e in root.iter("event") if e.findtext("title") == title
    )
    c3voc = client.get(reverse("agenda:schedule_c3voc_json", kwargs={"congress_slug": slug})).json()
    events = [
        e
        for day in c3voc["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for e in room
        if e["title"] == title
    ]
    return optout, events[0]["do_not_record"]


def test_a_speaker_refusing_on_their_link_opts_the_session_out(client, congress, alice, hall):
    proposal = make_proposal(make_call(congress), title="Cities and heat")
    people = list(proposal.people.order_by("position"))
    cfp.update_profile(person=people[0], recording_consent=True)
    cfp.update_profile(person=people[1], recording_consent=False)
    accept_and_publish(proposal, by=alice, room=hall)
    assert Speaker.objects.get(email=people[1].email).recording_allowed is False
    assert Speaker.objects.get(email=people[0].email).recording_allowed is True
    assert _exports(client, congress, "Cities and heat") == ("true", "true")


def test_without_a_refusal_the_session_is_recorded_and_a_later_no_opts_it_out(
    client, congress, alice, hall
):
    proposal = make_proposal(make_call(congress), title="Cities and heat")
    accept_and_publish(proposal, by=alice, room=hall)
    assert _exports(client, congress, "Cities and heat") == ("false", None)
    person = proposal.people.order_by("position")[2]
    url = reverse("agenda:cfp_person", args=[congress.slug, person.secret])
    response = client.post(url, {"recording_consent": "False", "organisation": "Lyon"})
    assert response.status_code == 302
    assert Speaker.objects.get(email=person.email).recording_allowed is False
    services.publish_schedule(congress=congress, by=alice)
    assert _exports(client, congress, "Cities and heat") == ("true", "true")


def test_the_link_explains_the_consent_and_shows_the_answer(client, congress):
    person = make_proposal(make_call(congress)).people.first()
    cfp.update_profile(person=person, recording_consent=False)
    page = client.get(reverse("agenda:cfp_person", args=[congress.slug, person.secret]))
    html = page.content.decode()
    assert "no session you speak in is recorded or streamed" in html
    assert re.search(r'name="recording_consent" value="False"[^>]*checked', html)
    assert not re.search(r'name="recording_consent" value="True"[^>]*checked', html)
