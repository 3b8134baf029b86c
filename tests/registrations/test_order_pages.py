"""The organisers' order page and approval queue: read by ``registrations.view``, acted on by
``registrations.manage``; approve, reject with a reason (seats released, the registrant told in
their language), cancel, edit a delegate (refused over someone else's change), resend an
e-mail, extend a hold, internal notes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.edit_conflicts import fingerprint
from events_site.congresses.models import AuditEntry
from registrations.capacity import count_taken
from registrations.errors import OrderStateError, RegistrationError, SoldOut
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, MemberOrganisation, Order, OrderNote
from registrations.models.vouchers import normalise_organisation_name
from registrations.services.orders import (
    DELEGATE_FIELDS,
    add_order_note,
    approve_order,
    extend_hold,
    place_order,
    reject_order,
)
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.registrations.conftest import order_kwargs

pytestmark = pytest.mark.django_db

HOSTILE_OK = [
    '<script>alert(1)</script> & "quotes"',
    "سبب الرفض: لا توجد وثيقة",
    "証明書が見つかりません",
    "x" * 1999,
]


def _url(name, congress, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _member(congress, role):
    user = UserFactory(username=f"{role}-{congress.slug}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


@pytest.fixture
def press(congress):
    return RegistrationTypeFactory(
        congress=congress,
        code="press",
        name="Press",
        regular_price=Decimal("100.00"),
        requires_approval=True,
        capacity=3,
    )


@pytest.fixture
def awaiting(congress, press):
    return place_order(**order_kwargs(congress, press, count=2, language="fr"))


@pytest.fixture
def manager(congress):
    return _member(congress, "registration")


def test_a_placed_press_order_awaits_approval(awaiting):
    assert awaiting.status == OrderStatus.AWAITING_APPROVAL


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "registration", "finance"])
def test_the_order_page_opens_for_everyone_who_sees_registrations(client, congress, awaiting, role):
    client.force_login(_member(congress, role))
    response = client.get(_url("manage_order", congress, code=awaiting.code))
    assert response.status_code == 200
    page = response.content.decode()
    assert awaiting.code in page and "Ana0" in page
    assert "/admin/" not in page
    can_act = role != "finance"
    assert (_url("manage_order_approve", congress, code=awaiting.code) in page) is can_act
    assert (_url("manage_order_note", congress, code=awaiting.code) in page) is can_act
    finance_page = reverse(
        "payments:manage_order", kwargs={"congress_slug": congress.slug, "code": awaiting.code}
    )
    assert (finance_page in page) is (role in ("owner", "finance"))


@pytest.mark.parametrize("role", ["checkin", "programme"])
def test_check_in_and_programme_get_403(client, congress, awaiting, role):
    client.force_login(_member(congress, role))
    assert client.get(_url("manage_order", congress, code=awaiting.code)).status_code == 403
    assert client.get(_url("manage_approvals", congress)).status_code == 403
    response = client.post(_url("manage_order_approve", congress, code=awaiting.code))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "manage_order_approve",
        "manage_order_reject",
        "manage_order_cancel",
        "manage_order_note",
        "manage_order_hold",
        "manage_order_resend",
    ],
)
def test_finance_reads_but_every_action_is_refused(client, congress, awaiting, name):
    client.force_login(_member(congress, "finance"))
    response = client.post(
        _url(name, congress, code=awaiting.code),
        {"reason": "no", "text": "note", "hours": "5", "confirm": "on", "template": "x"},
    )
    assert response.status_code == 403
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.AWAITING_APPROVAL
    assert not OrderNote.objects.exists()


def test_another_congresss_order_is_a_404(client, congress, other_congress, charlie, awaiting):
    client.force_login(charlie)
    other = OrderFactory(congress=other_congress, status=OrderStatus.AWAITING_APPROVAL)
    # charlie owns the other congress: its URL with this congress's order code is a 404
    assert client.get(_url("manage_order", other_congress, code=awaiting.code)).status_code == 404
    response = client.post(_url("manage_order_approve", other_congress, code=awaiting.code))
    assert response.status_code == 404
    # and this congress's owner cannot reach the other congress's order through theirs
    owner = _member(congress, "owner")
    client.force_login(owner)
    assert client.get(_url("manage_order", congress, code=other.code)).status_code == 404


def test_a_delegate_of_another_order_is_a_404(client, congress, manager, awaiting):
    stranger = DelegateFactory(order=OrderFactory(congress=congress))
    client.force_login(manager)
    url = _url("manage_order_delegate", congress, code=awaiting.code, delegate_id=stranger.pk)
    assert client.get(url).status_code == 404


def test_a_get_on_an_action_is_refused(client, congress, manager, awaiting):
    client.force_login(manager)
    assert client.get(_url("manage_order_approve", congress, code=awaiting.code)).status_code == 405


# --- approve and reject ---------------------------------------------------------------------


def test_a_manager_approves_with_a_message_the_registrant_reads(
    client, congress, manager, awaiting, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("manage_order_approve", congress, code=awaiting.code),
            {"message": "Welcome, press desk opens at 8."},
        )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.PENDING_PAYMENT
    assert awaiting.decision_reason == "Welcome, press desk opens at 8."
    assert AuditEntry.objects.filter(action="convene.order.approved", actor=manager).exists()
    sent = [m for m in mail.outbox if m.to == ["contact@city.example"]]
    assert sent and "Welcome, press desk opens at 8." in sent[-1].body
    assert "Bonjour" in sent[-1].body  # in the order's language
    page = client.get(awaiting.get_absolute_url()).content.decode()
    assert "Welcome, press desk opens at 8." in page


@pytest.mark.parametrize("reason", HOSTILE_OK)
def test_a_rejection_releases_the_seats_and_tells_the_registrant_why(
    client, congress, manager, press, awaiting, reason, django_capture_on_commit_callbacks
):
    assert count_taken(congress_id=congress.pk).by_type[press.pk] == 2
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("manage_order_reject", congress, code=awaiting.code), {"reason": reason}
        )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.CANCELLED
    assert awaiting.decision_reason == reason
    assert not Delegate.objects.filter(order=awaiting, is_cancelled=False).exists()
    assert count_taken(congress_id=congress.pk).by_type[press.pk] == 0
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"convene.order.rejected", "convene.order.cancelled"} <= actions
    sent = [m for m in mail.outbox if m.to == ["contact@city.example"]]
    assert len(sent) == 1  # the rejection (the placement was not sent on commit)
    assert reason in sent[-1].body and "Bonjour" in sent[-1].body
    page = client.get(awaiting.get_absolute_url()).content.decode()
    assert 'id="decision-reason"' in page
    assert "<script>alert(1)</script>" not in page
    if reason.startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "bad\x1b[31m", "x" * 10_001],
)
def test_a_rejection_needs_a_clean_reason_and_says_so_beside_the_field(
    client, congress, manager, awaiting, reason
):
    client.force_login(manager)
    response = client.post(
        _url("manage_order_reject", congress, code=awaiting.code), {"reason": reason}
    )
    assert response.status_code == 400
    assert response.context["reject_form"].errors.get("reason")
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.AWAITING_APPROVAL


def test_a_nul_in_the_reason_is_refused_without_losing_anything(
    client, congress, manager, awaiting
):
    client.force_login(manager)
    response = client.post(
        _url("manage_order_reject", congress, code=awaiting.code), {"reason": "bad\x00"}
    )
    assert response.status_code == 400
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.AWAITING_APPROVAL


def test_only_awaiting_orders_are_rejected(congress, press, manager):
    order = OrderFactory(congress=congress, status=OrderStatus.PAID)
    with pytest.raises(OrderStateError):
        reject_order(order=order, by=manager, reason="no")
    with pytest.raises(RegistrationError):
        reject_order(order=order, by=manager, reason="  ")


def test_a_second_decision_is_refused_beside_the_form(client, congress, manager, awaiting):
    approve_order(order=awaiting, by=manager)
    client.force_login(manager)
    response = client.post(
        _url("manage_order_reject", congress, code=awaiting.code), {"reason": "late"}
    )
    assert response.status_code == 400
    assert "awaiting approval" in str(response.context["reject_form"].non_field_errors())


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_shows_500_awaiting_orders_oldest_first_in_fixed_queries(
    client, congress, manager, django_assert_max_num_queries
):
    member_type = RegistrationTypeFactory(
        congress=congress, code="member", name="Member rate", requires_membership=True
    )
    MemberOrganisation.objects.create(
        congress=congress,
        name="City of Lisbon",
        normalised_name=normalise_organisation_name("City of Lisbon"),
    )
    now = timezone.now()
    orders = Order.objects.bulk_create(
        [
            Order(
                congress=congress,
                status=OrderStatus.AWAITING_APPROVAL,
                contact_name=f"Contact {n}",
                email=f"c{n}@example.org",
                currency="EUR",
                review_reason="Not on the member list: Nowhere Inc",
                needs_review=True,
            )
            for n in range(500)
        ]
    )
    for n, order in enumerate(orders):
        Order.objects.filter(pk=order.pk).update(created_at=now - dt.timedelta(minutes=500 - n))
    Delegate.objects.bulk_create(
        [
            Delegate(
                order=order,
                registration_type=member_type,
                given_name="Given",
                family_name=f"Family{n}",
                email=f"d{n}@example.org",
                organisation_name="City of Lisbon" if n % 2 else "Nowhere Inc",
            )
            for n, order in enumerate(orders)
        ]
    )
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        response = client.get(_url("manage_approvals", congress))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 50
    assert rows[0]["order"].pk == orders[0].pk  # oldest first
    page = response.content.decode()
    assert page.count('data-member="no"') == 25 and page.count('data-member="yes"') == 25
    with django_assert_max_num_queries(16):
        response = client.get(_url("manage_approvals", congress) + "?page=10")
    assert response.context["rows"][-1]["order"].pk == orders[-1].pk


def test_a_decision_in_the_queue_returns_to_the_queue(client, congress, manager, awaiting):
    client.force_login(manager)
    response = client.post(
        _url("manage_order_approve", congress, code=awaiting.code), {"from": "queue", "page": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("manage_approvals", congress) + "?page=1"


def test_a_queue_rejection_without_a_reason_comes_back_with_a_message(
    client, congress, manager, awaiting
):
    client.force_login(manager)
    response = client.post(
        _url("manage_order_reject", congress, code=awaiting.code),
        {"from": "queue", "reason": ""},
        follow=True,
    )
    assert "Give the registrant a reason" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.AWAITING_APPROVAL


def test_the_registrations_list_links_each_order_to_its_page(client, congress, awaiting):
    client.force_login(_member(congress, "registration"))
    page = client.get(_url("manage_list", congress)).content.decode()
    assert _url("manage_order", congress, code=awaiting.code) in page
    backoffice = reverse("congresses:backoffice", kwargs={"congress_slug": congress.slug})
    assert _url("manage_approvals", congress) in client.get(backoffice).content.decode()


# --- notes, cancel, edit, resend, hold --------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE_OK)
def test_notes_are_added_newest_first_and_never_shown_to_the_registrant(
    client, congress, manager, awaiting, text
):
    client.force_login(manager)
    add_order_note(order=awaiting, by=manager, text="first note")
    response = client.post(_url("manage_order_note", congress, code=awaiting.code), {"text": text})
    assert response.status_code == 302
    notes = list(OrderNote.objects.filter(order=awaiting).values_list("text", flat=True))
    assert notes == [text, "first note"]
    assert AuditEntry.objects.filter(action="convene.order.note_added").count() == 2
    page = client.get(_url("manage_order", congress, code=awaiting.code)).content.decode()
    assert page.index("first note") > page.index('note"')  # listed below the form
    assert "<script>alert(1)</script>" not in page
    public = client.get(awaiting.get_absolute_url()).content.decode()
    assert "first note" not in public


@pytest.mark.parametrize("text", ["", "note\x07", "x" * 5001])
def test_a_bad_note_is_refused_beside_the_field(client, congress, manager, awaiting, text):
    client.force_login(manager)
    response = client.post(_url("manage_order_note", congress, code=awaiting.code), {"text": text})
    assert response.status_code == 400
    assert response.context["note_form"].errors["text"]
    assert not OrderNote.objects.exists()


def test_a_manager_cancels_the_order_with_a_reason(
    client, congress, manager, awaiting, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = _url("manage_order_cancel", congress, code=awaiting.code)
    response = client.post(url, {"reason": "duplicate"})
    assert response.status_code == 400  # the box is not ticked
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "duplicate", "confirm": "on"})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == OrderStatus.CANCELLED
    assert awaiting.cancellation_reason == "duplicate"


def test_a_manager_cancels_one_delegate(client, congress, manager, awaiting):
    first, second = awaiting.delegates.order_by("id")
    client.force_login(manager)
    response = client.post(
        _url("manage_order_delegate_cancel", congress, code=awaiting.code, delegate_id=first.pk),
        {"reason": "left the paper"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_cancelled and not second.is_cancelled
    assert AuditEntry.objects.filter(action="convene.delegate.cancelled").exists()


def test_a_manager_edits_a_delegate_but_not_over_someone_elses_change(
    client, congress, manager, awaiting
):
    delegate = awaiting.delegates.order_by("id").first()
    client.force_login(manager)
    url = _url("manage_order_delegate", congress, code=awaiting.code, delegate_id=delegate.pk)
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields if name != "listed_publicly"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["given_name"] = "Анна"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    delegate.refresh_from_db()
    assert delegate.given_name == "Анна"
    assert AuditEntry.objects.filter(action="convene.delegate.updated", actor=manager).exists()
    # the old fingerprint no longer matches: the second save is refused, nothing changes
    data["given_name"] = "Other"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Someone else changed this" in str(response.context["form"].non_field_errors())
    delegate.refresh_from_db()
    assert delegate.given_name == "Анна"
    assert data["fingerprint"] != fingerprint(delegate, DELEGATE_FIELDS)


def test_resending_the_approval_email_goes_in_the_orders_language(
    client, congress, manager, awaiting, django_capture_on_commit_callbacks
):
    approve_order(order=awaiting, by=manager)
    client.force_login(manager)
    mail.outbox.clear()
    url = _url("manage_order_resend", congress, code=awaiting.code)
    assert client.post(url, {"template": "confirmation"}).status_code == 400  # not paid
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"template": "approved"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "Bonjour" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="convene.order.email_resent").exists()


def test_extending_a_hold_adds_hours_and_is_audited(client, congress, manager, awaiting):
    approve_order(order=awaiting, by=manager)
    awaiting.refresh_from_db()
    before = awaiting.hold_expires_at
    client.force_login(manager)
    response = client.post(_url("manage_order_hold", congress, code=awaiting.code), {"hours": "24"})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.hold_expires_at == before + dt.timedelta(hours=24)
    assert AuditEntry.objects.filter(action="convene.order.hold_extended").exists()


@pytest.mark.parametrize("hours", ["0", "-1", "721", "many"])
def test_a_bad_extension_is_refused_beside_the_field(client, congress, manager, awaiting, hours):
    approve_order(order=awaiting, by=manager)
    client.force_login(manager)
    url = _url("manage_order_hold", congress, code=awaiting.code)
    response = client.post(url, {"hours": hours})
    assert response.status_code == 400
    assert response.context["extend_form"].errors["hours"]


def test_an_expired_hold_is_extended_only_if_its_seats_are_still_free(congress, press, manager):
    order = place_order(**order_kwargs(congress, press, count=2))
    approve_order(order=order, by=manager)
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.EXPIRED, hold_expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    order.refresh_from_db()
    taker = place_order(**order_kwargs(congress, press, count=2, email="other@example.org"))
    assert taker.status == OrderStatus.AWAITING_APPROVAL  # 2 of 3 seats gone meanwhile
    with pytest.raises(SoldOut):
        extend_hold(order=order, by=manager, hours=12)
    reject_order(order=taker, by=manager, reason="duplicate")
    extended = extend_hold(order=order, by=manager, hours=12)
    assert extended.status == OrderStatus.PENDING_PAYMENT
    assert extended.hold_expires_at > timezone.now() + dt.timedelta(hours=11)
