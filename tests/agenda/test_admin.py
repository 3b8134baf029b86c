"""The admin: every agenda model has pages; saving goes through the scheduling rules."""

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import selectors, services
from sessions.enums import SessionFormat, SignupStatus
from sessions.models import Session, SessionSignup
from tests.factories import DelegateFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "session",
    "speaker",
    "track",
    "tag",
    "formatsetting",
    "scheduleversion",
    "personalagenda",
    "sessionsignup",
]


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelists_open(admin_client, model, make_session):
    make_session()
    assert admin_client.get(reverse(f"admin:agenda_{model}_changelist")).status_code == 200


def test_admin_refuses_a_double_booking_with_the_reason(admin_client, congress, hall, make_session):
    existing = make_session(title="Already here")
    response = admin_client.post(
        reverse("admin:agenda_session_add"),
        {
            "congress": congress.pk,
            "title": "Intruder",
            "format": "parallel",
            "status": "confirmed",
            "room": hall.pk,
            "starts_at_0": "2027-05-10",
            "starts_at_1": "01:00:00",
            "ends_at_0": "2027-05-10",
            "ends_at_1": "02:00:00",
            "languages": "[]",
            "interpretation_languages": "[]",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert existing.code in response.content.decode()
    assert Session.objects.count() == 1


def test_sessions_cannot_be_deleted_in_the_admin(admin_client, make_session):
    session = make_session()
    url = reverse("admin:agenda_session_delete", args=[session.pk])
    assert admin_client.get(url).status_code == 403


def test_admin_cannot_assign_speakers_around_the_clash_rule(admin_client, make_session):
    """Speakers are assigned where the rules run (organiser pages, API); the admin only shows
    them, so a speaker cannot be put in two places at once through it."""
    from django.contrib.admin.sites import site

    from sessions.admin import SessionSpeakerInline
    from sessions.models import Session as SessionModel

    session = make_session()
    request = admin_client.get(
        reverse("admin:agenda_session_change", args=[session.pk])
    ).wsgi_request
    assert (
        admin_client.get(reverse("admin:agenda_session_change", args=[session.pk])).status_code
        == 200
    )
    inline = SessionSpeakerInline(SessionModel, site)
    assert not inline.has_add_permission(request, session)
    assert not inline.has_change_permission(request, session)
    assert not inline.has_delete_permission(request, session)


def test_deleting_a_seat_in_the_admin_gives_it_to_the_waiting_list_and_is_audited(
    admin_client, congress, alice, make_session, delegate, django_capture_on_commit_callbacks
):
    workshop = make_session(
        title="Bond workshop", format=SessionFormat.WORKSHOP, capacity=1, expected_attendance=1
    )
    services.publish_schedule(congress=congress, by=alice)
    seat = services.sign_up(delegate=delegate, session=workshop)
    other = DelegateFactory(order=OrderFactory(congress=congress), email="next@city.example")
    services.sign_up(delegate=other, session=workshop)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:agenda_sessionsignup_delete", args=[seat.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert SessionSignup.objects.get(delegate=other).status == SignupStatus.SEAT
    entry = AuditEntry.objects.get(action="convene.agenda.signup_cancelled")
    assert entry.actor.username == "root" and entry.data["delegate"] == delegate.pk
    assert AuditEntry.objects.filter(action="convene.agenda.waiting_list_promoted").exists()


def test_admin_saves_a_format_setting_through_the_service(admin_client, congress):
    response = admin_client.post(
        reverse("admin:agenda_formatsetting_add"),
        {"congress": congress.pk, "format": "plenary", "default_minutes": "70"},
    )
    assert response.status_code == 302
    assert selectors.default_duration(congress, "plenary").total_seconds() == 70 * 60
    assert AuditEntry.objects.filter(action="convene.agenda.format_changed").exists()
