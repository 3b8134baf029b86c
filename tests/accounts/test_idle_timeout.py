"""Idle timeout: an organiser or staff session ends after ORGANISER_IDLE_TIMEOUT seconds
without a request, and the sign-in page says why; everyone else keeps the session.

Time moves by moving every tracked session's times back (what the middleware reads), not by
patching the clock: a patched ``time.time`` captured by a module imported meanwhile (DRF's
throttles keep ``timer = time.time``) would outlive the test."""

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client

from events_site.accounts.models import UserSession
from events_site.congresses.models import AuditEntry
from events_site.congresses.sign_in_history import SIGNED_OUT
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


class Clock:
    def tick(self, delta: dt.timedelta) -> None:
        UserSession.objects.update(
            created_at=F("created_at") - delta, last_seen_at=F("last_seen_at") - delta
        )


@pytest.fixture
def clock():
    return Clock()


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    assert client.get("/manage/").status_code == 200
    return client


def test_an_organiser_idle_past_the_timeout_is_signed_out_and_told_why(clock, alice):
    client = signed_in_client(alice)
    clock.tick(31 * MINUTE)
    response = client.get("/manage/?tab=1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/manage/%3Ftab%3D1"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(actor=alice, action=SIGNED_OUT)
    assert entry.data["reason"] == "idle"
    assert "inactivity" in _history_html(alice)


def _history_html(user):
    client = Client()
    client.force_login(user)
    return client.get("/accounts/activity/").content.decode()


def test_an_organiser_who_keeps_working_stays_signed_in(clock, alice):
    client = signed_in_client(alice)
    for _ in range(8):
        clock.tick(10 * MINUTE)
        assert client.get("/manage/").status_code == 200


def test_staff_without_a_team_role_are_timed_out_too(clock):
    staff = UserFactory(username="sam", is_staff=True)
    client = signed_in_client(staff)
    clock.tick(31 * MINUTE)
    assert client.get("/manage/").status_code == 302


def test_a_person_without_an_organiser_role_keeps_the_session(clock, db):
    person = UserFactory(username="pat")
    client = signed_in_client(person)
    clock.tick(dt.timedelta(hours=5))
    assert client.get("/manage/").status_code == 200


def test_a_person_added_to_a_team_gets_the_timeout_within_a_minute(clock, congress):
    person = UserFactory(username="newcomer")
    client = signed_in_client(person)
    TeamMembershipFactory(congress=congress, user=person, role="checkin")
    clock.tick(2 * MINUTE)
    assert client.get("/manage/").status_code == 200  # seen: now an organiser session
    clock.tick(31 * MINUTE)
    assert client.get("/manage/").status_code == 302


def test_the_timeout_is_a_setting(clock, alice, settings):
    settings.ORGANISER_IDLE_TIMEOUT = 5 * 60
    client = signed_in_client(alice)
    clock.tick(4 * MINUTE)
    assert client.get("/manage/").status_code == 200
    clock.tick(6 * MINUTE)
    response = client.get("/manage/")
    assert response.status_code == 302
    assert "after 5 minutes" in client.get(response["Location"]).content.decode()


def test_an_idle_organiser_on_the_api_gets_the_anonymous_answer_not_a_redirect(
    clock, alice, congress
):
    client = signed_in_client(alice)
    clock.tick(31 * MINUTE)
    response = client.get(f"/api/v1/congresses/{congress.slug}/venues/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_visitors_without_an_account_are_unaffected(clock, client, db):
    assert client.get("/").status_code == 200
    clock.tick(dt.timedelta(hours=2))
    assert client.get("/").status_code == 200
