"""Who must use a second factor: the team of a congress that requires it (its organiser pages and
its API through session authentication, not API tokens), and the superuser (admin too)."""

import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from events_site.accounts.reauth import SESSION_KEY as REAUTH_KEY
from events_site.congresses.models import AuditEntry
from events_site.congresses.services import set_two_factor_requirement
from tests.factories import UserFactory, api_key

from .conftest import code_for, give_two_factor

pytestmark = pytest.mark.django_db


def _verify(client, device):
    """Mark the client's session as signed in with ``device`` (as the code step does)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def strict(congress):
    congress.require_two_factor = True
    congress.save(update_fields=["require_two_factor"])
    return congress


ORGANISER_PAGES = [
    "/{slug}/manage/",
    "/{slug}/manage/registrations/",
    "/{slug}/manage/payments/",
    "/{slug}/manage/security/",
]


@pytest.mark.parametrize("page", ORGANISER_PAGES)
def test_a_team_member_without_an_app_is_sent_to_set_one_up(client, alice, strict, page):
    client.force_login(alice)
    url = page.format(slug=strict.slug)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/set-up/?next=")


def test_a_team_member_with_an_app_but_an_unverified_session_is_asked_for_the_code(
    client, alice, strict
):
    device = give_two_factor(alice)
    client.force_login(alice)
    response = client.get(f"/{strict.slug}/manage/")
    assert response["Location"] == f"/accounts/two-factor/code/?next=/{strict.slug}/manage/"
    done = client.post("/accounts/two-factor/code/", {"code": code_for(device), "next": "/x/"})
    assert done.status_code == 302
    assert client.get(f"/{strict.slug}/manage/").status_code == 200


def test_the_narrower_role_is_held_to_the_rule_too(client, bob, strict):
    client.force_login(bob)
    response = client.get(f"/{strict.slug}/manage/checkin/")
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]


def test_an_outsider_still_gets_403_not_a_two_factor_page(client, charlie, strict):
    client.force_login(charlie)
    assert client.get(f"/{strict.slug}/manage/").status_code == 403


def test_a_verified_session_passes(client, alice, strict):
    device = give_two_factor(alice)
    client.force_login(alice)
    _verify(client, device)
    assert client.get(f"/{strict.slug}/manage/").status_code == 200


def test_other_congresses_do_not_ask(client, charlie, strict, other_congress):
    client.force_login(charlie)
    assert client.get(f"/{other_congress.slug}/manage/").status_code == 200


def test_the_api_with_session_authentication_refuses_with_a_code(alice, strict):
    api = APIClient()
    api.force_login(alice)
    for url in (
        f"/api/v1/congresses/{strict.slug}/",
        f"/api/v1/congresses/{strict.slug}/venues/",
        f"/api/v1/congresses/{strict.slug}/delegates/",
    ):
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "two_factor_required"


def test_the_api_with_a_verified_session_answers(alice, strict):
    device = give_two_factor(alice)
    api = APIClient()
    api.force_login(alice)
    _verify(api, device)
    assert api.get(f"/api/v1/congresses/{strict.slug}/venues/").status_code == 200


def test_api_tokens_are_not_affected(bob, alice, strict):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice, strict, role='owner')}")
    assert api.get(f"/api/v1/congresses/{strict.slug}/venues/").status_code == 200
    assert api.get(f"/api/v1/congresses/{strict.slug}/").status_code == 200
    scanner = APIClient()
    scanner.credentials(HTTP_AUTHORIZATION=f"Token {api_key(bob, strict)}")
    lookup = scanner.post(
        f"/api/v1/congresses/{strict.slug}/checkin/lookup/", {"code": "x" * 20}, format="json"
    )
    assert lookup.status_code not in (401, 403)  # looked up (the code is unknown), not refused
    session = APIClient()
    session.force_login(bob)
    refused = session.post(
        f"/api/v1/congresses/{strict.slug}/checkin/lookup/", {"code": "x" * 20}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_required"


# --- The superuser ---
@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_superuser_needs_a_second_factor_for_admin_when_the_setting_is_on(
    client, root, settings, congress
):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True
    client.force_login(root)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/set-up/?next=/admin/"
    assert client.get(f"/{congress.slug}/manage/").status_code == 302
    api = APIClient()
    api.force_login(root)
    assert api.get("/api/v1/congresses/").json()["code"] == "two_factor_required"
    assert client.get("/accounts/two-factor/set-up/").status_code == 200  # can still set up

    device = give_two_factor(root)
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/code/?next=/admin/"
    _verify(client, device)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/{congress.slug}/manage/").status_code == 200


def test_the_superuser_rule_can_be_switched_off_for_the_demo(client, root, settings, congress):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = False
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/{congress.slug}/manage/").status_code == 200


def test_a_superuser_is_held_to_a_congress_requirement_even_with_the_rule_off(
    client, root, settings, strict
):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = False
    client.force_login(root)
    assert client.get(f"/{strict.slug}/manage/").status_code == 302


def test_the_setting_is_on_by_default_when_debug_is_off_and_off_in_the_demo():
    from tests.core.test_settings import run_manage

    show = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS)"
    production = run_manage(
        "shell",
        "-c",
        show,
        DEBUG="0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="congress.example.org",
    )
    assert production.stdout.strip().splitlines()[-1] == "True", production.stderr
    demo = run_manage("shell", "-c", show, DEBUG="1")
    assert demo.stdout.strip().splitlines()[-1] == "False", demo.stderr


# --- The owner's Security page ---
SECURITY = "/{slug}/manage/security/"


def test_only_the_owner_reaches_the_security_page(client, alice, bob, charlie, congress):
    url = SECURITY.format(slug=congress.slug)
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    assert client.get("/no-such-congress/manage/security/").status_code == 404
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    assert "2 of 2 team members have no second factor yet." in page.content.decode()


def test_the_owner_needs_a_second_factor_before_requiring_one(client, alice, congress):
    client.force_login(alice)
    response = client.post(SECURITY.format(slug=congress.slug), {"require_two_factor": "on"})
    assert response.status_code == 400
    assert "Set up two-factor sign-in for your own account first." in response.content.decode()
    congress.refresh_from_db()
    assert not congress.require_two_factor


def test_requiring_it_is_saved_and_audited(client, alice, congress):
    device = give_two_factor(alice)
    client.force_login(alice)
    _verify(client, device)
    response = client.post(SECURITY.format(slug=congress.slug), {"require_two_factor": "on"})
    assert response.status_code == 302
    congress.refresh_from_db()
    assert congress.require_two_factor
    entry = AuditEntry.objects.get(action="convene.congress.two_factor_required")
    assert entry.actor == alice and entry.congress == congress
    assert entry.data == {"before": False, "after": True}
    client.post(SECURITY.format(slug=congress.slug), {})
    congress.refresh_from_db()
    assert not congress.require_two_factor
    assert AuditEntry.objects.filter(action="convene.congress.two_factor_required").count() == 2


def test_saving_the_same_value_writes_no_audit_entry(alice, congress):
    give_two_factor(alice)
    set_two_factor_requirement(congress=congress, required=False, by=alice)
    assert not AuditEntry.objects.filter(action="convene.congress.two_factor_required").exists()


def test_changing_it_needs_a_recent_sign_in(client, alice, congress):
    device = give_two_factor(alice)
    client.force_login(alice)
    _verify(client, device)
    session = client.session
    del session[REAUTH_KEY]
    session.save()
    url = SECURITY.format(slug=congress.slug)
    assert client.get(url).status_code == 200  # looking is fine
    response = client.post(url, {"require_two_factor": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauth/")
    congress.refresh_from_db()
    assert not congress.require_two_factor
    session = client.session
    session[REAUTH_KEY] = int(time.time())
    session.save()
    assert client.post(url, {"require_two_factor": "on"}).status_code == 302


def test_the_back_office_links_the_security_page_for_owners_only(client, alice, congress, bob):
    url = SECURITY.format(slug=congress.slug)
    client.force_login(alice)
    assert url in client.get(f"/{congress.slug}/manage/").content.decode()
    client.force_login(bob)
    assert url not in client.get(f"/{congress.slug}/manage/").content.decode()


def test_class_based_organiser_views_apply_the_rule_too(rf, alice, strict):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.views import View

    from events_site.congresses.permissions import CongressPermissionMixin

    class Page(CongressPermissionMixin, View):
        def get(self, request, *args, **kwargs):
            return HttpResponse("organiser page")

    request = rf.get(f"/{strict.slug}/manage/some-page/")
    request.user, request.session = alice, SessionStore()
    response = Page.as_view()(request, congress_slug=strict.slug)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/set-up/?next=")
    strict.require_two_factor = False
    strict.save(update_fields=["require_two_factor"])
    assert Page.as_view()(request, congress_slug=strict.slug).content == b"organiser page"
