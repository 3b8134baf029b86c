import pytest
from rest_framework.test import APIClient

from events_site.congresses import services
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import has_congress_perm
from tests.factories import api_key

pytestmark = pytest.mark.django_db


def test_owner_holds_every_permission_but_passport_data_in_their_congress_only(
    alice, congress, other_congress
):
    others = set(Perm.values) - {Perm.MANAGE_VISA_LETTERS}
    assert all(has_congress_perm(alice, perm, congress) for perm in others)
    assert not has_congress_perm(alice, Perm.MANAGE_VISA_LETTERS, congress)  # visa officers only
    assert not has_congress_perm(alice, Perm.VIEW, other_congress)


def test_check_in_staff_may_check_in_and_nothing_else(bob, congress):
    assert has_congress_perm(bob, Perm.CHECK_IN, congress)
    assert not has_congress_perm(bob, Perm.VIEW_REGISTRATIONS, congress)
    assert not has_congress_perm(bob, Perm.MANAGE_FINANCE, congress)


def test_rules_backend_answers_user_has_perm_with_the_same_check(alice, charlie, congress):
    assert alice.has_perm(Perm.MANAGE_PROGRAMME, congress)
    assert not charlie.has_perm(Perm.VIEW, congress)


def test_revoking_a_role_takes_effect_at_once(congress, bob):
    assert has_congress_perm(bob, Perm.CHECK_IN, congress)
    services.revoke_role(congress=congress, user=bob, role="checkin")
    assert not has_congress_perm(bob, Perm.CHECK_IN, congress)


def test_outsider_cannot_see_the_back_office(client, charlie, congress):
    client.force_login(charlie)
    assert client.get(f"/{congress.slug}/manage/").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, congress):
    response = client.get(f"/{congress.slug}/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_api_token_authentication_lists_only_the_organisers_congresses(alice, congress):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice, congress, role='owner')}")
    response = client.get("/api/v1/congresses/")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["results"]] == [congress.slug]


def test_api_without_credentials_is_refused(congress):
    assert APIClient().get("/api/v1/congresses/").status_code in (401, 403)


def test_outsider_api_access_to_a_congress_is_refused(charlie, congress):
    client = APIClient()
    client.force_authenticate(charlie)
    assert client.get(f"/api/v1/congresses/{congress.slug}/").status_code == 403
    response = client.patch(f"/api/v1/congresses/{congress.slug}/", {"name": "x"}, format="json")
    assert response.status_code == 403
