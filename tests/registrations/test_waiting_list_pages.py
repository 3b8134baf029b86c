"""The organisers' waiting-list page: the list in queue order with its filters, and the
actions (offer by hand, extend, withdraw, remove), behind ``registrations.manage``
(``registrations.view`` reads it)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus, WaitingListStatus
from registrations.errors import OfferRefused
from registrations.models import RegistrationSettings, WaitingListEntry
from registrations.services import waiting_list as services
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _member(congress, role):
    user = UserFactory(username=f"{role}-member")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


@pytest.fixture
def workshop(congress):
    RegistrationSettings.objects.create(congress=congress, waiting_list_offer_hours=48)
    return RegistrationTypeFactory(congress=congress, code="workshop", name="Workshop", capacity=1)


def _sold(rtype, n=1):
    order = OrderFactory(congress=rtype.congress, status=OrderStatus.PAID)
    return [DelegateFactory(order=order, registration_type=rtype) for _ in range(n)]


def _wait(rtype, name="Ana Silva", email=None, language="en", **fields):
    return WaitingListEntry.objects.create(
        congress=rtype.congress,
        registration_type=rtype,
        name=name,
        email=email or f"{name.split()[0].lower()}@city.example",
        language=language,
        **fields,
    )


def _offered(rtype, name="Olga Offered", hours=48, **fields):
    now = timezone.now()
    return _wait(
        rtype,
        name=name,
        status=WaitingListStatus.OFFERED,
        offered_at=now,
        offer_expires_at=now + dt.timedelta(hours=hours),
        **fields,
    )


# --- the list -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "registration", "finance"])
def test_the_registration_roles_see_the_list(client, congress, workshop, role):
    _wait(workshop)
    client.force_login(_member(congress, role))
    response = client.get(_url("manage_waiting_list", congress))
    assert response.status_code == 200
    assert "Ana Silva" in response.content.decode()


@pytest.mark.parametrize("role", ["checkin", "programme"])
def test_check_in_and_programme_are_refused(client, congress, workshop, role):
    entry = _wait(workshop)
    client.force_login(_member(congress, role))
    assert client.get(_url("manage_waiting_list", congress)).status_code == 403
    assert (
        client.post(_url("manage_waiting_list_offer", congress, entry_id=entry.pk)).status_code
        == 403
    )


def test_finance_reads_without_actions_and_is_refused_them(client, congress, workshop):
    entry = _wait(workshop)
    client.force_login(_member(congress, "finance"))
    page = client.get(_url("manage_waiting_list", congress)).content.decode()
    assert "Offer a seat" not in page
    for name in ("offer", "withdraw", "extend", "remove"):
        url = _url(f"manage_waiting_list_{name}", congress, entry_id=entry.pk)
        assert client.post(url).status_code == 403
    entry.refresh_from_db()
    assert entry.status == WaitingListStatus.WAITING


def test_another_congresss_entry_is_not_found(client, alice, congress, other_congress):
    theirs = _wait(RegistrationTypeFactory(congress=other_congress, capacity=5))
    client.force_login(alice)
    for name in ("offer", "withdraw", "extend", "remove"):
        url = _url(f"manage_waiting_list_{name}", congress, entry_id=theirs.pk)
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == WaitingListStatus.WAITING


def test_the_list_shows_queue_places_per_type_and_times_in_the_congress_zone(
    client, alice, congress, workshop
):
    other = RegistrationTypeFactory(congress=congress, code="gala", name="Gala", position=9)
    first = _wait(workshop, name="Ana First")
    _offered(workshop, name="Olga Offered")
    second = _wait(workshop, name="Bea Second")
    gala = _wait(other, name="Gil Gala")
    client.force_login(alice)
    response = client.get(_url("manage_waiting_list", congress))
    places = {e.pk: e.queue_position for e in response.context["page"] if e.status == "waiting"}
    assert places == {first.pk: 1, second.pk: 2, gala.pk: 1}
    page = response.content.decode()
    assert page.index("Ana First") < page.index("Bea Second") < page.index("Gil Gala")
    assert "Asia/Seoul" in page


def test_filters_by_type_and_status_in_the_query_string(client, alice, congress, workshop):
    other = RegistrationTypeFactory(congress=congress, code="gala", name="Gala")
    _wait(workshop, name="Ana Waiting")
    _offered(workshop, name="Olga Offered")
    _wait(other, name="Gil Gala")
    client.force_login(alice)
    response = client.get(_url("manage_waiting_list", congress), {"type": "workshop"})
    assert {e.name for e in response.context["page"]} == {"Ana Waiting", "Olga Offered"}
    response = client.get(_url("manage_waiting_list", congress), {"status": "offered"})
    assert [e.name for e in response.context["page"]] == ["Olga Offered"]
    response = client.get(_url("manage_waiting_list", congress), {"status": "nonsense"})
    assert response.context["page"].paginator.count == 3


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "\u202eevil",
        "a\x07b\x1b",
        "x" * 10_000,
        "محمد",
        "田中",
        "' OR 1=1 --",
    ],
)
def test_hostile_text_in_the_search_finds_nothing_and_breaks_nothing(
    client, alice, congress, workshop, query
):
    _wait(workshop, name="Ana Silva")
    client.force_login(alice)
    response = client.get(_url("manage_waiting_list", congress), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_finds_by_name_in_any_script_and_by_email(client, alice, congress, workshop):
    _wait(workshop, name="田中 花子", email="hanako@city.example")
    _wait(workshop, name="Ana Silva", email="ana@lisboa.example")
    client.force_login(alice)
    found = client.get(_url("manage_waiting_list", congress), {"q": "田中"}).context["page"]
    assert [e.email for e in found] == ["hanako@city.example"]
    found = client.get(_url("manage_waiting_list", congress), {"q": "LISBOA"}).context["page"]
    assert [e.name for e in found] == ["Ana Silva"]


def test_nul_in_the_search_is_refused(client, alice, congress, workshop):
    client.force_login(alice)
    assert client.get(_url("manage_waiting_list", congress), {"q": "a\x00b"}).status_code == 400


def test_2000_entries_list_in_a_fixed_number_of_queries(
    client, alice, congress, workshop, django_assert_max_num_queries
):
    other = RegistrationTypeFactory(congress=congress, code="gala", name="Gala", capacity=10)
    WaitingListEntry.objects.bulk_create(
        WaitingListEntry(
            congress=congress,
            registration_type=workshop if n % 2 else other,
            name=f"Person {n}",
            email=f"p{n}@city.example",
            token=f"token-{n}",
            status=WaitingListStatus.OFFERED if n % 7 == 0 else WaitingListStatus.WAITING,
            offered_at=timezone.now() if n % 7 == 0 else None,
            offer_expires_at=timezone.now() + dt.timedelta(hours=5) if n % 7 == 0 else None,
        )
        for n in range(2000)
    )
    client.force_login(alice)
    client.get(_url("manage_waiting_list", congress))  # warm the session and caches
    for query in ({}, {"page": 20}, {"type": "gala", "status": "waiting"}, {"q": "Person 1"}):
        with django_assert_max_num_queries(12):
            response = client.get(_url("manage_waiting_list", congress), query)
        assert response.status_code == 200
    page = client.get(_url("manage_waiting_list", congress)).content.decode()
    assert page.count('class="waiting-row') == 50


# --- offer a seat by hand -------------------------------------------------------------------


def test_a_seat_is_offered_by_hand_out_of_turn_when_one_is_free(
    client, alice, congress, workshop, django_capture_on_commit_callbacks
):
    _wait(workshop, name="Ana First")
    later = _wait(workshop, name="Bea Later", language="fr")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("manage_waiting_list_offer", congress, entry_id=later.pk),
            {"next_query": "type=workshop"},
        )
    assert response.status_code == 302
    assert response.url.endswith("?type=workshop")
    later.refresh_from_db()
    assert later.status == WaitingListStatus.OFFERED
    assert later.offer_expires_at - later.offered_at == dt.timedelta(hours=48)
    assert [m.to for m in mail.outbox] == [["bea@city.example"]]
    assert later.token in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="convene.waiting_list.offered_by_hand")
    assert entry.actor == alice and entry.target_id == str(later.pk)


def test_an_offer_by_hand_is_refused_when_the_type_is_full(
    client, alice, congress, workshop, django_capture_on_commit_callbacks
):
    _sold(workshop)
    entry = _wait(workshop)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("manage_waiting_list_offer", congress, entry_id=entry.pk), follow=True
        )
    assert "No seat of “Workshop” is free" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitingListStatus.WAITING
    assert mail.outbox == []


def test_an_open_offer_holds_the_seat_against_an_offer_by_hand(congress, workshop, alice):
    _offered(workshop)
    entry = _wait(workshop)
    with pytest.raises(OfferRefused):
        services.offer_seat(entry=entry, by=alice)


def test_only_a_waiting_person_can_be_offered(congress, workshop, alice):
    with pytest.raises(OfferRefused):
        services.offer_seat(entry=_offered(workshop), by=alice)


# --- extend ---------------------------------------------------------------------------------


def _shown(client, entry) -> str:
    url = _url("manage_waiting_list_extend", entry.congress, entry_id=entry.pk)
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]["fingerprint"].value()


def test_an_offer_is_extended_by_hours_and_the_person_told(
    client, alice, congress, workshop, django_capture_on_commit_callbacks
):
    entry = _offered(workshop, hours=5)
    before = entry.offer_expires_at
    client.force_login(alice)
    shown = _shown(client, entry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("manage_waiting_list_extend", congress, entry_id=entry.pk),
            {"hours": "24", "fingerprint": shown},
        )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.offer_expires_at == before + dt.timedelta(hours=24)
    assert [m.to for m in mail.outbox] == [[entry.email]]
    assert AuditEntry.objects.filter(action="convene.waiting_list.offer_extended").count() == 1


@pytest.mark.parametrize("hours", ["0", "-3", "99999", "abc", "", "<b>1</b>", "\u202e12"])
def test_a_bad_extension_is_refused_beside_the_field(client, alice, congress, workshop, hours):
    entry = _offered(workshop)
    before = entry.offer_expires_at
    client.force_login(alice)
    response = client.post(
        _url("manage_waiting_list_extend", congress, entry_id=entry.pk), {"hours": hours}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["hours"]
    entry.refresh_from_db()
    assert entry.offer_expires_at == before


def test_an_extension_over_someone_elses_is_refused(client, alice, congress, workshop):
    entry = _offered(workshop, hours=5)
    client.force_login(alice)
    shown = _shown(client, entry)
    services.extend_offer(entry=entry, hours=2, by=alice)
    entry.refresh_from_db()
    after_theirs = entry.offer_expires_at
    response = client.post(
        _url("manage_waiting_list_extend", congress, entry_id=entry.pk),
        {"hours": "24", "fingerprint": shown},
    )
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    entry.refresh_from_db()
    assert entry.offer_expires_at == after_theirs


def test_a_lapsed_offer_whose_seat_has_gone_cannot_be_extended(client, alice, congress, workshop):
    entry = _offered(workshop, hours=-1)
    _sold(workshop)
    client.force_login(alice)
    response = client.post(
        _url("manage_waiting_list_extend", congress, entry_id=entry.pk),
        {"hours": "24", "fingerprint": _shown(client, entry)},
    )
    assert response.status_code == 400
    assert "its seat has gone" in response.content.decode()


def test_a_lapsed_offer_with_a_seat_still_free_is_extended_from_now(congress, workshop, alice):
    entry = _offered(workshop, hours=-1)
    now = timezone.now()
    entry = services.extend_offer(entry=entry, hours=10, by=alice, now=now)
    assert entry.offer_expires_at == now + dt.timedelta(hours=10)


# --- withdraw -------------------------------------------------------------------------------


def test_a_withdrawn_offer_passes_its_seat_to_the_next_person_waiting(
    client, alice, congress, workshop, django_capture_on_commit_callbacks
):
    offered = _offered(workshop, name="Olga Offered", language="es")
    nxt = _wait(workshop, name="Nina Next")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("manage_waiting_list_withdraw", congress, entry_id=offered.pk))
    assert response.status_code == 302
    offered.refresh_from_db()
    nxt.refresh_from_db()
    assert offered.status == WaitingListStatus.WITHDRAWN
    assert nxt.status == WaitingListStatus.OFFERED
    assert sorted(m.to[0] for m in mail.outbox) == ["nina@city.example", "olga@city.example"]
    withdrawn = next(m for m in mail.outbox if m.to == ["olga@city.example"])
    assert offered.token not in withdrawn.body
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"convene.waiting_list.offer_withdrawn", "convene.waiting_list.offered"} <= actions


def test_a_waiting_person_has_no_offer_to_withdraw(congress, workshop, alice):
    with pytest.raises(OfferRefused):
        services.withdraw_offer(entry=_wait(workshop), by=alice)


# --- remove ---------------------------------------------------------------------------------


def test_removal_asks_first_then_removes_and_tells_the_person(
    client, alice, congress, workshop, django_capture_on_commit_callbacks
):
    entry = _wait(workshop, name="Ana Silva")
    client.force_login(alice)
    url = _url("manage_waiting_list_remove", congress, entry_id=entry.pk)
    page = client.get(url)
    assert page.status_code == 200 and "Ana Silva" in page.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitingListStatus.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitingListStatus.REMOVED
    assert [m.to for m in mail.outbox] == [["ana@city.example"]]
    assert AuditEntry.objects.filter(action="convene.waiting_list.removed").exists()


def test_removing_someone_with_an_offer_passes_the_seat_on(
    congress, workshop, alice, django_capture_on_commit_callbacks
):
    offered = _offered(workshop)
    nxt = _wait(workshop, name="Nina Next")
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_waiting_list(entry=offered, by=alice)
    nxt.refresh_from_db()
    assert nxt.status == WaitingListStatus.OFFERED


def test_a_removed_entry_cannot_be_removed_again(client, alice, congress, workshop):
    entry = _wait(workshop, status=WaitingListStatus.REMOVED)
    client.force_login(alice)
    response = client.post(
        _url("manage_waiting_list_remove", congress, entry_id=entry.pk), follow=True
    )
    assert "Only a person waiting or holding an offer can be removed." in response.content.decode()


def test_the_nav_links_the_waiting_list_for_the_registration_roles(client, congress, workshop):
    client.force_login(_member(congress, "finance"))
    page = client.get(_url("manage_waiting_list", congress)).content.decode()
    assert _url("manage_waiting_list", congress) in page
