"""Sessions per person: each signed-in browser is listed (this one marked), and "sign out
everywhere (else)" really ends the other browsers' sessions, with any session engine state and
with the cache down."""

import pytest
from django.test import Client
from django.urls import reverse

from events_site.accounts.models import UserSession
from events_site.accounts.user_sessions import TOKEN_KEY
from events_site.congresses.models import AuditEntry
from events_site.congresses.sign_in_history import SIGNED_OUT_EVERYWHERE
from tests.accounts.conftest import CHROME, FIREFOX, PASSWORD, sign_in

pytestmark = pytest.mark.django_db

ACTIVITY = "/accounts/activity/"
SIGN_OUT = "/accounts/activity/sign-out/"


@pytest.fixture
def laptop(dora):
    client = Client(HTTP_USER_AGENT=FIREFOX)
    sign_in(client, "dora", address="198.51.100.1", agent=FIREFOX)
    return client


@pytest.fixture
def phone(dora):
    client = Client(HTTP_USER_AGENT=CHROME)
    sign_in(client, "dora", address="198.51.100.2", agent=CHROME)
    return client


def test_each_signed_in_browser_is_listed_and_this_one_is_marked(laptop, phone, dora):
    response = laptop.get(ACTIVITY)
    rows = response.context["sessions"]
    assert len(rows) == 2
    marked = [row for row, this in rows if this]
    assert [row.browser for row in marked] == ["Firefox 133 on Linux"]
    html = response.content.decode()
    assert "Chrome 131 on Windows" in html and "198.51.100.2" in html
    assert "this browser" in html


def test_the_table_keeps_only_a_hash_of_the_session_token(laptop, dora):
    token = laptop.session[TOKEN_KEY]
    row = UserSession.objects.get(user=dora)
    assert token not in row.token_hash
    assert laptop.session.session_key not in row.token_hash


def test_sign_out_everywhere_else_ends_the_other_browser_and_keeps_this_one(laptop, phone, dora):
    assert phone.get("/manage/").status_code == 200
    response = laptop.post(SIGN_OUT, {"scope": "others"})
    assert response.status_code == 302
    assert phone.get("/manage/")["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in phone.session  # the other session's data is gone
    assert laptop.get("/manage/").status_code == 200
    assert UserSession.objects.filter(user=dora).count() == 1
    entry = AuditEntry.objects.get(action=SIGNED_OUT_EVERYWHERE)
    assert entry.actor == dora
    assert entry.data["ended"] == 1 and entry.data["kept_this_browser"] is True


def test_sign_out_everywhere_ends_every_browser_including_this_one(laptop, phone, dora):
    response = laptop.post(SIGN_OUT, {"scope": "everywhere"})
    assert response["Location"].startswith("/accounts/login/")
    assert laptop.get("/manage/").status_code == 302
    assert phone.get("/manage/").status_code == 302
    assert not UserSession.objects.filter(user=dora).exists()


def test_a_stolen_cookie_stops_working_once_the_session_is_ended(laptop, dora):
    thief = Client()
    thief.cookies["sessionid"] = laptop.cookies["sessionid"].value
    assert thief.get("/manage/").status_code == 200
    other = Client()
    sign_in(other, "dora")
    other.post(SIGN_OUT, {"scope": "others"})
    assert thief.get("/manage/").status_code == 302
    assert laptop.get("/manage/").status_code == 302


def test_one_person_cannot_see_or_end_another_persons_sessions(laptop, alice):
    client = Client()
    client.force_login(alice)
    html = client.get(ACTIVITY).content.decode()
    assert "198.51.100.1" not in html and "Firefox 133" not in html
    client.post(SIGN_OUT, {"scope": "everywhere"})
    assert laptop.get("/manage/").status_code == 200


def test_signing_out_stops_tracking_the_session(laptop, dora):
    laptop.post(reverse("logout"))
    assert not UserSession.objects.filter(user=dora).exists()


def test_the_buttons_need_a_post_with_the_csrf_token(dora):
    client = Client(enforce_csrf_checks=True)
    client.force_login(dora)
    assert client.get(SIGN_OUT).status_code == 405
    assert client.post(SIGN_OUT, {"scope": "everywhere"}).status_code == 403
    assert client.get("/manage/").status_code == 200  # still signed in


def test_a_session_signed_in_before_tracking_is_tracked_from_its_next_request(laptop, dora):
    session = laptop.session
    del session[TOKEN_KEY]
    session.save()
    UserSession.objects.all().delete()
    assert laptop.get("/manage/").status_code == 200
    assert UserSession.objects.filter(user=dora).count() == 1
    assert laptop.get(ACTIVITY).context["sessions"][0][1]  # and it is this browser


def test_signing_in_again_in_the_same_browser_replaces_its_row(laptop, dora):
    sign_in(laptop, "dora")
    assert UserSession.objects.filter(user=dora).count() == 1


def test_sessions_work_with_the_cache_down(settings, dora):
    from tests.registrations.test_cache_down import closed_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    one, two = Client(), Client()
    assert sign_in(one, "dora").status_code == 302
    assert sign_in(two, "dora").status_code == 302
    assert one.get(ACTIVITY).status_code == 200
    one.post(SIGN_OUT, {"scope": "others"})
    assert two.get("/manage/").status_code == 302
    assert one.get("/manage/").status_code == 200


def test_a_password_change_ends_the_other_browsers_and_they_leave_the_list(laptop, phone, dora):
    response = laptop.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert phone.get("/manage/").status_code == 302
    rows = laptop.get(ACTIVITY).context["sessions"]
    assert [this for _row, this in rows] == [True]
