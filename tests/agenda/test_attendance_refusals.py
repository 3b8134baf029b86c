"""Refusals at a session's door (no seat, may not enter, a code that opens nothing) are logged
and shown to the organiser on the session's attendance page, never with a working code."""

from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from sessions import services
from sessions.enums import DoorRefusal
from sessions.models import AttendanceRefusal, SessionAttendance
from sessions.services.attendance import scan_into_session
from tests.agenda.test_attendance import holder, scan_url, talk, workshop  # noqa: F401


def _list_url(congress, session):
    return reverse("agenda:attendance_list", args=[congress.slug, session.code])


def test_a_delegate_without_a_seat_is_logged_as_refused(congress, workshop, bob):  # noqa: F811
    seated, seated_code = holder(congress, email="seated@city.example")
    services.sign_up(delegate=seated, session=workshop)
    waiting, waiting_code = holder(congress, email="waiting@city.example")
    services.sign_up(delegate=waiting, session=workshop)
    scan_into_session(session=workshop, code=seated_code, by=bob)
    scan_into_session(session=workshop, code=waiting_code, by=bob)
    [refusal] = AttendanceRefusal.objects.all()
    assert (refusal.session, refusal.delegate, refusal.by) == (workshop, waiting, bob)
    assert refusal.reason == DoorRefusal.NO_SEAT
    assert waiting_code not in refusal.scanned and refusal.scanned == waiting_code[:4] + "…"
    entry = AuditEntry.objects.get(action="convene.agenda.attendance_refused")
    assert entry.data["reason"] == DoorRefusal.NO_SEAT
    assert waiting_code not in str(entry.data)


def test_unpaid_and_unknown_codes_are_logged_with_why(congress, other_congress, talk, bob):  # noqa: F811
    unpaid, unpaid_code = holder(congress, status=OrderStatus.PENDING_PAYMENT)
    _other, other_code = holder(other_congress)
    codes = [unpaid_code, other_code, "garbage", "\x00<b>", "ع" * 10_000]
    for code in codes:
        scan_into_session(session=talk, code=code, by=bob)
    refusals = list(AttendanceRefusal.objects.order_by("id"))
    assert [r.reason for r in refusals] == [DoorRefusal.NOT_ADMITTED] + [DoorRefusal.NOT_VALID] * 4
    assert refusals[0].delegate == unpaid
    assert refusals[1].delegate is None and refusals[1].scanned == other_code[:4] + "…"
    assert refusals[2].scanned == "garbage"
    assert refusals[3].scanned == "\ufffd<b>"
    assert len(refusals[4].scanned) == 200
    assert not SessionAttendance.objects.exists()


def test_a_delegate_who_came_in_is_not_a_refusal(congress, talk, bob):  # noqa: F811
    _delegate, code = holder(congress)
    scan_into_session(session=talk, code=code, by=bob)
    scan_into_session(session=talk, code=code, by=bob)  # "already in" is no refusal
    assert not AttendanceRefusal.objects.exists()


def test_the_organiser_sees_the_door_refusals_on_the_attendance_page(
    client,
    congress,
    talk,  # noqa: F811
    alice,
    bob,
    django_assert_max_num_queries,
):
    for n in range(60):
        scan_into_session(session=talk, code=f"<i>bad{n}</i>", by=bob)
    _unpaid, code = holder(
        congress, status=OrderStatus.PENDING_PAYMENT, given_name="Leila", family_name="Haddad"
    )
    scan_into_session(session=talk, code=code, by=bob)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(_list_url(congress, talk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="door-refusals"' in html
    assert "61 scans refused" in html and "The latest 50 are shown" in html
    assert "Leila Haddad" in html and "May not enter the congress" in html
    assert "&lt;i&gt;bad59&lt;/i&gt;" in html and "<i>bad" not in html
    assert "&lt;i&gt;bad9&lt;/i&gt;" not in html  # older than the latest 50
    assert "&lt;i&gt;bad11&lt;/i&gt;" in html
    assert code not in html


def test_the_door_page_logs_refusals_posted_to_it(client, congress, talk, bob):  # noqa: F811
    client.force_login(bob)
    response = client.post(scan_url(congress, talk), {"code": "nothing"})
    assert response.status_code == 409
    assert AttendanceRefusal.objects.get().by == bob
