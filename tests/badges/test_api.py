"""The check-in API for scanner apps: token auth, lookup, check-in, search, bad input."""

import pytest
from rest_framework.test import APIClient

from badges import services
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate
from tests.factories import api_key


@pytest.fixture
def scanner(bob, congress):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(bob, congress)}")
    return client


def url(congress, action=""):
    return f"/api/v1/congresses/{congress.slug}/checkin/{action}"


def test_lookup_by_scanned_code_returns_only_desk_fields(scanner, congress, delegate):
    response = scanner.post(
        url(congress, "lookup/"), {"code": delegate.badge.secret}, format="json"
    )
    assert response.status_code == 200
    person = response.json()["person"]
    assert person["name"] == "Ana Silva" and person["may_enter"] is True
    assert person["checked_in_at"] is None
    assert "email" not in person and "price" not in person
    assert delegate.email not in response.content.decode()


def test_check_in_then_again_reports_already_checked_in(scanner, congress, delegate):
    first = scanner.post(
        url(congress), {"code": delegate.badge.secret, "desk": "S1"}, format="json"
    )
    assert first.status_code == 201 and first.json()["result"] == "checked_in"
    assert first.json()["person"]["checked_in_by"] == "bob"
    second = scanner.post(url(congress), {"code": delegate.badge.secret}, format="json")
    assert second.status_code == 200 and second.json()["result"] == "already_checked_in"
    assert second.json()["person"]["desk"] == "S1"


@pytest.mark.parametrize("code", ["nonsense", "C" * 43, "'; DROP TABLE badges;--"])
def test_invalid_codes_are_400_and_check_nobody_in(scanner, congress, delegate, code):
    response = scanner.post(url(congress), {"code": code}, format="json")
    assert response.status_code == 400
    assert response.json()["code"].startswith("badge_")
    delegate.badge.refresh_from_db()
    assert delegate.badge.checked_in_at is None


def test_missing_code_is_a_validation_error(scanner, congress):
    assert scanner.post(url(congress), {}, format="json").status_code == 400


def test_unpaid_is_409_not_checked_in(scanner, congress):
    unpaid = make_delegate(congress, status=OrderStatus.AWAITING_APPROVAL)
    badge = services.badge_for(delegate=unpaid)
    response = scanner.post(url(congress), {"code": badge.secret}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed_to_enter"


def test_search(scanner, congress, people, django_assert_max_num_queries):
    # token, role, the token's first use recorded (update + audit), congress, the order-code
    # lookup (a query that is a whole order code finds that order's delegates), the delegates
    with django_assert_max_num_queries(7):
        response = scanner.get(url(congress, "search/"), {"q": "Παπαδοπούλου"})
    assert [p["name"] for p in response.json()["results"]] == ["Ζωή Παπαδοπούλου"]


def test_check_in_by_delegate_id_from_search(scanner, congress, delegate):
    response = scanner.post(url(congress), {"delegate": delegate.pk}, format="json")
    assert response.status_code == 201


def test_outsider_and_anonymous_are_refused(congress, other_congress, delegate, charlie):
    anonymous = APIClient()
    for action in ("", "lookup/"):
        assert anonymous.post(url(congress, action), {"code": "x"}).status_code == 401
    assert anonymous.get(url(congress, "search/")).status_code == 401
    outsider = APIClient()
    # charlie's own token, as an owner of the other congress: no use in this one.
    key = api_key(charlie, other_congress, role="checkin")
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for action in ("", "lookup/"):
        response = outsider.post(url(congress, action), {"code": delegate.badge.secret})
        assert response.status_code == 403
    assert outsider.get(url(congress, "search/"), {"q": "Ana"}).status_code == 403
    delegate.badge.refresh_from_db()
    assert delegate.badge.checked_in_at is None


def test_unknown_congress_is_404(scanner):
    assert scanner.get("/api/v1/congresses/nope/checkin/search/").status_code == 404


def test_a_scan_s_queries_stay_fixed_among_two_hundred_delegates(
    scanner, congress, django_assert_max_num_queries
):
    badges = [services.badge_for(delegate=make_delegate(congress)) for _ in range(200)]
    assert scanner.post(url(congress), {"code": badges[0].secret}, format="json").status_code == 201
    # token, role, congress, the badge with its delegate, the delegate's order; the
    # compare-and-set, the check-in, print stations, the audit entry (with BEGIN and COMMIT);
    # the person as the desk sees them. Not the congress or the badge read again.
    with django_assert_max_num_queries(12):
        response = scanner.post(url(congress), {"code": badges[-1].secret}, format="json")
    assert response.status_code == 201
    person = response.json()["person"]
    assert person["checked_in_by"] == "bob" and person["may_enter"] is True
    badges[-1].refresh_from_db()
    assert badges[-1].checked_in_at is not None and badges[-1].checked_in_by.username == "bob"
