"""Failed and refused scans at the desk are recorded: who, which desk, what was scanned, why;
listed newest first for check-in staff, on the page and in the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from badges import services
from badges.models import RefusedScan
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate
from tests.factories import api_key

HOSTILE = [
    "garbage",
    "<script>alert(1)</script>",
    "a\x1b[31mb\x0bc\x7f\u0085",
    "٣٤٥ 王小明 𝔘𝔫𝔦",
    "x" * 10_000,
]


@pytest.fixture
def scanner(bob, congress):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(bob, congress)}")
    return client


def api_url(congress, action=""):
    return f"/api/v1/congresses/{congress.slug}/checkin/{action}"


def desk_url(congress, name="badges:checkin"):
    return reverse(name, kwargs={"congress_slug": congress.slug})


@pytest.mark.parametrize("code", HOSTILE)
def test_a_code_that_opens_nothing_is_recorded_as_scanned(client, congress, bob, code):
    client.force_login(bob)
    session = client.session
    session["badges_desk"] = "Hall A"
    session.save()
    assert client.get(desk_url(congress), {"code": code}).status_code == 422
    scan = RefusedScan.objects.get()
    assert scan.congress == congress and scan.by == bob and scan.desk == "Hall A"
    assert scan.channel == "desk" and scan.badge is None
    assert scan.reason in ("badge_not_valid", "badge_unknown")
    assert scan.scanned == code.replace("\x00", "\ufffd")[:200]  # as read, capped


def test_a_code_with_a_nul_byte_is_a_clear_400_before_any_lookup(client, congress, bob):
    """The site-wide NUL guard answers first (PostgreSQL cannot even compare such text)."""
    client.force_login(bob)
    response = client.get(desk_url(congress), {"code": "nul\x00byte"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode() or "null" in response.content.decode().lower()
    assert client.get(desk_url(congress), {"code": "garbage"}).status_code == 422


def test_each_kind_of_refusal_is_recorded_with_its_reason(
    scanner, congress, other_congress, delegate, alice
):
    revoked = delegate.badge.secret
    services.reissue_secret(badge=delegate.badge, by=alice)
    delegate.badge.refresh_from_db()
    foreign = services.badge_for(delegate=make_delegate(other_congress))
    unpaid = services.badge_for(
        delegate=make_delegate(congress, status=OrderStatus.PENDING_PAYMENT)
    )
    scans = [
        ("not a code", 400),
        ("Q" * 43, 400),
        (revoked, 400),
        (foreign.secret, 400),
        (unpaid.secret, 409),
        (delegate.badge.secret, 201),  # checked in: not a refusal
        (delegate.badge.secret, 200),  # already checked in: a refusal
    ]
    for code, status in scans:
        response = scanner.post(api_url(congress), {"code": code, "desk": "S2"}, format="json")
        assert response.status_code == status, (code, response.content)
    reasons = list(RefusedScan.objects.order_by("pk").values_list("reason", "scanned", "desk"))
    assert [r for r, _s, _d in reasons] == [
        "badge_not_valid",
        "badge_unknown",
        "badge_revoked",
        "badge_other_congress",
        "not_allowed_to_enter",
        "already_checked_in",
    ]
    assert {d for _r, _s, d in reasons} == {"S2"}
    scanned = [s for _r, s, _d in reasons]
    assert scanned[:3] == ["not a code", "Q" * 43, revoked]  # dead codes: as read
    for live in (foreign.secret, unpaid.secret, delegate.badge.secret):
        assert live not in scanned  # a working code is never handed out by the log
    assert scanned[3] == foreign.secret[:4] + "…"
    refused_unpaid = RefusedScan.objects.get(reason="not_allowed_to_enter")
    assert refused_unpaid.badge == unpaid and refused_unpaid.problem == "unpaid"
    assert refused_unpaid.channel == "api"


def test_the_desk_lookup_records_who_may_not_enter_and_who_is_already_in(
    client, congress, delegate, bob
):
    unpaid = services.badge_for(
        delegate=make_delegate(congress, status=OrderStatus.PENDING_PAYMENT)
    )
    client.force_login(bob)
    client.get(desk_url(congress), {"code": unpaid.secret})
    client.get(desk_url(congress), {"code": delegate.badge.secret})  # may enter: not recorded
    services.check_in(badge=delegate.badge, by=bob)
    client.get(desk_url(congress), {"code": delegate.badge.secret})
    assert list(RefusedScan.objects.order_by("pk").values_list("reason", flat=True)) == [
        "not_allowed_to_enter",
        "already_checked_in",
    ]


def test_refused_scans_are_listed_newest_first_paginated_and_escaped(
    client, congress, bob, django_assert_max_num_queries
):
    client.force_login(bob)
    for n in range(55):
        client.get(desk_url(congress), {"code": f"<b>scan-{n:02d}</b>"})
    with django_assert_max_num_queries(8):
        response = client.get(desk_url(congress, "badges:refused_scans"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;scan-54&lt;/b&gt;" in html and "<b>scan-54</b>" not in html
    assert "scan-05" in html and "scan-04" not in html and "Page 1 of 2" in html
    older = client.get(desk_url(congress, "badges:refused_scans"), {"page": 2}).content.decode()
    assert "scan-04" in older and "scan-54" not in older
    assert (
        desk_url(congress, "badges:refused_scans")
        in client.get(desk_url(congress)).content.decode()
    )


def test_the_api_lists_refused_scans_for_check_in_staff_only(
    scanner, congress, other_congress, charlie
):
    for code in ("one", "two", "three"):
        scanner.post(api_url(congress, "lookup/"), {"code": code, "desk": "D"}, format="json")
    response = scanner.get(api_url(congress, "refused/"), {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [r["scanned"] for r in body["results"]] == ["three", "two"]
    assert body["results"][0]["by"] == "bob" and body["results"][0]["desk"] == "D"
    assert body["results"][0]["reason"] == "badge_not_valid"
    outsider = APIClient()
    outsider.force_login(charlie)
    assert outsider.get(api_url(congress, "refused/")).status_code in (403, 404)
