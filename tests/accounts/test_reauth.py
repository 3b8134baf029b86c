"""Re-authentication: a stale sign-in must confirm the password before a sensitive action."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from events_site.accounts.reauth import SESSION_KEY, is_recently_authenticated, reauth_required
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@reauth_required
def _sensitive(request):
    return HttpResponse("done")


def _request_with_stamp(user, stamp):
    request = RequestFactory().get("/x/export/")
    request.user = user
    request.session = {} if stamp is None else {SESSION_KEY: stamp}
    return request


def test_a_fresh_sign_in_counts_as_recent(client):
    user = UserFactory(password="right-password-123")
    client.post("/accounts/login/", {"username": user.username, "password": "right-password-123"})
    assert isinstance(client.session[SESSION_KEY], int)


def test_a_stale_stamp_sends_the_person_to_confirm_their_password(settings):
    user = UserFactory()
    request = _request_with_stamp(user, int(time.time()) - settings.REAUTH_MAX_AGE - 5)
    response = _sensitive(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauth/?next=/x/export/")


def test_a_forged_stamp_of_the_wrong_type_is_not_recent():
    request = _request_with_stamp(UserFactory(), "9999999999")
    assert not is_recently_authenticated(request)


def test_a_recent_stamp_lets_the_view_run():
    request = _request_with_stamp(UserFactory(), int(time.time()))
    assert _sensitive(request).content == b"done"


def test_the_wrong_password_is_refused_beside_the_field(client):
    user = UserFactory(password="right-password-123")
    client.force_login(user)
    response = client.post("/accounts/reauth/", {"password": "wrong", "next": "/manage/"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()


def test_the_right_password_returns_to_a_local_page_only(client):
    user = UserFactory(password="right-password-123")
    client.force_login(user)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    response = client.post(
        "/accounts/reauth/", {"password": "right-password-123", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/manage/"
    assert isinstance(client.session[SESSION_KEY], int)
