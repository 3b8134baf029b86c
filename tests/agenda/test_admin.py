"""The admin: every agenda model has pages; saving goes through the scheduling rules."""

import pytest
from django.urls import reverse

from sessions.models import Session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["session", "speaker", "track", "scheduleversion", "personalagenda", "sessionsignup"]


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
            "tags": "[]",
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
