"""Booking from the personal agenda: the clash is told before booking, two capacity-limited
sessions at the same time are refused, unpaid orders book seats only when the congress allows
it, and the page comes back where the delegate was (day, filters, the session's anchor)."""

import datetime as dt

import pytest
from django.urls import reverse

from registrations.enums import OrderStatus
from sessions import services
from sessions.enums import SessionFormat, SignupStatus
from sessions.errors import SignupRefused
from sessions.models import SessionSignup
from tests.factories import DelegateFactory, OrderFactory, RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(congress, alice, make_session, small_room, venue, ana):
    terrace = RoomFactory(
        venue=venue, name="Terrace", capacity=30, opens_at=dt.time(9), closes_at=dt.time(18)
    )
    sessions = {
        "talk": make_session(title="Heat plans", speakers=[(ana, "speaker")]),
        "workshop": make_session(
            title="Bond workshop", format=SessionFormat.WORKSHOP, capacity=5, room=small_room
        ),
        "visit": make_session(
            title="Harbour visit",
            format=SessionFormat.SITE_VISIT,
            capacity=5,
            start=(10, 30),
            minutes=90,
            room=terrace,
        ),
        "later": make_session(
            title="Flood workshop",
            format=SessionFormat.WORKSHOP,
            capacity=5,
            room=small_room,
            start=(11, 0),
        ),
    }
    services.publish_schedule(congress=congress, by=alice)
    return sessions


def url(delegate, name="agenda:personal", **extra):
    return reverse(
        name,
        kwargs={
            "congress_slug": delegate.order.congress.slug,
            "delegate_secret": delegate.secret,
            **extra,
        },
    )


def test_a_seat_in_an_overlapping_limited_session_is_refused_with_its_title(delegate, programme):
    services.sign_up(delegate=delegate, session=programme["workshop"])
    with pytest.raises(SignupRefused) as refused:
        services.sign_up(delegate=delegate, session=programme["visit"])
    assert "Bond workshop" in str(refused.value.message)
    assert list(SessionSignup.objects.values_list("session__title", flat=True)) == ["Bond workshop"]


def test_a_session_that_starts_when_the_other_ends_is_no_clash(delegate, programme):
    services.sign_up(delegate=delegate, session=programme["workshop"])
    later = services.sign_up(delegate=delegate, session=programme["later"])
    assert later.status == SignupStatus.SEAT


def test_a_waiting_place_also_blocks_an_overlapping_seat(congress, delegate, programme):
    full = programme["workshop"]
    for _n in range(5):
        services.sign_up(
            delegate=DelegateFactory(order=OrderFactory(congress=congress)), session=full
        )
    assert services.sign_up(delegate=delegate, session=full).status == SignupStatus.WAITING
    with pytest.raises(SignupRefused):
        services.sign_up(delegate=delegate, session=programme["visit"])


def test_giving_up_the_seat_lets_the_delegate_book_the_other(delegate, programme):
    services.sign_up(delegate=delegate, session=programme["workshop"])
    services.cancel_signup(delegate=delegate, session=programme["workshop"])
    assert services.sign_up(delegate=delegate, session=programme["visit"]).status == "seat"


@pytest.mark.parametrize("status", [OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_APPROVAL])
def test_unpaid_orders_book_no_limited_seat_by_default(congress, programme, status):
    unpaid = DelegateFactory(order=OrderFactory(congress=congress, status=status))
    assert congress.unpaid_may_book_seats is False
    with pytest.raises(SignupRefused) as refused:
        services.sign_up(delegate=unpaid, session=programme["workshop"])
    assert "paid" in str(refused.value.message)
    assert not SessionSignup.objects.exists()


def test_unpaid_orders_book_seats_when_the_organiser_allows_it(congress, programme):
    congress.unpaid_may_book_seats = True
    congress.save()
    unpaid = DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PENDING_PAYMENT)
    )
    assert services.sign_up(delegate=unpaid, session=programme["workshop"]).status == "seat"


def test_the_page_tells_an_unpaid_delegate_why_there_is_no_sign_up_button(
    client, congress, programme
):
    unpaid = DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PENDING_PAYMENT)
    )
    body = client.get(url(unpaid)).content.decode()
    assert "can be booked once your registration is paid" in body
    assert url(unpaid, "agenda:personal_sign_up", code=programme["workshop"].code) not in body


def test_the_setting_is_on_the_congress_form(client, congress, alice):
    client.force_login(alice)
    page = client.get(reverse("congresses:settings", kwargs={"congress_slug": congress.slug}))
    assert 'name="unpaid_may_book_seats"' in page.content.decode()


def test_the_list_warns_of_an_overlap_before_booking(client, delegate, programme):
    services.mark_session(
        agenda=services.get_or_create_agenda(delegate=delegate), session=programme["talk"]
    )
    body = client.get(url(delegate)).content.decode()
    assert body.count("Overlaps with Heat plans") == 2  # the workshop and the visit
    later = body.index('id="choose-' + programme["later"].code + '"')
    assert "Overlaps with" not in body[later:]


def test_booking_comes_back_to_the_session_with_the_filters(client, delegate, programme):
    code = programme["visit"].code
    back = "day=2027-05-10&format=site_visit&q=harbour&page=1&evil=%3Cscript%3E"
    response = client.post(url(delegate, "agenda:personal_sign_up", code=code), {"back": back})
    assert response.status_code == 302
    location = response["Location"]
    assert location.endswith(f"#choose-{code}")
    assert "format=site_visit" in location and "q=harbour" in location
    assert "day=2027-05-10" in location and "evil" not in location
    page = client.get(location.split("#")[0])
    assert f'id="choose-{code}"' in page.content.decode()


@pytest.mark.parametrize("back", ["q=" + "x" * 10_000, "page=abc", "%%%", "q=%00"])
def test_a_bad_back_field_still_books_and_returns_to_the_page(client, delegate, programme, back):
    code = programme["visit"].code
    response = client.post(
        url(delegate, "agenda:personal_mark", code=programme["talk"].code), {"back": back}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url(delegate))
    assert "page=abc" not in response["Location"]
    assert code not in response["Location"]


def test_a_refused_clash_comes_back_with_the_message(client, delegate, programme):
    services.sign_up(delegate=delegate, session=programme["workshop"])
    response = client.post(
        url(delegate, "agenda:personal_sign_up", code=programme["visit"].code), follow=True
    )
    assert "You already have a place in “Bond workshop”" in response.content.decode()


def test_my_sessions_show_day_date_time_and_zone(client, congress, delegate, programme):
    services.mark_session(
        agenda=services.get_or_create_agenda(delegate=delegate), session=programme["talk"]
    )
    body = client.get(url(delegate)).content.decode()
    mine = body[body.index("My sessions") : body.index("Subscribe in your calendar")]
    start = programme["talk"].starts_at.astimezone(congress.tz)
    assert start.strftime("%a %-d %b, %H:%M") in mine
    assert congress.time_zone in mine
