"""The personal agenda: reached by the delegate's secret, marks, clashes, seats, waiting list,
and the private calendar feed behind a revocable token."""

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from registrations.enums import OrderStatus
from sessions import services
from sessions.enums import SessionFormat, SignupStatus
from sessions.errors import NotPublished, SignupRefused
from sessions.models import PersonalAgenda, SessionSignup
from tests.factories import DelegateFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(congress, alice, make_session, small_room, ana):
    sessions = {
        "heat": make_session(title="Heat plans", speakers=[(ana, "speaker")]),
        "clash": make_session(
            title="Overlapping", room=small_room, start=(10, 30), expected_attendance=10
        ),
        "workshop": make_session(
            title="Bond workshop", format=SessionFormat.WORKSHOP, capacity=1, room=small_room, day=1
        ),
        "draft": make_session(title="Draft", status="draft", day=2),
    }
    services.publish_schedule(congress=congress, by=alice)
    return sessions


def personal_url(delegate, name="agenda:personal", **extra):
    return reverse(
        name,
        kwargs={
            "congress_slug": delegate.order.congress.slug,
            "delegate_secret": delegate.secret,
            **extra,
        },
    )


def test_personal_agenda_is_reached_by_the_delegate_secret_only(client, delegate, programme):
    assert client.get(personal_url(delegate)).status_code == 200
    bad = reverse("agenda:personal", kwargs={"congress_slug": "wcg-2027", "delegate_secret": "x"})
    assert client.get(bad).status_code == 404


def test_secret_of_another_congress_is_404(client, delegate, other_congress, programme):
    url = reverse(
        "agenda:personal",
        kwargs={"congress_slug": other_congress.slug, "delegate_secret": delegate.secret},
    )
    assert client.get(url).status_code == 404


def test_marking_sessions_and_clash_warning(client, delegate, programme):
    for key in ("heat", "clash"):
        response = client.post(
            personal_url(delegate, "agenda:personal_mark", code=programme[key].code)
        )
        assert response.status_code == 302
    body = client.get(personal_url(delegate)).content.decode()
    assert "Clashes" in body and "“Heat plans” overlaps “Overlapping”" in body
    client.post(personal_url(delegate, "agenda:personal_unmark", code=programme["clash"].code))
    assert "Clashes" not in client.get(personal_url(delegate)).content.decode()


def test_unpublished_sessions_cannot_be_marked(delegate, programme):
    agenda = services.get_or_create_agenda(delegate=delegate)
    with pytest.raises(NotPublished):
        services.mark_session(agenda=agenda, session=programme["draft"])


def test_sign_up_gives_a_seat_then_the_waiting_list(congress, delegate, programme):
    other = DelegateFactory(order=OrderFactory(congress=congress))
    first = services.sign_up(delegate=delegate, session=programme["workshop"])
    second = services.sign_up(delegate=other, session=programme["workshop"])
    assert (first.status, second.status) == (SignupStatus.SEAT, SignupStatus.WAITING)
    assert services.sign_up(delegate=delegate, session=programme["workshop"]).pk == first.pk


def test_a_freed_seat_moves_the_waiting_list_up_and_mails_the_delegate(
    congress, delegate, programme, django_capture_on_commit_callbacks
):
    other = DelegateFactory(order=OrderFactory(congress=congress), email="next@city.example")
    services.sign_up(delegate=delegate, session=programme["workshop"])
    services.sign_up(delegate=other, session=programme["workshop"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_signup(delegate=delegate, session=programme["workshop"])
    assert [s.delegate_id for s in promoted] == [other.pk]
    assert SessionSignup.objects.get(delegate=other).status == SignupStatus.SEAT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["next@city.example"] and "Bond workshop" in message.subject
    assert other.secret in message.body


def test_only_valid_registrations_may_sign_up(congress, programme):
    cancelled = DelegateFactory(order=OrderFactory(congress=congress), is_cancelled=True)
    expired = DelegateFactory(order=OrderFactory(congress=congress, status=OrderStatus.EXPIRED))
    for person in (cancelled, expired):
        with pytest.raises(SignupRefused):
            services.sign_up(delegate=person, session=programme["workshop"])
    assert not SessionSignup.objects.exists()


def test_sessions_without_sign_up_refuse_sign_ups(delegate, programme):
    with pytest.raises(SignupRefused):
        services.sign_up(delegate=delegate, session=programme["heat"])


def test_sign_up_through_the_page(client, delegate, programme):
    response = client.post(
        personal_url(delegate, "agenda:personal_sign_up", code=programme["workshop"].code),
        follow=True,
    )
    assert "Your seat is booked" in response.content.decode()
    body = client.get(personal_url(delegate) + "?day=2027-05-11").content.decode()
    assert "Seat booked" in body


def test_personal_feed_lists_marked_and_signed_up_sessions(client, delegate, programme):
    agenda = services.get_or_create_agenda(delegate=delegate)
    services.mark_session(agenda=agenda, session=programme["heat"])
    services.sign_up(delegate=delegate, session=programme["workshop"])
    url = reverse("agenda:personal_ics", args=["wcg-2027", agenda.feed_token])
    response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert {str(e["summary"]) for e in events} == {"Heat plans", "Bond workshop"}
    page = client.get(personal_url(delegate)).content.decode()
    assert f"webcal://127.0.0.1:8000/wcg-2027/agenda/{agenda.feed_token}.ics" in page


def test_personal_feed_changes_its_etag_when_the_agenda_changes(client, delegate, programme):
    agenda = services.get_or_create_agenda(delegate=delegate)
    url = reverse("agenda:personal_ics", args=["wcg-2027", agenda.feed_token])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.mark_session(agenda=agenda, session=programme["heat"])
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_revoked_regenerated_and_unknown_tokens_all_give_the_same_404(client, delegate, programme):
    agenda = services.get_or_create_agenda(delegate=delegate)
    old = agenda.feed_token
    client.post(personal_url(delegate, "agenda:personal_regenerate_feed"))
    agenda.refresh_from_db()
    assert agenda.feed_token != old and len(agenda.feed_token) >= 43
    new_url = reverse("agenda:personal_ics", args=["wcg-2027", agenda.feed_token])
    assert client.get(new_url).status_code == 200
    gone = client.get(reverse("agenda:personal_ics", args=["wcg-2027", old]))
    unknown = client.get(reverse("agenda:personal_ics", args=["wcg-2027", "A" * 43]))
    assert gone.status_code == unknown.status_code == 404
    assert gone.content == unknown.content
    client.post(personal_url(delegate, "agenda:personal_revoke_feed"))
    assert client.get(new_url).status_code == 404
    assert PersonalAgenda.objects.get().feed_token is None
    wrong_congress = reverse("agenda:personal_ics", args=["other-2027", agenda.feed_token or "x"])
    assert client.get(wrong_congress).status_code == 404


def test_personal_page_queries_do_not_grow_with_the_agenda(
    client, delegate, programme, django_assert_max_num_queries
):
    agenda = services.get_or_create_agenda(delegate=delegate)
    services.mark_session(agenda=agenda, session=programme["heat"])
    services.mark_session(agenda=agenda, session=programme["clash"])
    with django_assert_max_num_queries(12):
        assert client.get(personal_url(delegate)).status_code == 200


def test_raising_the_capacity_moves_the_waiting_list_up(
    congress, alice, delegate, programme, django_capture_on_commit_callbacks
):
    other = DelegateFactory(order=OrderFactory(congress=congress))
    services.sign_up(delegate=delegate, session=programme["workshop"])
    services.sign_up(delegate=other, session=programme["workshop"])
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session=programme["workshop"], by=alice, capacity=2)
    assert SessionSignup.objects.get(delegate=other).status == SignupStatus.SEAT
    assert len(mail.outbox) == 1


def test_the_page_shows_the_place_on_the_waiting_list(client, congress, delegate, programme):
    for _ in range(2):
        services.sign_up(
            delegate=DelegateFactory(order=OrderFactory(congress=congress)),
            session=programme["workshop"],
        )
    services.sign_up(delegate=delegate, session=programme["workshop"])
    assert "Waiting list, position 2" in client.get(personal_url(delegate)).content.decode()


def test_viewing_the_personal_agenda_creates_no_row(client, delegate, programme):
    """A GET (or HEAD) only reads: the agenda row is made by the first POST that needs it."""
    url = personal_url(delegate)
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    assert not PersonalAgenda.objects.exists()
    body = client.get(url).content.decode()
    assert "You have no calendar address yet." in body and "webcal://" not in body

    client.post(personal_url(delegate, "agenda:personal_regenerate_feed"))
    agenda = PersonalAgenda.objects.get()
    assert agenda.feed_token
    assert f"/wcg-2027/agenda/{agenda.feed_token}.ics" in client.get(url).content.decode()


def test_a_get_leaves_the_row_count_unchanged_without_a_programme(client, delegate):
    before = PersonalAgenda.objects.count()
    assert client.get(personal_url(delegate)).status_code == 200
    assert PersonalAgenda.objects.count() == before == 0
