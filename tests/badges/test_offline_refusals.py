"""Scans the desk refused while offline (unknown or malformed code, revoked badge, may not
enter, already checked in) are queued on the phone and, on sync, written to the refused-scans
log as online refusals are: once per nonce, at the desk's time, never with a working code."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from badges import offline, services
from badges.enums import CheckInChannel, EntryProblem, ScanRefusal
from badges.models import CheckIn, OfflineCheckIn, RefusedScan
from events_site.congresses.models import AuditEntry
from tests.badges.conftest import make_delegate


def _refusal(*, reason, delegate=None, scanned="", problem="", at=None, nonce=None, desk="D3"):
    return {
        "kind": "refusal",
        "nonce": nonce or str(uuid.uuid4()),
        "at": (at or timezone.now()).isoformat(),
        "desk": desk,
        "reason": reason,
        "scanned": scanned,
        "delegate": delegate.pk if delegate is not None else None,
        "problem": problem,
    }


def test_an_unknown_code_refused_offline_is_logged_once_at_the_desk_time(congress, bob):
    at = timezone.now() - timedelta(minutes=12)
    item = _refusal(reason=ScanRefusal.MALFORMED, scanned="hello <b>world</b>", at=at)
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert (answer["status"], answer["replayed"]) == ("logged", False)
    [again] = offline.apply_queue(congress=congress, items=[item, dict(item)][:1], by=bob)
    assert again["replayed"] is True
    [refused] = RefusedScan.objects.all()
    assert (refused.at, refused.desk, refused.by) == (at, "D3", bob)
    assert (refused.channel, refused.reason) == (CheckInChannel.OFFLINE, ScanRefusal.MALFORMED)
    assert refused.scanned == "hello <b>world</b>"
    assert refused.nonce == item["nonce"]
    entries = AuditEntry.objects.filter(action="convene.checkin.scan_refused")
    assert entries.count() == 1
    assert entries.get().data["nonce"] == item["nonce"]


def test_the_same_refusal_twice_in_one_request_is_logged_once(congress, bob):
    item = _refusal(reason=ScanRefusal.UNKNOWN, scanned="x" * 43)
    answers = offline.apply_queue(congress=congress, items=[item, dict(item)], by=bob)
    assert [a["replayed"] for a in answers] == [False, True]
    assert RefusedScan.objects.count() == 1


def test_a_full_badge_code_is_never_logged_whole(congress, bob, delegate):
    secret = services.badge_for(delegate=delegate).secret
    item = _refusal(reason=ScanRefusal.UNKNOWN, scanned=secret)
    offline.apply_queue(congress=congress, items=[item], by=bob)
    scanned = RefusedScan.objects.get().scanned
    assert secret not in scanned
    assert scanned == secret[:4] + "…"


def test_a_revoked_badge_refused_offline_is_logged_with_its_delegate(
    congress, alice, bob, delegate
):
    badge = services.badge_for(delegate=delegate)
    services.reissue_secret(badge=badge, by=alice, reason="lost")
    item = _refusal(reason=ScanRefusal.REVOKED, delegate=delegate, scanned="abcd…")
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert answer["delegate"] == delegate.pk
    refused = RefusedScan.objects.get()
    assert (refused.reason, refused.badge_id) == (ScanRefusal.REVOKED, badge.pk)
    assert not CheckIn.objects.exists()


def test_may_not_enter_offline_is_logged_with_the_problem(congress, bob, delegate):
    item = _refusal(reason=ScanRefusal.NOT_ALLOWED, delegate=delegate, problem=EntryProblem.UNPAID)
    offline.apply_queue(congress=congress, items=[item], by=bob)
    refused = RefusedScan.objects.get()
    assert (refused.reason, refused.problem) == (ScanRefusal.NOT_ALLOWED, EntryProblem.UNPAID)


def test_a_delegate_of_another_congress_is_not_attached(congress, other_congress, bob):
    stranger = make_delegate(other_congress)
    services.badge_for(delegate=stranger)
    item = _refusal(reason=ScanRefusal.ALREADY_CHECKED_IN, delegate=stranger)
    offline.apply_queue(congress=congress, items=[item], by=bob)
    refused = RefusedScan.objects.get()
    assert refused.badge is None
    assert refused.congress == congress


def test_a_refusal_nonce_from_another_congress_is_not_replayed_here(congress, other_congress, bob):
    item = _refusal(reason=ScanRefusal.UNKNOWN)
    offline.apply_queue(congress=other_congress, items=[item], by=bob)
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert answer["status"] == "invalid"
    assert not RefusedScan.objects.filter(congress=congress).exists()


def test_a_check_in_nonce_cannot_be_reused_for_a_refusal(congress, bob, delegate):
    nonce = str(uuid.uuid4())
    check_in = {"nonce": nonce, "delegate": delegate.pk, "at": timezone.now().isoformat()}
    offline.apply_queue(congress=congress, items=[check_in], by=bob)
    [answer] = offline.apply_queue(
        congress=congress, items=[_refusal(reason=ScanRefusal.UNKNOWN, nonce=nonce)], by=bob
    )
    assert answer["status"] == "invalid"
    assert OfflineCheckIn.objects.count() == 1
    assert not RefusedScan.objects.exists()


def test_a_desk_clock_far_in_the_past_is_clamped(congress, bob):
    item = _refusal(reason=ScanRefusal.UNKNOWN, at=timezone.now() - timedelta(days=30))
    offline.apply_queue(congress=congress, items=[item], by=bob)
    assert RefusedScan.objects.get().at >= timezone.now() - offline.CLOCK_WINDOW - timedelta(
        seconds=5
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": "checked_in"},
        {"reason": ["badge_unknown"]},
        {"reason": None},
        {"reason": "<script>"},
        {"problem": "bribed"},
        {"problem": {"x": 1}},
        {"scanned": ["x"]},
        {"desk": 7},
        {"delegate": "12"},
        {"delegate": True},
        {"delegate": -1},
        {"at": "yesterday"},
        {"at": "2026-12-01T08:00:00"},
    ],
)
def test_hostile_refusals_are_invalid_and_log_nothing(congress, bob, changes):
    item = {**_refusal(reason=ScanRefusal.UNKNOWN), **changes}
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert answer["status"] == "invalid"
    assert not RefusedScan.objects.exists()


def test_hostile_text_is_kept_capped_and_cleaned(congress, bob):
    item = _refusal(
        reason=ScanRefusal.MALFORMED,
        scanned="\x00<img src=x onerror=alert(1)>" + "ع" * 10_000,
        desk="\x00D\u00079<b>" + "x" * 10_000,
    )
    offline.apply_queue(congress=congress, items=[item], by=bob)
    refused = RefusedScan.objects.get()
    assert len(refused.scanned) == 200
    assert "\x00" not in refused.scanned and "\x00" not in refused.desk
    assert len(refused.desk) <= 60


def test_the_sync_endpoint_logs_refusals_shown_on_the_refused_scans_page(congress, bob):
    client = Client()
    client.force_login(bob)
    item = _refusal(reason=ScanRefusal.MALFORMED, scanned="<b>not-a-badge</b>")
    response = client.post(
        reverse("badges:desk_sync", kwargs={"congress_slug": congress.slug}),
        json.dumps({"items": [item]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "logged"
    page = client.get(reverse("badges:refused_scans", kwargs={"congress_slug": congress.slug}))
    assert "&lt;b&gt;not-a-badge&lt;/b&gt;" in page.content.decode()
    assert "<b>not-a-badge</b>" not in page.content.decode()
