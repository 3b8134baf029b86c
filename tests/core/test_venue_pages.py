"""The owner's venue and room pages: add, edit, order, delete, without the admin."""

import datetime as dt

import pytest
from django.urls import reverse

from events_site.congresses import services
from events_site.congresses.edit_conflicts import fingerprint
from events_site.congresses.models import AuditEntry, Room, Venue
from sessions import services as agenda_services
from sessions.enums import SessionFormat, SessionStatus
from tests.factories import RoomFactory, TeamMembershipFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"congresses:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def venue(congress):
    return VenueFactory(congress=congress, name="Centre")


def _room_form(**overrides):
    data = {
        "name": "Hall A",
        "floor": "1",
        "capacity": "800",
        "accessibility_notes": "Step-free; hearing loop",
        "opens_at": "08:00",
        "closes_at": "19:00",
    }
    data.update(overrides)
    return data


def test_an_owner_adds_a_venue_and_a_room(client, alice, congress):
    client.force_login(alice)
    response = client.post(
        _url("venue_new", congress), {"name": "ICC", "city": "Daejeon", "country": "KR"}
    )
    assert response.status_code == 302
    venue = Venue.objects.get(congress=congress, name="ICC")
    response = client.post(_url("room_new", congress, venue_id=venue.pk), _room_form())
    assert response.status_code == 302
    room = Room.objects.get(venue=venue)
    assert (room.capacity, room.opens_at) == (800, dt.time(8, 0))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"convene.venue.created", "convene.room.created"} <= actions


def test_the_list_shows_every_room_in_a_fixed_number_of_queries(
    client, alice, congress, django_assert_max_num_queries
):
    for v in range(5):
        venue = VenueFactory(congress=congress, name=f"Venue {v}")
        for r in range(20):
            RoomFactory(venue=venue, name=f"Room {v}-{r}", position=r)
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(_url("venues", congress))
    page = response.content.decode()
    assert page.count('class="order-buttons"') == 100
    assert congress.time_zone in page
    assert "/admin/" not in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-5"}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"opens_at": "19:00", "closes_at": "08:00"}, "closes_at"),
        ({"opens_at": "25:00"}, "opens_at"),
        ({"name": "Hall\x00"}, None),  # the middleware's 400
        ({"name": "Hall\x1b[31m"}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"accessibility_notes": "y" * 10_000}, "accessibility_notes"),
    ],
)
def test_bad_room_input_is_refused_beside_the_field(
    client, alice, congress, venue, overrides, field
):
    client.force_login(alice)
    response = client.post(_url("room_new", congress, venue_id=venue.pk), _room_form(**overrides))
    if field is None:
        assert response.status_code == 400
    else:
        assert response.status_code == 200
        assert field in response.context["form"].errors
    assert not Room.objects.filter(venue=venue).exists()


def test_a_duplicate_room_name_in_the_venue_is_refused(client, alice, congress, venue):
    RoomFactory(venue=venue, name="Hall A")
    client.force_login(alice)
    response = client.post(_url("room_new", congress, venue_id=venue.pk), _room_form(name="hall a"))
    assert "name" in response.context["form"].errors


def test_markup_and_scripts_are_kept_and_escaped(client, alice, congress, venue):
    client.force_login(alice)
    name = "<img src=x onerror=alert(1)> قاعة 会议室"
    client.post(_url("room_new", congress, venue_id=venue.pk), _room_form(name=name))
    page = client.get(_url("venues", congress)).content.decode()
    assert Room.objects.filter(name=name).exists()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; قاعة 会议室" in page


def test_rooms_move_up_and_down(client, alice, congress, venue):
    a, b, c = (RoomFactory(venue=venue, name=n, position=0) for n in "ABC")
    client.force_login(alice)
    client.post(_url("room_move", congress, room_id=c.pk), {"direction": "up"})
    order = list(venue.rooms.order_by("position").values_list("name", flat=True))
    assert order == ["A", "C", "B"]
    client.post(_url("room_move", congress, room_id=a.pk), {"direction": "up"})  # already first
    client.post(_url("room_move", congress, room_id=a.pk), {"direction": "down"})
    order = list(venue.rooms.order_by("position").values_list("name", flat=True))
    assert order == ["C", "A", "B"]
    response = client.post(_url("room_move", congress, room_id=a.pk), {"direction": "sideways"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="convene.room.moved").count() == 2


def test_a_new_room_goes_last(congress, venue):
    services.add_room(venue=venue, name="First", capacity=10)
    services.add_room(venue=venue, name="Second", capacity=10)
    assert list(venue.rooms.values_list("name", flat=True)) == ["First", "Second"]


def test_the_later_of_two_edits_is_refused(client, alice, congress, venue):
    room = RoomFactory(venue=venue, name="Hall A", capacity=100)
    client.force_login(alice)
    version = (
        client.get(_url("room_edit", congress, room_id=room.pk))
        .context["form"]
        .initial["fingerprint"]
    )
    services.update_room(room=room, capacity=120)
    response = client.post(
        _url("room_edit", congress, room_id=room.pk),
        _room_form(capacity="90", fingerprint=version),
    )
    assert "Someone else changed this" in response.content.decode()
    room.refresh_from_db()
    assert room.capacity == 120


def test_an_edit_with_the_current_version_saves_and_is_audited(client, alice, congress, venue):
    room = RoomFactory(venue=venue, name="Hall A", capacity=100)
    client.force_login(alice)
    response = client.post(
        _url("room_edit", congress, room_id=room.pk),
        _room_form(capacity="90", fingerprint=fingerprint(room, services.ROOM_FIELDS)),
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="convene.room.updated")
    assert entry.data["changed"]["capacity"] == ["100", "90"]


def test_a_room_with_sessions_cannot_be_deleted(client, alice, congress, venue):
    room = RoomFactory(venue=venue, name="Hall A", capacity=100)
    starts = dt.datetime.combine(congress.start_date, dt.time(10), tzinfo=congress.tz)
    agenda_services.create_session(
        congress=congress,
        by=alice,
        title="Urban heat",
        room=room,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=SessionStatus.CONFIRMED,
        format=SessionFormat.PARALLEL,
        languages=["en"],
        speakers=[],
    )
    client.force_login(alice)
    response = client.post(_url("room_delete", congress, room_id=room.pk), follow=True)
    assert "1 session is placed in this room: move it first." in response.content.decode()
    assert Room.objects.filter(pk=room.pk).exists()
    assert not AuditEntry.objects.filter(action="convene.room.deleted").exists()
    response = client.post(_url("venue_delete", congress, venue_id=venue.pk), follow=True)
    assert "placed in a room of this venue" in response.content.decode()
    assert Venue.objects.filter(pk=venue.pk).exists()


def test_an_empty_venue_is_deleted_after_confirmation(client, alice, congress, venue):
    RoomFactory(venue=venue, name="Hall A")
    client.force_login(alice)
    assert client.get(_url("venue_delete", congress, venue_id=venue.pk)).status_code == 200
    client.post(_url("venue_delete", congress, venue_id=venue.pk))
    assert not Venue.objects.filter(pk=venue.pk).exists()
    assert AuditEntry.objects.get(action="convene.venue.deleted").data["rooms"] == ["Hall A"]


@pytest.mark.parametrize("role", ["programme", "registration", "finance", "checkin"])
def test_narrower_roles_are_refused(client, congress, venue, role):
    user = UserFactory(username=f"only-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(_url("venues", congress)).status_code == 403
    assert client.post(_url("venue_new", congress), {"name": "X"}).status_code == 403
    assert not Venue.objects.filter(name="X").exists()


def test_objects_of_another_congress_are_not_found(client, alice, congress, other_congress):
    theirs = VenueFactory(congress=other_congress, name="Theirs")
    their_room = RoomFactory(venue=theirs, name="Their hall")
    client.force_login(alice)
    assert client.get(_url("venue_edit", congress, venue_id=theirs.pk)).status_code == 404
    assert client.get(_url("room_new", congress, venue_id=theirs.pk)).status_code == 404
    assert client.get(_url("room_edit", congress, room_id=their_room.pk)).status_code == 404
    assert client.post(_url("room_delete", congress, room_id=their_room.pk)).status_code == 404
    assert client.post(_url("room_move", congress, room_id=their_room.pk)).status_code == 404
    assert Room.objects.filter(pk=their_room.pk).exists()


def test_the_owner_of_another_congress_is_refused(client, charlie, congress, venue):
    client.force_login(charlie)
    assert client.get(_url("venue_edit", congress, venue_id=venue.pk)).status_code == 403


def test_a_room_made_too_small_for_its_sessions_warns_the_organiser(client, alice, congress, venue):
    room = RoomFactory(venue=venue, name="Hall A", capacity=300)
    starts = dt.datetime.combine(congress.start_date, dt.time(10), tzinfo=congress.tz)
    agenda_services.create_session(
        congress=congress,
        by=alice,
        title="Urban heat",
        room=room,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=SessionStatus.CONFIRMED,
        format=SessionFormat.PARALLEL,
        languages=["en"],
        expected_attendance=200,
        speakers=[],
    )
    client.force_login(alice)
    response = client.post(
        _url("room_edit", congress, room_id=room.pk),
        _room_form(
            name="Hall A", capacity="50", fingerprint=fingerprint(room, services.ROOM_FIELDS)
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "Room Hall A seats 50 but" in page
    room.refresh_from_db()
    assert room.capacity == 50  # reported, not refused
