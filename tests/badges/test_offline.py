"""The offline desk's server side: the desk list by change cursor (delta, removals, pages, query
counts on 20,000 delegates) and the sync of queued check-ins (exactly once, earliest wins,
revoked badges refused, hostile input)."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from badges import offline, services
from badges.enums import CheckInChannel, OfflineOutcome
from badges.models import Badge, CheckIn, DeskRow, OfflineCheckIn
from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import Delegate, Order
from tests.badges.conftest import make_delegate


@pytest.fixture(autouse=True)
def _refresh_every_time(settings):
    settings.BADGES_DESK_REFRESH_SECONDS = 0


def _item(delegate, *, at=None, desk="D2", badge=None, nonce=None) -> dict:
    return {
        "nonce": nonce or str(uuid.uuid4()),
        "delegate": delegate.pk,
        "at": (at or timezone.now()).isoformat(),
        "desk": desk,
        "badge": badge,
    }


def _badge(delegate) -> Badge:
    return services.badge_for(delegate=delegate)


# --- Sync: the service ----------------------------------------------------------------------


def test_a_queued_check_in_is_applied_once_at_the_desk_time(congress, bob, delegate):
    at = timezone.now() - timedelta(minutes=7)
    item = _item(delegate, at=at, badge=offline.secret_hash(_badge(delegate).secret))
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert answer["status"] == OfflineOutcome.CHECKED_IN
    badge = Badge.objects.get(delegate=delegate)
    assert badge.checked_in_at == at
    assert badge.checked_in_desk == "D2"
    check_in = CheckIn.objects.get(badge=badge)
    assert check_in.channel == CheckInChannel.OFFLINE
    assert check_in.by == bob


def test_a_replayed_nonce_gets_the_first_answer_and_changes_nothing(congress, bob, delegate):
    item = _item(delegate)
    [first] = offline.apply_queue(congress=congress, items=[item], by=bob)
    [again] = offline.apply_queue(congress=congress, items=[item, item][:1], by=bob)
    [twice_in_one] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert first["status"] == again["status"] == twice_in_one["status"] == "checked_in"
    assert again["replayed"] is True
    assert CheckIn.objects.count() == 1
    assert OfflineCheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action="convene.checkin.checked_in").count() == 1


def test_the_same_nonce_twice_in_one_request_applies_once(congress, bob, delegate):
    item = _item(delegate)
    answers = offline.apply_queue(congress=congress, items=[item, dict(item)], by=bob)
    assert [a["replayed"] for a in answers] == [False, True]
    assert CheckIn.objects.count() == 1


def test_an_earlier_check_in_at_another_desk_stands(congress, alice, bob, delegate):
    services.check_in(badge=_badge(delegate), by=alice, desk="D1")
    standing = Badge.objects.get(delegate=delegate).checked_in_at
    later = timezone.now() + timedelta(seconds=0)
    [answer] = offline.apply_queue(congress=congress, items=[_item(delegate, at=later)], by=bob)
    assert answer["status"] == OfflineOutcome.ALREADY
    assert answer["checked_in"]["desk"] == "D1"
    assert answer["checked_in"]["by"] == "alice"
    badge = Badge.objects.get(delegate=delegate)
    assert (badge.checked_in_at, badge.checked_in_desk) == (standing, "D1")
    assert CheckIn.objects.count() == 1


def test_this_desks_earlier_offline_check_in_moves_the_record_earlier(
    congress, alice, bob, delegate
):
    offline_at = timezone.now() - timedelta(minutes=20)
    services.check_in(badge=_badge(delegate), by=alice, desk="D1")  # online, later
    [answer] = offline.apply_queue(
        congress=congress, items=[_item(delegate, at=offline_at, desk="D2")], by=bob
    )
    assert answer["status"] == OfflineOutcome.EARLIER
    badge = Badge.objects.get(delegate=delegate)
    assert (badge.checked_in_at, badge.checked_in_desk, badge.checked_in_by) == (
        offline_at,
        "D2",
        bob,
    )
    check_in = CheckIn.objects.get(badge=badge)  # still one check-in, now the earlier one
    assert (check_in.at, check_in.desk) == (offline_at, "D2")
    entry = AuditEntry.objects.get(action="convene.checkin.moved_earlier")
    assert entry.data["was_desk"] == "D1"


def test_a_badge_revoked_while_offline_is_refused_with_a_notice(congress, alice, bob, delegate):
    old = _badge(delegate).secret
    services.reissue_secret(badge=_badge(delegate), by=alice, reason="lost")
    item = _item(delegate, badge=offline.secret_hash(old))
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert answer["status"] == OfflineOutcome.REFUSED
    assert "revoked" in answer["message"]
    assert Badge.objects.get(delegate=delegate).checked_in_at is None


def test_a_delegate_cancelled_while_offline_is_refused(congress, bob, delegate):
    Delegate.objects.filter(pk=delegate.pk).update(is_cancelled=True)
    [answer] = offline.apply_queue(congress=congress, items=[_item(delegate)], by=bob)
    assert answer["status"] == OfflineOutcome.REFUSED
    assert "may not enter" in answer["message"]
    assert not CheckIn.objects.exists()


def test_another_congress_delegate_is_refused_and_untouched(congress, other_congress, bob):
    stranger = make_delegate(other_congress)
    [answer] = offline.apply_queue(congress=congress, items=[_item(stranger)], by=bob)
    assert answer["status"] == OfflineOutcome.REFUSED
    assert not Badge.objects.filter(delegate=stranger, checked_in_at__isnull=False).exists()
    assert not CheckIn.objects.exists()


def test_a_nonce_used_in_another_congress_is_not_replayed_here(
    congress, other_congress, bob, charlie, delegate
):
    theirs = make_delegate(other_congress)
    item = _item(theirs)
    offline.apply_queue(congress=other_congress, items=[item], by=charlie)
    [answer] = offline.apply_queue(
        congress=congress, items=[{**item, "delegate": delegate.pk}], by=bob
    )
    assert answer["status"] == "invalid"
    assert Badge.objects.get(delegate=delegate).checked_in_at is None


def test_a_desk_clock_in_the_future_is_clamped_to_now(congress, bob, delegate):
    before = timezone.now()
    offline.apply_queue(
        congress=congress, items=[_item(delegate, at=before + timedelta(days=400))], by=bob
    )
    at = Badge.objects.get(delegate=delegate).checked_in_at
    assert before <= at <= timezone.now()


@pytest.mark.parametrize(
    "bad",
    [
        "not a dict",
        {"nonce": "x" * 10_000, "delegate": 1, "at": "2027-01-01T00:00:00+00:00"},
        {"nonce": "0000\x00000-0000-0000-0000-000000000000", "delegate": 1},
        {"nonce": str(uuid.uuid4()), "delegate": "1"},
        {"nonce": str(uuid.uuid4()), "delegate": True},
        {"nonce": str(uuid.uuid4()), "delegate": 10**30},
        {"nonce": str(uuid.uuid4()), "delegate": 1, "at": "yesterday"},
        {"nonce": str(uuid.uuid4()), "delegate": 1, "at": "2027-01-01T00:00:00"},  # naive
        {"nonce": str(uuid.uuid4()), "delegate": 1, "at": "2" * 10_000},
        {"nonce": str(uuid.uuid4()), "delegate": 1, "at": "2027-13-45T99:00:00+00:00"},
        {
            "nonce": str(uuid.uuid4()),
            "delegate": 1,
            "at": "2027-01-01T00:00:00+00:00",
            "badge": "<script>" * 2000,
        },
        {
            "nonce": str(uuid.uuid4()),
            "delegate": 1,
            "at": "2027-01-01T00:00:00+00:00",
            "desk": ["D1"],
        },
    ],
)
def test_hostile_items_are_answered_invalid_and_change_nothing(congress, bob, bad):
    [answer] = offline.apply_queue(congress=congress, items=[bad], by=bob)
    assert answer["status"] == "invalid"
    assert not OfflineCheckIn.objects.exists()


def test_a_hostile_desk_label_is_cleaned_not_refused(congress, bob, delegate):
    item = _item(delegate, desk="D\x00<b>1</b>" + "é" * 10_000)
    [answer] = offline.apply_queue(congress=congress, items=[item], by=bob)
    assert answer["status"] == "checked_in"
    desk = Badge.objects.get(delegate=delegate).checked_in_desk
    assert desk.startswith("D<b>1</b>é") and len(desk) == 60 and "\x00" not in desk


def test_too_many_items_are_refused_whole(congress, bob, delegate):
    items = [_item(delegate) for _ in range(offline.MAX_QUEUE_ITEMS + 1)]
    with pytest.raises(offline.OfflineQueueRefused):
        offline.apply_queue(congress=congress, items=items, by=bob)
    assert not CheckIn.objects.exists()


# --- Sync: the endpoint ---------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sync_url(congress) -> str:
    return reverse("badges:desk_sync", kwargs={"congress_slug": congress.slug})


def _list_url(congress) -> str:
    return reverse("badges:desk_list", kwargs={"congress_slug": congress.slug})


def test_the_sync_endpoint_applies_the_queue_for_check_in_staff(congress, bob, delegate):
    body = json.dumps({"items": [_item(delegate)]})
    response = _client(bob).post(_sync_url(congress), body, content_type="application/json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert response.json()["results"][0]["status"] == "checked_in"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"items": "x"}',
        b'{"items": {"a": 1}}',
        b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"items": [1, 2, 3' + b"\x00" + b"]}",
    ],
)
def test_malformed_sync_bodies_are_400(congress, bob, body):
    response = _client(bob).post(_sync_url(congress), body, content_type="application/json")
    assert response.status_code == 400
    assert not OfflineCheckIn.objects.exists()


def test_too_many_items_per_request_is_400_and_too_large_a_body_413(congress, bob, delegate):
    client = _client(bob)
    items = [_item(delegate) for _ in range(offline.MAX_QUEUE_ITEMS + 1)]
    response = client.post(
        _sync_url(congress), json.dumps({"items": items}), content_type="application/json"
    )
    assert response.status_code == 400
    huge = json.dumps({"items": [{"desk": "x" * 300_000}]})
    assert (
        client.post(_sync_url(congress), huge, content_type="application/json").status_code == 413
    )
    assert not CheckIn.objects.exists()


def test_desk_data_is_never_served_to_others(congress, charlie, delegate):
    outsider = _client(charlie)
    for url in (
        _list_url(congress),
        reverse("badges:desk_key", kwargs={"congress_slug": congress.slug}),
        reverse("badges:desk_sw", kwargs={"congress_slug": congress.slug}),
    ):
        assert outsider.get(url).status_code in (403, 404)
    body = json.dumps({"items": [_item(delegate)]})
    assert outsider.post(
        _sync_url(congress), body, content_type="application/json"
    ).status_code in (403, 404)
    assert Client().get(_list_url(congress)).status_code == 302  # to sign-in
    assert not CheckIn.objects.exists()


def test_the_sync_endpoint_is_rate_limited_per_account(congress, bob, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkin_offline": "2/m"}
    client = _client(bob)
    codes = [
        client.post(_sync_url(congress), b'{"items": []}', content_type="application/json")
        for _ in range(3)
    ]
    assert [c.status_code for c in codes] == [200, 200, 429]


# --- The key, the worker, the manifest ------------------------------------------------------


def test_the_key_is_the_sessions_and_stays_the_same_within_it(congress, bob):
    client = _client(bob)
    url = reverse("badges:desk_key", kwargs={"congress_slug": congress.slug})
    first, second = client.get(url), client.get(url)
    assert first.json()["key"] == second.json()["key"]
    assert len(first.json()["key"]) == 43
    assert first["Cache-Control"] == "no-store, private"
    assert _client(bob).get(url).json()["key"] != first.json()["key"]  # another sign-in


def test_the_service_worker_is_scoped_to_the_desk(congress, bob):
    response = _client(bob).get(reverse("badges:desk_sw", kwargs={"congress_slug": congress.slug}))
    desk = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == desk
    assert response.content.startswith(b"self.DESK_CONFIG = ")
    assert "worker-src 'self'" in response["Content-Security-Policy"]


def test_the_manifest_opens_the_desk(congress, bob):
    response = _client(bob).get(
        reverse("badges:desk_manifest", kwargs={"congress_slug": congress.slug})
    )
    desk = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    manifest = response.json()
    assert response["Content-Type"] == "application/manifest+json"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        desk,
        desk,
        "standalone",
    )
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_the_desk_page_links_the_manifest_and_the_offline_script(congress, bob):
    page = _client(bob).get(reverse("badges:checkin", kwargs={"congress_slug": congress.slug}))
    html = page.content.decode()
    assert 'rel="manifest"' in html and "desk-offline.js" in html
    assert "manifest-src 'self'" in page["Content-Security-Policy"]


def test_signing_out_clears_the_site_data(congress, bob):
    client = _client(bob)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/").headers


# --- The desk list: delta by cursor ---------------------------------------------------------


def _page(client, congress, since=0) -> dict:
    response = client.get(_list_url(congress), {"since": since})
    assert response.status_code == 200
    return response.json()


def test_the_list_holds_what_the_desk_needs_and_nothing_more(congress, bob, delegate):
    secret = _badge(delegate).secret
    page = _page(_client(bob), congress)
    [row] = page["rows"]
    assert row["id"] == delegate.pk
    assert row["name"] == "Ana Silva"
    assert row["badge"] == offline.secret_hash(secret)
    assert secret not in json.dumps(page)
    assert "ana@city.example" not in json.dumps(page)  # no e-mail
    assert row["problem"] == "" and row["checked_in_at"] is None


@pytest.mark.parametrize(
    ("given", "family", "fields", "shown"),
    [
        ("伟", "王", {}, "王伟"),  # Han: family name first, no space
        ("Viktor", "Orbán", {"country": "HU"}, "Orbán Viktor"),
        ("Ana", "Silva", {"name_order": "family_first"}, "Silva Ana"),
        ("Ana", "Silva", {}, "Ana Silva"),
    ],
)
def test_the_list_writes_names_in_their_cultures_order(congress, bob, given, family, fields, shown):
    person = make_delegate(congress, given_name=given, family_name=family, **fields)
    services.badge_for(delegate=person)
    [row] = _page(_client(bob), congress)["rows"]
    assert row["name"] == shown
    assert (row["given"], row["family"]) == (given, family)  # both kept for the search


def test_delta_returns_only_what_changed_and_removals(congress, bob):
    client = _client(bob)
    people = [make_delegate(congress, family_name=f"P{n}") for n in range(5)]
    first = _page(client, congress)
    assert len(first["rows"]) == 5 and not first["more"]
    assert _page(client, congress, first["cursor"])["rows"] == []
    services.check_in(badge=_badge(people[0]), by=bob, desk="D1")
    Order.objects.filter(pk=people[1].order_id).update(status=OrderStatus.CANCELLED)
    gone = people[2].pk
    people[2].delete()
    delta = _page(client, congress, first["cursor"])
    changed = {row["id"]: row for row in delta["rows"]}
    assert set(changed) == {people[0].pk, people[1].pk}
    assert changed[people[0].pk]["desk"] == "D1"
    assert changed[people[1].pk]["problem"] == "cancelled"
    assert delta["removed"] == [gone]
    assert _page(client, congress, delta["cursor"]) == {**delta, "rows": [], "removed": []}


def test_a_reissued_badge_shows_its_old_code_as_revoked(congress, alice, bob, delegate):
    client = _client(bob)
    old = _badge(delegate).secret
    cursor = _page(client, congress)["cursor"]
    services.reissue_secret(badge=_badge(delegate), by=alice)
    [row] = _page(client, congress, cursor)["rows"]
    assert row["revoked"] == [offline.secret_hash(old)]
    assert row["badge"] == offline.secret_hash(Badge.objects.get(delegate=delegate).secret)


def test_a_cursor_from_elsewhere_says_reset_and_bad_cursors_are_400(congress, bob, delegate):
    client = _client(bob)
    assert _page(client, congress, 10**12)["reset"] is True
    for bad in ("-1", "abc", "1" * 40, "١٢", "1\x00"):
        assert client.get(_list_url(congress), {"since": bad}).status_code == 400


def _many(congress, count: int) -> None:
    from tests.factories import RegistrationTypeFactory

    kind = RegistrationTypeFactory(congress=congress)
    order = Order.objects.create(
        congress=congress, code="BULK0001", status=OrderStatus.PAID, email="bulk@example.org"
    )
    Delegate.objects.bulk_create(
        (
            Delegate(
                order=order,
                registration_type=kind,
                secret=f"bulk-{n}",
                given_name=f"Given{n}",
                family_name=f"Family{n}",
                email=f"d{n}@example.org",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    services.issue_badges(congress=congress)


def test_twenty_thousand_delegates_page_in_small_requests_with_few_queries(
    congress, bob, django_assert_max_num_queries, settings
):
    _many(congress, 20_000)
    client = _client(bob)
    client.get(_list_url(congress))  # the first numbering writes 20,000 rows (in batches)
    settings.BADGES_DESK_REFRESH_SECONDS = 3600  # paging within one refresh period
    cursor, seen, pages = 0, set(), 0
    while True:
        with django_assert_max_num_queries(12):
            page = _page(client, congress, cursor)
        assert len(page["rows"]) <= offline.PAGE_SIZE
        seen.update(row["id"] for row in page["rows"])
        cursor, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert len(seen) == 20_000
    assert pages == 20_000 // offline.PAGE_SIZE
    # A change later: one small answer, the same few queries.
    someone = Delegate.objects.filter(order__congress=congress).first()
    services.check_in(badge=_badge(someone), by=bob, desk="D9")
    settings.BADGES_DESK_REFRESH_SECONDS = 0  # and a refresh that reads all 20,000 rows
    with django_assert_max_num_queries(18):
        delta = _page(client, congress, cursor)
    assert [row["id"] for row in delta["rows"]] == [someone.pk]
    assert DeskRow.objects.filter(congress=congress).count() == 20_000
