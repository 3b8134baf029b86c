"""Recording consent per session and per speaker, carried into the frab XML's <optout>, the
c3voc JSON's do_not_record and the public API."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import ScheduleVersion

pytestmark = pytest.mark.django_db


def optouts(client, congress) -> dict[str, str]:
    url = reverse("agenda:schedule_xml", kwargs={"congress_slug": congress.slug})
    root = ET.fromstring(client.get(url).content)  # noqa: S314 - our own output
    return {e.findtext("title"): e.findtext("recording/optout") for e in root.iter("event")}


def test_optout_follows_each_sessions_consent(client, congress, alice, make_session):
    make_session(title="Open talk")
    make_session(title="Off the record", start=(12, 0), recording_allowed=False)
    services.publish_schedule(congress=congress, by=alice)
    assert optouts(client, congress) == {"Open talk": "false", "Off the record": "true"}


def test_a_consent_change_is_publishable_and_in_the_changelog(
    client, congress, alice, make_session
):
    session = make_session(title="Open talk")
    services.publish_schedule(congress=congress, by=alice)
    services.update_session(session=session, by=alice, recording_allowed=False)
    version = services.publish_schedule(congress=congress, by=alice)
    assert version.number == 2
    assert optouts(client, congress) == {"Open talk": "true"}


def test_a_version_published_before_consent_was_recorded_still_opts_out(
    client, congress, alice, make_session
):
    make_session(title="Old talk")
    version = services.publish_schedule(congress=congress, by=alice)
    snapshot = version.snapshot
    for raw in snapshot["sessions"]:
        raw.pop("recording_allowed")
    ScheduleVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)
    assert optouts(client, congress) == {"Old talk": "true"}


def test_the_first_publication_after_the_field_appeared_calls_nothing_changed(
    congress, alice, make_session
):
    from sessions.errors import NothingToPublish

    make_session(title="Old talk")
    version = services.publish_schedule(congress=congress, by=alice)
    snapshot = version.snapshot
    for raw in snapshot["sessions"]:
        raw.pop("recording_allowed")
    ScheduleVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)
    with pytest.raises(NothingToPublish):
        services.publish_schedule(congress=congress, by=alice)


# --- per speaker ---------------------------------------------------------------------------


def test_a_speaker_who_refuses_opts_every_session_of_theirs_out(
    client, congress, alice, make_session, ana, kenji
):
    services.update_speaker(speaker=kenji, by=alice, recording_allowed=False)
    make_session(title="Ana alone", speakers=[(ana, "speaker")])
    make_session(title="With Kenji", start=(12, 0), speakers=[(ana, "chair"), (kenji, "speaker")])
    services.publish_schedule(congress=congress, by=alice)
    assert optouts(client, congress) == {"Ana alone": "false", "With Kenji": "true"}
    c3voc = client.get(
        reverse("agenda:schedule_c3voc_json", kwargs={"congress_slug": congress.slug})
    )
    events = {
        e["title"]: e["do_not_record"]
        for day in c3voc.json()["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for e in room
    }
    assert events == {"Ana alone": None, "With Kenji": "true"}
    api = client.get(f"/api/v1/congresses/{congress.slug}/public/sessions/").json()["results"]
    assert {s["title"]: s["recording_allowed"] for s in api} == {
        "Ana alone": True,
        "With Kenji": False,
    }


def test_a_speakers_change_of_mind_is_publishable_as_a_change_of_their_sessions(
    client, congress, alice, make_session, kenji
):
    make_session(title="Kenji's talk", speakers=[(kenji, "speaker")])
    services.publish_schedule(congress=congress, by=alice)
    services.update_speaker(speaker=kenji, by=alice, recording_allowed=False)
    version = services.publish_schedule(congress=congress, by=alice)
    assert [(c["kind"], c.get("fields")) for c in version.changelog] == [
        ("changed", ["recording_refused_by"])
    ]
    assert optouts(client, congress) == {"Kenji's talk": "true"}


def test_a_contribution_speaker_who_refuses_opts_the_block_out(
    client, congress, alice, make_session, kenji
):
    from sessions.services import blocks

    services.update_speaker(speaker=kenji, by=alice, recording_allowed=False)
    block = make_session(title="Papers", minutes=60)
    blocks.add_contribution(session=block, by=alice, title="One", minutes=10, speakers=[kenji])
    services.publish_schedule(congress=congress, by=alice)
    assert optouts(client, congress) == {"Papers": "true"}


def test_the_speaker_form_records_the_refusal(client, congress, alice, kenji):
    client.force_login(alice)
    url = reverse(
        "agenda:manage_speaker_edit", kwargs={"congress_slug": congress.slug, "code": kenji.code}
    )
    assert "recording_allowed" in client.get(url).content.decode()
    response = client.post(url, {"name": kenji.name, "organisation": kenji.organisation})
    assert response.status_code == 302
    kenji.refresh_from_db()
    assert kenji.recording_allowed is False  # an unticked box is a refusal
