"""Where the timetable editor meets breaks and session blocks: breaks drawn across their rooms
and refused as a place, a contribution's speakers booked for its whole block (clashes and
unavailability), and the page's own warnings (track clash, two buildings) on load, at a fixed
number of queries for 1,000 sessions."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from events_site.congresses.models import Room
from sessions import services
from sessions.enums import BreakKind, ConflictKind, SpeakerRole
from sessions.errors import ScheduleConflict
from sessions.models import Contribution, Session, SessionSpeaker, Speaker
from sessions.services import blocks
from sessions.services import breaks as break_services
from sessions.services.availability import add_unavailability
from sessions.services.editor import place_session, session_version
from sessions.services.scheduling import check_session
from tests.agenda.conftest import at
from tests.factories import RoomFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pia(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


@pytest.fixture
def third_room(venue):
    return RoomFactory(
        venue=venue,
        name="Room 102",
        capacity=40,
        opens_at=dt.time(8),
        closes_at=dt.time(20),
        position=3,
    )


def naive(congress, day, hour, minute=0):
    return at(congress, day, hour, minute).replace(tzinfo=None)


def editor_url(congress, day=0):
    return reverse(
        "agenda:manage_editor",
        kwargs={
            "congress_slug": congress.slug,
            "day": (congress.start_date + dt.timedelta(days=day)).isoformat(),
        },
    )


def lunch(congress, alice, *, rooms=None, day=0, title="Lunch"):
    return break_services.create_break(
        congress=congress,
        by=alice,
        title=title,
        kind=BreakKind.LUNCH,
        starts_at=at(congress, day, 12),
        ends_at=at(congress, day, 13),
        all_rooms=rooms is None,
        rooms=rooms or [],
    )


# --- breaks ------------------------------------------------------------------------------


def test_a_move_onto_a_lunch_break_is_refused_with_the_break_named(
    congress, alice, make_session, hall, small_room
):
    lunch(congress, alice)
    session = make_session(title="Panel", start=(10, 0))
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=session,
            by=alice,
            room=small_room,
            start=naive(congress, 0, 12, 30),
            minutes=60,
            shown_version=session_version(session),
        )
    assert {c.kind for c in exc.value.conflicts} == {ConflictKind.BREAK_IN_ROOM}
    assert "Lunch" in str(exc.value.message) and "Room 101" in str(exc.value.message)
    session.refresh_from_db()
    assert session.room == hall and session.starts_at == at(congress, 0, 10)


def test_a_break_of_some_rooms_refuses_those_and_leaves_the_others(
    congress, alice, make_session, hall, small_room
):
    lunch(congress, alice, rooms=[small_room])
    session = make_session(start=(10, 0))
    with pytest.raises(ScheduleConflict):
        place_session(
            session=session, by=alice, room=small_room, start=naive(congress, 0, 12), minutes=30
        )
    place_session(session=session, by=alice, room=hall, start=naive(congress, 0, 12), minutes=30)
    session.refresh_from_db()
    assert session.room == hall and session.starts_at == at(congress, 0, 12)


def test_a_move_onto_a_break_answers_409_with_the_reason(
    client, congress, alice, pia, make_session, small_room
):
    lunch(congress, alice, title="Lunch <b>buffet</b>")
    session = make_session(start=(10, 0))
    client.force_login(pia)
    response = client.post(
        reverse("agenda:editor_move", kwargs={"congress_slug": congress.slug}),
        json.dumps(
            {
                "session": session.code,
                "room": small_room.pk,
                "start": "2027-05-10T12:15",
                "minutes": 30,
                "version": session_version(session),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["kind"] == "conflict"
    assert "Lunch <b>buffet</b>" in response.json()["reason"]
    assert response.json()["session"]["start"] == "2027-05-10T10:00"


def test_the_grid_draws_each_break_across_its_rooms(
    client, congress, alice, pia, hall, small_room, third_room
):
    everywhere = lunch(congress, alice, title="Lunch <script>x</script>")
    coffee = break_services.create_break(
        congress=congress,
        by=alice,
        title="Coffee",
        kind=BreakKind.COFFEE,
        starts_at=at(congress, 0, 15),
        ends_at=at(congress, 0, 15, 30),
        all_rooms=False,
        rooms=[hall, third_room],  # columns 2 and 4: two bands, Room 101 between stays free
    )
    tomorrow = lunch(congress, alice, day=1, title="Tomorrow's lunch")
    client.force_login(pia)
    html = client.get(editor_url(congress)).content.decode()
    assert html.count(f'data-break="{everywhere.code}"') == 1
    assert "grid-column: 2 / 5" in html  # all three rooms
    assert "Lunch &lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert html.count(f'data-break="{coffee.code}"') == 2
    assert "grid-column: 2 / 3; grid-row" in html and "grid-column: 4 / 5; grid-row" in html
    assert f'data-break="{tomorrow.code}"' not in html
    # 08:00 is row 2 in 15-minute rows: 12:00 is row 18, 13:00 row 22
    assert "grid-row: 18 / 22" in html
    assert "12:00–13:00" in html


# --- contributions' speakers -------------------------------------------------------------


@pytest.fixture
def block_with_kenji(congress, alice, make_session, ana, kenji):
    """A paper session 14:00-15:30 in Hall A chaired by Ana, Kenji speaking in a contribution."""
    block = make_session(
        title="Paper session",
        start=(14, 0),
        minutes=90,
        speakers=[(ana, SpeakerRole.CHAIR)],
    )
    blocks.add_contribution(
        session=block, by=alice, title="Sponge city", minutes=20, speakers=[kenji]
    )
    return block


def test_a_contribution_speaker_is_booked_for_the_whole_block(
    congress, alice, make_session, small_room, kenji, block_with_kenji
):
    talk = make_session(title="Kenji's own talk", start=(9, 0), room=small_room)
    SessionSpeaker.objects.create(session=talk, speaker=kenji, role=SpeakerRole.SPEAKER)
    with pytest.raises(ScheduleConflict) as exc:
        # 15:00: after his 20 minutes, still inside the block
        place_session(
            session=talk, by=alice, room=small_room, start=naive(congress, 0, 15), minutes=30
        )
    assert {c.kind for c in exc.value.conflicts} == {ConflictKind.SPEAKER_DOUBLE_BOOKED}
    assert "山田 健二" in str(exc.value.message) and "Paper session" in str(exc.value.message)
    place_session(session=talk, by=alice, room=small_room, start=naive(congress, 0, 16), minutes=30)


def test_a_block_cannot_be_moved_onto_its_contribution_speakers_other_session(
    congress, alice, make_session, small_room, kenji, block_with_kenji
):
    make_session(
        title="Kenji elsewhere", start=(10, 0), room=small_room, speakers=[(kenji, "speaker")]
    )
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=block_with_kenji,
            by=alice,
            room=block_with_kenji.room,
            start=naive(congress, 0, 9, 30),
            minutes=90,
        )
    assert ConflictKind.SPEAKER_DOUBLE_BOOKED in {c.kind for c in exc.value.conflicts}
    assert "Kenji elsewhere" in str(exc.value.message)


def test_a_contribution_speakers_unavailable_time_refuses_the_block_there(
    congress, alice, hall, kenji, block_with_kenji
):
    add_unavailability(
        speaker=kenji,
        by=alice,
        starts_at=at(congress, 1, 9),
        ends_at=at(congress, 1, 12),
        note="flight",
    )
    with pytest.raises(ScheduleConflict) as exc:
        place_session(
            session=block_with_kenji, by=alice, room=hall, start=naive(congress, 1, 10), minutes=90
        )
    assert {c.kind for c in exc.value.conflicts} == {ConflictKind.SPEAKER_UNAVAILABLE}
    assert "flight" in str(exc.value.message)


def test_a_contribution_cannot_take_a_speaker_who_is_elsewhere_or_unavailable(
    congress, alice, make_session, small_room, ana, kenji, block_with_kenji
):
    busy = services.create_speaker(congress=congress, by=alice, name="Bea Busy")
    make_session(
        title="Bea's workshop", start=(15, 0), room=small_room, speakers=[(busy, "speaker")]
    )
    with pytest.raises(ScheduleConflict) as exc:
        blocks.add_contribution(
            session=block_with_kenji, by=alice, title="Late one", minutes=10, speakers=[busy]
        )
    assert "Bea's workshop" in str(exc.value.message)
    away = services.create_speaker(congress=congress, by=alice, name="Away")
    add_unavailability(
        speaker=away, by=alice, starts_at=at(congress, 0, 14), ends_at=at(congress, 0, 14, 30)
    )
    contribution = block_with_kenji.contributions.get()
    with pytest.raises(ScheduleConflict):
        blocks.update_contribution(contribution=contribution, by=alice, speakers=[kenji, away])
    assert list(contribution.speakers.all()) == [kenji]
    assert Contribution.objects.filter(session=block_with_kenji).count() == 1


def test_congress_conflicts_count_contribution_speakers(
    congress, alice, make_session, small_room, kenji, block_with_kenji
):
    other = make_session(title="Forced", start=(15, 0), room=small_room)
    # a clash made behind the rules' back (an import, the admin's force)
    SessionSpeaker.objects.create(session=other, speaker=kenji, role=SpeakerRole.SPEAKER)
    clashes = [
        c
        for c in services.congress_conflicts(congress)
        if c.kind == ConflictKind.SPEAKER_DOUBLE_BOOKED
    ]
    assert len(clashes) == 1 and "山田 健二" in clashes[0].message
    assert {clashes[0].session_code, clashes[0].other} == {other.code, block_with_kenji.code}
    assert any(c.kind == ConflictKind.SPEAKER_DOUBLE_BOOKED for c in check_session(other))


def test_a_speaker_of_the_session_and_of_its_contribution_is_not_a_clash(
    congress, alice, ana, block_with_kenji
):
    blocks.add_contribution(
        session=block_with_kenji, by=alice, title="Ana's paper", minutes=20, speakers=[ana]
    )
    assert not [c for c in check_session(block_with_kenji) if c.is_error]
    assert not [c for c in services.congress_conflicts(congress) if c.is_error]


# --- warnings on load --------------------------------------------------------------------


def test_the_page_shows_track_and_building_warnings_on_both_sessions_on_load(
    client, congress, alice, pia, make_session, hall, small_room, track, ana
):
    Room.objects.filter(pk=hall.pk).update(building="East wing")
    Room.objects.filter(pk=small_room.pk).update(building="West wing")
    one = make_session(title="One", start=(10, 0), track=track, speakers=[(ana, "speaker")])
    two = make_session(title="Two", start=(10, 0), minutes=30, room=small_room, track=track)
    three = make_session(title="Three", start=(11, 5), room=small_room, speakers=[(ana, "speaker")])
    client.force_login(pia)
    html = client.get(editor_url(congress)).content.decode()

    def notes(session):
        start = html.index(f'id="session-{session.code}"')
        card = html[start : html.index("</ul>", start)]
        return card

    assert "Track Climate clashes with itself" in notes(one)
    assert "Track Climate clashes with itself" in notes(two)
    assert "goes straight from" in notes(one) and "goes straight from" in notes(three)
    assert (
        "has-warning" in html[html.rindex("<div", 0, html.index(f'id="session-{one.code}"')) :][:80]
    )
    # the same words as after a move
    for session in (one, three):
        session.refresh_from_db()
        after = [c for c in check_session(session) if c.kind == ConflictKind.SPEAKER_BUILDINGS]
        assert after and all(escape(c.message) in notes(session) for c in after)


def _bulk(congress, rooms, track, n):
    speakers = Speaker.objects.bulk_create(
        Speaker(congress=congress, code=f"B{k:05d}", name=f"Bulk {k}") for k in range(n // 3 + 1)
    )
    sessions = []
    for k in range(n):
        day, rest = divmod(k, n // 4)
        start = at(congress, day % 4, 8) + dt.timedelta(minutes=30 * (rest // len(rooms)))
        queued = k % 25 == 0
        sessions.append(
            Session(
                congress=congress,
                code=f"Q{k:05d}",
                title=f"Bulk {k}",
                track=track,
                room=None if queued else rooms[rest % len(rooms)],
                unscheduled=queued,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=30),
                status="confirmed",
                languages=["en"],
            )
        )
    created = Session.objects.bulk_create(sessions)
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=s, speaker=speakers[k % len(speakers)], role="speaker")
        for k, s in enumerate(created)
    )
    contributions = Contribution.objects.bulk_create(
        Contribution(session=s, code=f"C{k:05d}", title="Part", minutes=10, position=0)
        for k, s in enumerate(created)
        if k % 5 == 0
    )
    Contribution.speakers.through.objects.bulk_create(
        Contribution.speakers.through(contribution=c, speaker=speakers[(k * 7) % len(speakers)])
        for k, c in enumerate(contributions)
    )


def test_the_editor_page_query_count_stays_fixed_at_1000_sessions_with_breaks_and_blocks(
    client, congress, alice, pia, venue, track, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rooms = list(
        Room.objects.bulk_create(
            Room(
                venue=venue,
                name=f"R{n}",
                capacity=100,
                building="East" if n % 2 else "West",
                position=n,
                opens_at=dt.time(8),
                closes_at=dt.time(20),
            )
            for n in range(12)
        )
    )
    for day in range(4):
        break_services.create_break(
            congress=congress,
            by=alice,
            title="Coffee",
            kind=BreakKind.COFFEE,
            starts_at=at(congress, day, 19, 30),
            ends_at=at(congress, day, 20),
            all_rooms=False,
            rooms=rooms[:3],
        )
    client.force_login(pia)
    _bulk(congress, rooms, track, 40)
    with CaptureQueriesContext(connection) as small:
        assert client.get(editor_url(congress)).status_code == 200
    Session.objects.filter(code__startswith="Q").delete()
    Speaker.objects.filter(code__startswith="B").delete()
    _bulk(congress, rooms, track, 1000)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(editor_url(congress))
    html = response.content.decode()
    assert html.count('class="ed-session') >= 240
    assert "Track Climate clashes with itself" in html
    assert html.count('data-break="') == 1


def test_the_contribution_form_shows_the_clash_of_a_busy_speaker(
    client, congress, alice, pia, make_session, small_room, block_with_kenji
):
    busy = services.create_speaker(congress=congress, by=alice, name="Bea <i>Busy</i>")
    make_session(
        title="Bea's workshop", start=(15, 0), room=small_room, speakers=[(busy, "speaker")]
    )
    client.force_login(pia)
    response = client.post(
        reverse(
            "agenda:manage_contribution_create",
            kwargs={"congress_slug": congress.slug, "code": block_with_kenji.code},
        ),
        {"title": "Late one", "abstract": "", "minutes": "10", "speakers": [busy.pk]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "two places at once" in page and "Bea &lt;i&gt;Busy&lt;/i&gt;" in page
    assert block_with_kenji.contributions.count() == 1
