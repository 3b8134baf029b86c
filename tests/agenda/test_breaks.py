"""Breaks across rooms: the service refuses them over sessions and other breaks, copies them to
other days at the same wall-clock time (refusing a time that happens twice or never), and the
scheduling rules refuse a session over a break in its room; pages, feeds and permissions."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.enums import BreakKind, ConflictKind
from sessions.errors import InvalidProgrammeData, ScheduleConflict
from sessions.models import Break
from sessions.services import breaks as break_services
from sessions.services.scheduling import break_conflicts
from tests.factories import (
    CongressFactory,
    RoomFactory,
    TeamMembershipFactory,
    UserFactory,
    VenueFactory,
)

from .conftest import at

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def _lunch(congress, alice, *, day=0, rooms=None, **fields):
    fields.setdefault("title", "Lunch")
    return break_services.create_break(
        congress=congress,
        by=alice,
        kind=BreakKind.LUNCH,
        starts_at=at(congress, day, 12),
        ends_at=at(congress, day, 13),
        all_rooms=rooms is None,
        rooms=rooms or [],
        **fields,
    )


def test_a_session_cannot_be_placed_over_a_break_in_its_room(congress, alice, hall, make_session):
    _lunch(congress, alice)
    with pytest.raises(ScheduleConflict) as refused:
        make_session(start=(12, 30), minutes=60)
    assert refused.value.conflicts[0].kind == ConflictKind.BREAK_IN_ROOM
    assert "Lunch" in refused.value.conflicts[0].message


def test_a_break_of_some_rooms_leaves_the_others_free(
    congress, alice, hall, small_room, make_session
):
    _lunch(congress, alice, rooms=[hall])
    assert make_session(start=(12, 0), minutes=30, room=small_room).pk
    with pytest.raises(ScheduleConflict):
        make_session(start=(12, 0), minutes=30, room=hall)


def test_the_editor_asks_whether_a_room_is_free_of_breaks(congress, alice, hall, small_room):
    _lunch(congress, alice, rooms=[hall])
    taken = break_conflicts(congress, hall, at(congress, 0, 12, 30), at(congress, 0, 13, 30))
    assert [c.kind for c in taken] == [ConflictKind.BREAK_IN_ROOM]
    assert break_conflicts(congress, small_room, at(congress, 0, 12), at(congress, 0, 13)) == []
    assert break_conflicts(congress, hall, at(congress, 0, 13), at(congress, 0, 14)) == []
    assert break_conflicts(congress, None, at(congress, 0, 12), at(congress, 0, 13)) == []


def test_a_break_is_refused_over_a_session_and_over_another_break(
    congress, alice, hall, make_session
):
    make_session(start=(12, 30), minutes=30, title="Heat maps")
    with pytest.raises(ScheduleConflict) as refused:
        _lunch(congress, alice)
    assert "Heat maps" in refused.value.conflicts[0].message
    _lunch(congress, alice, day=1)
    with pytest.raises(ScheduleConflict):
        _lunch(congress, alice, day=1, title="Second lunch")
    assert Break.objects.count() == 1


def test_a_cancelled_session_does_not_block_a_break(congress, alice, hall, make_session):
    session = make_session(start=(12, 30), minutes=30)
    services.cancel_session(session=session, by=alice)
    assert _lunch(congress, alice).pk


def test_congress_conflicts_report_a_session_over_a_break(congress, alice, hall, make_session):
    session = make_session(start=(12, 30), minutes=30)
    Break.objects.create(
        congress=congress,
        code="BRK1",
        title="Coffee",
        starts_at=at(congress, 0, 12),
        ends_at=at(congress, 0, 13),
    )
    found = services.congress_conflicts(congress)
    assert any(
        c.kind == ConflictKind.BREAK_IN_ROOM and c.session_code == session.code for c in found
    )


def test_a_break_outside_the_congress_or_ending_before_it_starts_is_refused(congress, alice):
    with pytest.raises(ScheduleConflict):
        break_services.create_break(
            congress=congress,
            by=alice,
            title="Too late",
            starts_at=at(congress, 9, 12),
            ends_at=at(congress, 9, 13),
        )
    with pytest.raises(InvalidProgrammeData):
        break_services.create_break(
            congress=congress,
            by=alice,
            title="Backwards",
            starts_at=at(congress, 0, 13),
            ends_at=at(congress, 0, 12),
        )


def test_a_room_of_another_congress_is_refused(congress, alice, other_congress):
    elsewhere = RoomFactory(venue=VenueFactory(congress=other_congress))
    with pytest.raises(InvalidProgrammeData):
        _lunch(congress, alice, rooms=[elsewhere])


def test_copying_keeps_the_wall_clock_time_and_rooms_and_is_audited(
    congress, alice, hall, small_room
):
    lunch = _lunch(congress, alice, rooms=[hall])
    copies = break_services.copy_break(
        brk=lunch, days=[congress.days[1], congress.days[3]], by=alice
    )
    assert [c.starts_at for c in copies] == [at(congress, 1, 12), at(congress, 3, 12)]
    assert all(list(c.rooms.all()) == [hall] and not c.all_rooms for c in copies)
    entry = AuditEntry.objects.get(action="convene.agenda.break_copied")
    assert entry.data["days"] == [congress.days[1].isoformat(), congress.days[3].isoformat()]


def test_a_copy_over_a_session_refuses_the_whole_copy(congress, alice, hall, make_session):
    lunch = _lunch(congress, alice)
    make_session(day=2, start=(12, 15), minutes=30)
    with pytest.raises(ScheduleConflict):
        break_services.copy_break(brk=lunch, days=[congress.days[1], congress.days[2]], by=alice)
    assert Break.objects.count() == 1


def test_copying_to_its_own_day_or_outside_the_congress_is_refused(congress, alice):
    lunch = _lunch(congress, alice)
    for days in ([congress.days[0]], [congress.end_date + dt.timedelta(days=1)], []):
        with pytest.raises(InvalidProgrammeData):
            break_services.copy_break(brk=lunch, days=days, by=alice)


@pytest.fixture
def paris(db):
    # clocks go back on Sun 27 Oct 2024 at 03:00 CEST and forward on Sun 31 Mar 2024 at 02:00
    return CongressFactory(
        slug="paris-2024",
        start_date=dt.date(2024, 10, 25),
        end_date=dt.date(2024, 10, 28),
        time_zone="Europe/Paris",
    )


def test_a_copy_to_a_day_where_the_time_happens_twice_is_refused(paris, alice):
    night = break_services.create_break(
        congress=paris,
        by=alice,
        title="Night break",
        starts_at=dt.datetime(2024, 10, 26, 2, 15, tzinfo=paris.tz),
        ends_at=dt.datetime(2024, 10, 26, 2, 45, tzinfo=paris.tz),
    )
    with pytest.raises(InvalidProgrammeData) as refused:
        break_services.copy_break(brk=night, days=[dt.date(2024, 10, 27)], by=alice)
    assert "twice" in refused.value.message
    assert Break.objects.filter(congress=paris).count() == 1


def test_a_copy_to_a_day_where_the_time_never_happens_is_refused(db, alice):
    spring = CongressFactory(
        slug="spring-2024",
        start_date=dt.date(2024, 3, 30),
        end_date=dt.date(2024, 3, 31),
        time_zone="Europe/Paris",
    )
    night = break_services.create_break(
        congress=spring,
        by=alice,
        title="Night break",
        starts_at=dt.datetime(2024, 3, 30, 2, 15, tzinfo=spring.tz),
        ends_at=dt.datetime(2024, 3, 30, 2, 45, tzinfo=spring.tz),
    )
    with pytest.raises(InvalidProgrammeData) as refused:
        break_services.copy_break(brk=night, days=[dt.date(2024, 3, 31)], by=alice)
    assert "does not exist" in refused.value.message


# --- pages ---------------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "title": "Coffee",
        "kind": "coffee",
        "starts_at": "2027-05-10T10:30",
        "ends_at": "2027-05-10T11:00",
        "all_rooms": "on",
    }
    data.update(overrides)
    return data


def test_a_programme_organiser_adds_edits_copies_and_deletes_a_break(
    client, programme, congress, hall
):
    client.force_login(programme)
    response = client.post(_url("manage_break_create", congress), _form())
    assert response.status_code == 302
    brk = Break.objects.get()
    assert brk.starts_at == at(congress, 0, 10, 30) and brk.all_rooms
    response = client.post(
        _url("manage_break_edit", congress, break_code=brk.code),
        _form(title="Coffee and tea", all_rooms="", rooms=[hall.pk]),
    )
    assert response.status_code == 302
    brk.refresh_from_db()
    assert brk.title == "Coffee and tea" and list(brk.rooms.all()) == [hall]
    response = client.post(
        _url("manage_break_copy", congress, break_code=brk.code),
        {"days": [congress.days[1].isoformat()]},
    )
    assert response.status_code == 302 and Break.objects.count() == 2
    response = client.post(_url("manage_break_delete", congress, break_code=brk.code))
    assert response.status_code == 302 and Break.objects.count() == 1
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "convene.agenda.break_created",
        "convene.agenda.break_changed",
        "convene.agenda.break_copied",
        "convene.agenda.break_deleted",
    } <= actions


def test_the_form_shows_why_a_break_is_refused(client, programme, congress, make_session):
    make_session(start=(10, 0), minutes=60, title="Opening")
    client.force_login(programme)
    response = client.post(_url("manage_break_create", congress), _form())
    assert response.status_code == 200
    assert "Opening" in response.content.decode()
    assert not Break.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "x" * 10_000},
        {"title": ""},
        {"kind": "<script>"},
        {"starts_at": "2027-05-10T10:30\x00"},
        {"ends_at": "not a time"},
        {"all_rooms": "", "rooms": []},
        {"all_rooms": "", "rooms": ["999999"]},
    ],
)
def test_hostile_break_forms_are_refused(client, programme, congress, overrides):
    client.force_login(programme)
    response = client.post(_url("manage_break_create", congress), _form(**overrides))
    assert response.status_code in (200, 400)  # a NUL byte is refused before the view
    assert not Break.objects.exists()


def test_markup_and_other_scripts_in_a_title_are_kept_as_text(client, programme, congress):
    client.force_login(programme)
    title = "<b>Pause café</b> 午餐 \u202e استراحة"
    client.post(_url("manage_break_create", congress), _form(title=title))
    response = client.get(_url("manage_breaks", congress))
    assert "&lt;b&gt;Pause café&lt;/b&gt; 午餐" in response.content.decode()


def test_a_copy_to_a_day_not_offered_is_refused(client, programme, congress, alice):
    lunch = _lunch(congress, alice)
    client.force_login(programme)
    for day in (congress.days[0].isoformat(), "2030-01-01", "\x00", "x" * 5000):
        response = client.post(
            _url("manage_break_copy", congress, break_code=lunch.code), {"days": [day]}
        )
        assert response.status_code in (200, 400)
    assert Break.objects.count() == 1


def test_the_breaks_list_runs_in_a_fixed_number_of_queries(
    client, programme, congress, alice, hall, small_room, django_assert_max_num_queries
):
    for day in range(4):
        for hour in range(8, 18):
            break_services.create_break(
                congress=congress,
                by=alice,
                title=f"Break {day}-{hour}",
                starts_at=at(congress, day, hour),
                ends_at=at(congress, day, hour, 15),
                all_rooms=hour % 2 == 0,
                rooms=[] if hour % 2 == 0 else [hall, small_room],
            )
    client.force_login(programme)
    with django_assert_max_num_queries(12):
        response = client.get(_url("manage_breaks", congress))
    assert response.content.decode().count("Break 3-") == 10


def test_check_in_staff_and_outsiders_may_not_manage_breaks(client, bob, charlie, congress, alice):
    lunch = _lunch(congress, alice)
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(_url("manage_breaks", congress)).status_code == 403
        assert client.post(_url("manage_break_create", congress), _form()).status_code == 403
        response = client.post(_url("manage_break_delete", congress, break_code=lunch.code))
        assert response.status_code == 403
    assert Break.objects.count() == 1


def test_a_break_of_another_congress_is_not_found(client, alice, congress, other_congress):
    other = break_services.create_break(
        congress=other_congress,
        by=alice,
        title="Theirs",
        starts_at=at(other_congress, 0, 12),
        ends_at=at(other_congress, 0, 13),
    )
    client.force_login(alice)
    response = client.get(_url("manage_break_edit", congress, break_code=other.code))
    assert response.status_code == 404


# --- published -------------------------------------------------------------------------------


def test_a_published_break_shows_on_the_grid_and_in_the_feeds_and_changelog(
    client, congress, alice, hall, small_room, make_session
):
    make_session(start=(10, 0), minutes=60, room=hall)
    services.publish_schedule(congress=congress, by=alice)
    _lunch(congress, alice, rooms=[hall], title="Lunch on the terrace")
    version = services.publish_schedule(congress=congress, by=alice)
    assert [c["kind"] for c in version.changelog] == ["added"]
    assert version.changelog[0]["what"] == "break"
    page = client.get(_url("schedule", congress) + "?day=2027-05-10").content.decode()
    assert "Lunch on the terrace" in page and "agenda-break" in page
    changes = client.get(_url("changelog", congress)).content.decode()
    assert "Lunch on the terrace" in changes
    data = json.loads(client.get(_url("schedule_json", congress)).content)
    assert data["breaks"][0]["title"] == "Lunch on the terrace"
    assert data["breaks"][0]["rooms"] == [hall.pk]
    assert data["breaks"][0]["starts_at"].startswith("2027-05-10T12:00:00+09:00")
    root = ET.fromstring(client.get(_url("schedule_xml", congress)).content)  # noqa: S314 - our own output
    breaks = [e for e in root.iter("event") if e.findtext("type") == "break"]
    assert [(e.findtext("title"), e.findtext("room")) for e in breaks] == [
        ("Lunch on the terrace", "Hall A")
    ]


def test_moving_and_deleting_a_break_is_in_the_changelog_and_e_mails_nobody(
    congress, alice, hall, make_session, mailoutbox
):
    make_session(start=(10, 0), minutes=60)
    lunch = _lunch(congress, alice)
    services.publish_schedule(congress=congress, by=alice)
    break_services.update_break(
        brk=lunch, by=alice, starts_at=at(congress, 0, 12, 30), ends_at=at(congress, 0, 13, 30)
    )
    version = services.publish_schedule(congress=congress, by=alice)
    assert [c["kind"] for c in version.changelog] == ["moved"]
    break_services.delete_break(brk=lunch, by=alice)
    version = services.publish_schedule(congress=congress, by=alice)
    assert [c["kind"] for c in version.changelog] == ["cancelled"]
    assert mailoutbox == []
