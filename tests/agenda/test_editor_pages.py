"""The timetable editor's page and JSON endpoints: who may use them, another congress's
session, bad and hostile input, the changes feed, and a query count that does not grow with
the programme."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from sessions.models import Session, SpeakerUnavailability
from sessions.services.editor import session_version
from tests.agenda.conftest import at
from tests.factories import RoomFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pia(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def url(congress, name, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def editor_url(congress, day=0):
    return url(
        congress, "manage_editor", day=(congress.start_date + dt.timedelta(days=day)).isoformat()
    )


def post_json(client, address, payload):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(address, body, content_type="application/json")


def move(session, room, start="2027-05-10T11:00", minutes=60, **extra):
    return {
        "session": session.code,
        "room": room.pk,
        "start": start,
        "minutes": minutes,
        "version": session_version(session),
        **extra,
    }


def test_the_editor_shows_rooms_in_order_the_zone_and_the_queue(
    client, congress, pia, make_session, hall, small_room
):
    placed = make_session(title="Placed <b>here</b>", start=(10, 0))
    queued = make_session(title="Waiting", start=(14, 0))
    Session.objects.filter(pk=queued.pk).update(unscheduled=True, room=None)
    client.force_login(pia)
    response = client.get(editor_url(congress))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Hall A") < html.index("Room 101")
    assert "Asia/Seoul" in html and "KST" in html
    assert f'id="session-{placed.code}"' in html and "Placed &lt;b&gt;here&lt;/b&gt;" in html
    queue = html[html.index('id="queue-list"') :]
    assert f'id="session-{queued.code}"' in queue
    assert (
        reverse(
            "agenda:manage_session_edit",
            kwargs={"congress_slug": congress.slug, "code": placed.code},
        )
        in html
    )


def test_the_editor_redirects_to_the_first_day_and_404s_outside_the_days(client, congress, pia):
    client.force_login(pia)
    response = client.get(url(congress, "manage_editor_start"))
    assert response.status_code == 302 and response.url == editor_url(congress)
    for day in ("2027-05-01", "not-a-day", "2027-13-40"):
        assert client.get(url(congress, "manage_editor", day=day)).status_code == 404


def test_the_queue_filters_by_track_format_and_text(
    client, congress, pia, make_session, track, ana
):
    one = make_session(title="Heat islands", track=track, speakers=[(ana, "speaker")])
    two = make_session(title="Water", start=(12, 0), format="workshop", capacity=20)
    Session.objects.filter(pk__in=[one.pk, two.pk]).update(unscheduled=True, room=None)
    client.force_login(pia)

    def queue(**params):
        html = client.get(editor_url(congress), params).content.decode()
        return {s.code for s in (one, two) if f'id="session-{s.code}"' in html}

    assert queue() == {one.code, two.code}
    assert queue(track="climate") == {one.code}
    assert queue(format="workshop") == {two.code}
    assert queue(q="Müller") == {one.code}
    assert queue(q="\x00<script>" + "x" * 10000) == set()
    assert queue(track="nope", format="<b>") == {one.code, two.code}


def _add_programme(congress, venue, track, n, offset):
    from sessions.models import SessionSpeaker, Speaker

    rooms = list(venue.rooms.all()) or [RoomFactory(venue=venue, name="Bulk")]
    speakers = Speaker.objects.bulk_create(
        Speaker(congress=congress, code=f"K{offset + k:05d}", name=f"Speaker {offset + k}")
        for k in range(n)
    )
    sessions = []
    for k in range(n):
        start = at(congress, 0, 8) + dt.timedelta(minutes=10 * (k // len(rooms)))
        queued = k % 3 == 0
        sessions.append(
            Session(
                congress=congress,
                code=f"M{offset + k:05d}",
                title=f"More {offset + k}",
                track=track,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=10),
                unscheduled=queued,
                room=None if queued else rooms[k % len(rooms)],
                status="confirmed",
            )
        )
    created = Session.objects.bulk_create(sessions)
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=s, speaker=sp, role="speaker")
        for s, sp in zip(created, speakers, strict=True)
    )
    SpeakerUnavailability.objects.bulk_create(
        SpeakerUnavailability(
            speaker=sp, starts_at=at(congress, 0, 18), ends_at=at(congress, 0, 19)
        )
        for sp in speakers
    )


def test_the_editor_page_makes_the_same_number_of_queries_for_many_sessions(
    client, congress, pia, venue, hall, small_room, track, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(pia)
    _add_programme(congress, venue, track, 6, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(editor_url(congress)).status_code == 200
    _add_programme(congress, venue, track, 150, 100)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(editor_url(congress))
    assert response.content.decode().count('class="ed-session') >= 150
    assert len(small.captured_queries) <= 21


def test_a_move_is_saved_and_answered_with_the_new_version(
    client, congress, pia, make_session, small_room
):
    session = make_session(start=(10, 0))
    client.force_login(pia)
    response = post_json(client, url(congress, "editor_move"), move(session, small_room))
    assert response.status_code == 200, response.content
    answer = response.json()
    session.refresh_from_db()
    assert session.room == small_room and session.starts_at == at(congress, 0, 11)
    assert answer["ok"] and answer["session"]["version"] == session_version(session)
    assert answer["session"]["start"] == "2027-05-10T11:00"


def test_a_refused_move_answers_409_with_the_reason_and_where_the_session_is(
    client, congress, pia, make_session, hall
):
    make_session(title="Keynote", start=(11, 0))
    session = make_session(title="Panel", start=(14, 0))
    client.force_login(pia)
    response = post_json(client, url(congress, "editor_move"), move(session, hall))
    assert response.status_code == 409
    answer = response.json()
    assert answer["kind"] == "conflict" and "Keynote" in answer["reason"]
    assert answer["session"]["start"] == "2027-05-10T14:00"


def test_a_stale_move_answers_409_stale(client, congress, pia, make_session, small_room):
    session = make_session(start=(10, 0))
    payload = move(session, small_room)
    Session.objects.filter(pk=session.pk).update(title="Changed elsewhere")
    client.force_login(pia)
    response = post_json(client, url(congress, "editor_move"), payload)
    assert response.status_code == 409 and response.json()["kind"] == "stale"
    assert response.json()["session"]["title"] == "Changed elsewhere"


def test_unschedule_puts_the_session_back_in_the_queue(client, congress, pia, make_session):
    session = make_session(start=(10, 0))
    client.force_login(pia)
    response = post_json(
        client,
        url(congress, "editor_unschedule"),
        {"session": session.code, "version": session_version(session)},
    )
    assert response.status_code == 200 and response.json()["session"]["queued"] is True
    session.refresh_from_db()
    assert session.unscheduled and session.room is None


def test_another_congresss_session_or_room_is_not_found(
    client, congress, other_congress, pia, make_session, hall
):
    from sessions import services

    theirs_room = RoomFactory(venue__congress=other_congress, name="Theirs")
    theirs = services.create_session(
        congress=other_congress,
        by=pia,
        title="Theirs",
        room=theirs_room,
        starts_at=at(other_congress, 0, 10),
        ends_at=at(other_congress, 0, 11),
    ).session
    mine = make_session()
    client.force_login(pia)
    assert post_json(client, url(congress, "editor_move"), move(theirs, hall)).status_code == 404
    assert (
        post_json(client, url(congress, "editor_unschedule"), {"session": theirs.code}).status_code
        == 404
    )
    response = post_json(client, url(congress, "editor_move"), move(mine, theirs_room))
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.room == theirs_room


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '"just a string"',
        b"\xff\xfe",
        "{}",
        json.dumps({"session": "\x00", "room": 1, "start": "x", "minutes": 60}),
        json.dumps({"session": "A" * 10000}),
        json.dumps({"session": "<script>", "room": 1}),
        "x" * 5000,
    ],
)
def test_bad_and_hostile_bodies_are_refused_without_a_500(client, congress, pia, body):
    client.force_login(pia)
    for name in ("editor_move", "editor_unschedule"):
        response = post_json(client, url(congress, name), body)
        assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    "change",
    [
        {"room": "1"},
        {"room": True},
        {"minutes": "60"},
        {"minutes": 10**9},
        {"minutes": -5},
        {"start": "2027-05-10 11:00:00\x00"},
        {"start": "tomorrow"},
        {"start": "٢٠٢٧-٠٥-١٠T11:00"},
        {"fold": 2},
        {"fold": True},
        {"version": "<b>" * 30},
    ],
)
def test_bad_fields_are_refused_and_change_nothing(
    client, congress, pia, make_session, small_room, change
):
    session = make_session(start=(10, 0))
    client.force_login(pia)
    payload = {**move(session, small_room), **change}
    response = post_json(client, url(congress, "editor_move"), payload)
    assert response.status_code in (400, 409)
    assert response.json()["ok"] is False
    session.refresh_from_db()
    assert session.starts_at == at(congress, 0, 10)


def test_only_programme_organisers_and_owners_use_the_editor(
    client, congress, alice, bob, charlie, pia, make_session, small_room
):
    session = make_session(start=(10, 0))
    for user, allowed in ((alice, True), (pia, True), (bob, False), (charlie, False)):
        client.force_login(user)
        assert (client.get(editor_url(congress)).status_code == 200) is allowed
        response = post_json(client, url(congress, "editor_move"), move(session, small_room))
        assert (response.status_code != 403) is allowed, user
        session.refresh_from_db()
    client.logout()
    response = post_json(client, url(congress, "editor_move"), move(session, small_room))
    assert response.status_code == 302


def test_the_changes_feed_lists_sessions_changed_since(client, congress, pia, make_session):
    from django.utils import timezone

    before = make_session(title="Old")
    Session.objects.filter(pk=before.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(pia)
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    changed = make_session(title="New", start=(12, 0))
    answer = client.get(url(congress, "editor_changes"), {"since": since}).json()
    assert [s["code"] for s in answer["sessions"]] == [changed.code]
    assert answer["sessions"][0]["version"] == session_version(changed)
    again = client.get(url(congress, "editor_changes"), {"since": answer["now"]}).json()
    assert again["sessions"] == []
    assert client.get(url(congress, "editor_changes")).json()["sessions"] == []
    for bad in ("yesterday", "\x00", "9" * 1000):
        assert client.get(url(congress, "editor_changes"), {"since": bad}).status_code == 400


def test_a_speakers_unavailable_time_is_added_and_removed_on_their_page(client, congress, pia, ana):
    client.force_login(pia)
    address = url(congress, "manage_speaker_unavailability", code=ana.code)
    response = client.post(
        address, {"starts_at": "2027-05-11T09:00", "ends_at": "2027-05-11T12:00", "note": "flight"}
    )
    assert response.status_code == 302
    block = SpeakerUnavailability.objects.get(speaker=ana)
    assert block.starts_at == at(congress, 1, 9) and block.note == "flight"
    page = client.get(url(congress, "manage_speaker_edit", code=ana.code)).content.decode()
    assert "flight" in page and "Times this speaker cannot speak" in page
    for bad in (
        {"starts_at": "2027-05-11T12:00", "ends_at": "2027-05-11T09:00"},
        {"starts_at": "x", "ends_at": "y"},
        {"starts_at": "2027-05-11T09:00", "ends_at": "2027-05-11T10:00", "note": "a\x01b"},
        {"starts_at": "2027-05-11T09:00", "ends_at": "2027-05-11T10:00", "note": "n" * 10000},
    ):
        assert client.post(address, bad).status_code == 400
    assert SpeakerUnavailability.objects.count() == 1
    delete = url(congress, "manage_speaker_unavailability_delete", code=ana.code, block_id=block.pk)
    assert client.post(delete).status_code == 302
    assert not SpeakerUnavailability.objects.exists()
