"""Scanning delegates into a session's room: once per person, seats only where the session
limits its sign-ups, refusals with reasons; the attendance list for organisers."""

import pytest
from django.urls import reverse

from badges import services as badge_services
from registrations.enums import OrderStatus
from sessions import services
from sessions.enums import SessionFormat
from sessions.models import SessionAttendance
from sessions.services.attendance import AttendanceRefused, AttendanceVerdict, scan_into_session
from tests.factories import DelegateFactory, OrderFactory


def holder(congress, status=OrderStatus.PAID, **fields):
    delegate = DelegateFactory(order=OrderFactory(congress=congress, status=status), **fields)
    return delegate, badge_services.badge_for(delegate=delegate).secret


@pytest.fixture
def talk(make_session):
    return make_session(title="Heat plans", attendance_scanning=True)


@pytest.fixture
def workshop(congress, alice, make_session):
    session = make_session(
        title="Bond workshop",
        format=SessionFormat.WORKSHOP,
        capacity=1,
        expected_attendance=1,
        attendance_scanning=True,
    )
    services.publish_schedule(congress=congress, by=alice)
    return session


def scan_url(congress, session):
    return reverse("agenda:attendance_scan", args=[congress.slug, session.code])


def test_a_delegate_comes_in_once_and_a_second_scan_says_already_in(congress, talk, bob):
    delegate, code = holder(congress)
    first = scan_into_session(session=talk, code=code, by=bob)
    again = scan_into_session(session=talk, code=code, by=bob)
    assert first.verdict == AttendanceVerdict.CAME_IN and first.delegate == delegate
    assert again.verdict == AttendanceVerdict.ALREADY_IN
    assert again.attendance.pk == first.attendance.pk
    assert SessionAttendance.objects.filter(session=talk).count() == 1


def test_a_session_with_seats_refuses_those_without_one(congress, workshop, bob):
    seated, seated_code = holder(congress, email="seated@city.example")
    services.sign_up(delegate=seated, session=workshop)
    waiting, waiting_code = holder(congress, email="waiting@city.example")
    services.sign_up(delegate=waiting, session=workshop)  # the waiting list: no seat
    _nobody, nobody_code = holder(congress, email="nobody@city.example")
    assert scan_into_session(session=workshop, code=seated_code, by=bob).verdict == "came_in"
    for code in (waiting_code, nobody_code):
        result = scan_into_session(session=workshop, code=code, by=bob)
        assert result.verdict == AttendanceVerdict.REFUSED and "No seat" in result.reason
    assert SessionAttendance.objects.filter(session=workshop).count() == 1


def test_unpaid_and_unknown_badges_are_refused(congress, other_congress, talk, bob):
    _unpaid, unpaid_code = holder(congress, status=OrderStatus.PENDING_PAYMENT)
    _other, other_code = holder(other_congress)
    for code in (unpaid_code, other_code, "garbage", "\x00" * 3, "x" * 10_000, "<b>"):
        assert scan_into_session(session=talk, code=code, by=bob).verdict == "refused"
    assert not SessionAttendance.objects.exists()


def test_a_session_without_room_scanning_refuses_scans(congress, make_session, bob):
    session = make_session(title="Plenary")
    _delegate, code = holder(congress)
    with pytest.raises(AttendanceRefused):
        scan_into_session(session=session, code=code, by=bob)


def test_check_in_staff_scan_at_the_door_page(client, congress, talk, bob):
    delegate, code = holder(congress, given_name="Leila", family_name="Haddad")
    client.force_login(bob)
    assert client.get(scan_url(congress, talk)).status_code == 200
    response = client.post(scan_url(congress, talk), {"code": code})
    html = response.content.decode()
    assert response.status_code == 200 and "COME IN" in html and "Leila Haddad" in html
    html = client.post(scan_url(congress, talk), {"code": code}).content.decode()
    assert "ALREADY IN" in html
    response = client.post(scan_url(congress, talk), {"code": "<script>x</script>"})
    assert response.status_code == 409 and "<script>x" not in response.content.decode()


def test_the_door_page_of_a_session_without_scanning_is_not_found(
    client, congress, make_session, bob
):
    session = make_session(title="Plenary")
    client.force_login(bob)
    assert client.get(scan_url(congress, session)).status_code == 404


def test_organisers_read_the_attendance_list_in_few_queries(
    client, congress, talk, alice, bob, django_assert_max_num_queries
):
    for n in range(40):
        _delegate, code = holder(congress, family_name=f"Guest{n}", email=f"g{n}@city.example")
        scan_into_session(session=talk, code=code, by=bob)
    client.force_login(alice)
    url = reverse("agenda:attendance_list", args=[congress.slug, talk.code])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and html.count("Guest") == 40
    assert congress.time_zone in html


def test_check_in_staff_cannot_read_the_attendance_list(client, congress, talk, bob):
    client.force_login(bob)
    url = reverse("agenda:attendance_list", args=[congress.slug, talk.code])
    assert client.get(url).status_code == 403


def test_outsiders_cannot_scan_into_a_room(client, congress, talk, charlie):
    _delegate, code = holder(congress)
    client.force_login(charlie)
    response = client.post(scan_url(congress, talk), {"code": code})
    assert response.status_code in (403, 404)
    assert not SessionAttendance.objects.exists()
