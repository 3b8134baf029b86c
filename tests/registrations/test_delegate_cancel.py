"""Cancelling one delegate out of a delegation: the service rules, the self-service pages, the
organisers' API and admin action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events_site.congresses.models import AuditEntry
from registrations.capacity import count_taken
from registrations.enums import OrderStatus, WaitingListStatus
from registrations.errors import DeadlinePassed, OrderStateError
from registrations.models import Delegate, Invoice, Order, Payment, RegistrationSettings
from registrations.payments import stripe as stripe_edge
from registrations.payments.enums import InvoiceKind, PaymentState
from registrations.payments.services import payments as payment_services
from registrations.payments.services.invoicing import issue_invoice
from registrations.payments.services.order_changes import cancel_delegate, cancel_own_delegate
from registrations.services.delegates import (
    delegate_cancellation_terms,
)
from registrations.services.orders import (
    cancel_own_order,
    cancellation_terms,
    mark_order_paid,
    place_order,
)
from registrations.services.waiting_list import join_waiting_list
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.payments.conftest import localstripe, stripe_on  # noqa: F401 (fixtures)

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"


@pytest.fixture
def three(congress, regtype):
    """An unpaid delegation of three (450 each) placed by a city's focal point."""
    return place_order(**order_kwargs(congress, regtype, 3))


def delegates_of(order) -> list[Delegate]:
    """Fresh from the database, each with its own copy of the order (as a request has)."""
    return list(Delegate.objects.filter(order=order).order_by("id"))


def cancelled_entries():
    return AuditEntry.objects.filter(action="convene.delegate.cancelled")


def order_url(order, name="order", **kwargs) -> str:
    return reverse(
        f"registrations:{name}",
        kwargs={"congress_slug": order.congress.slug, "code": order.code, "secret": order.secret}
        | kwargs,
    )


def cancel_url(order, delegate) -> str:
    return order_url(order, "delegate_cancel", delegate_secret=delegate.secret)


# --- the service --------------------------------------------------------------------------------


def test_cancelling_one_of_three_unpaid_delegates_lowers_the_total_and_offers_the_seat(
    congress, mailoutbox, django_capture_on_commit_callbacks
):
    full = RegistrationTypeFactory(congress=congress, capacity=3, regular_price=Decimal("450"))
    order = place_order(**order_kwargs(congress, full, 3))
    waiting = join_waiting_list(
        congress=congress, registration_type=full, name="Wen", email="wen@x.example", language="fr"
    )
    mayor = delegates_of(order)[0]
    assert count_taken(congress_id=congress.pk).total == 3

    with django_capture_on_commit_callbacks(execute=True):
        cancel_own_delegate(delegate=mayor, reason="The mayor cannot come")

    order.refresh_from_db()
    mayor.refresh_from_db()
    waiting.refresh_from_db()
    assert mayor.is_cancelled
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.total == Decimal("900.00")
    assert order.currency == "EUR"
    assert waiting.status == WaitingListStatus.OFFERED
    # two delegates and the seat reserved for the offer
    assert count_taken(congress_id=congress.pk).total == 3
    entry = cancelled_entries().get()
    assert entry.target_id == str(mayor.pk)
    assert entry.data["code"] == order.code
    assert entry.data["delegate"] == mayor.pk
    assert entry.data["name"] == "Ana0 Silva0"
    assert entry.data["fee"] == "0.00"
    assert entry.data["total"] == "900.00"
    to_contact = [m for m in mail.outbox if m.to == ["contact@city.example"]]
    assert len(to_contact) == 1
    assert "Ana0 Silva0" in to_contact[0].subject
    assert "€900.00" in to_contact[0].body
    assert "Ana1 Silva1" in to_contact[0].body
    assert [m.to for m in mail.outbox if m.to == ["ana0@city.example"]] == [["ana0@city.example"]]
    assert any(m.to == ["wen@x.example"] for m in mail.outbox)


def test_a_cancelled_seat_is_no_longer_counted(congress, three):
    cancel_delegate(delegate=delegates_of(three)[2])
    assert count_taken(congress_id=congress.pk).total == 2


def test_the_contacts_email_is_in_the_orders_language(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(**order_kwargs(congress, regtype, 2, language="fr"))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_delegate(delegate=delegates_of(order)[0])
    to_contact = next(m for m in mail.outbox if m.to == ["contact@city.example"])
    assert "Nouveau total" in to_contact.body
    assert "annulée" in to_contact.subject


def test_paid_order_keeps_its_total_and_records_the_per_seat_fee(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, cancellation_fee=Decimal("50"))
    order = mark_order_paid(order=place_order(**order_kwargs(congress, regtype, 3)))
    delegate = delegates_of(order)[1]
    terms = delegate_cancellation_terms(delegate=delegate)
    assert (terms["fee"], terms["refundable"], terms["whole_order"]) == (
        Decimal("50.00"),
        Decimal("400.00"),
        False,
    )

    cancel_own_delegate(delegate=delegate)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.total == Decimal("1350.00")
    assert order.cancellation_fee == Decimal("50.00")
    entry = cancelled_entries().get()
    assert (entry.data["fee"], entry.data["refundable"]) == ("50.00", "400.00")


def test_the_fee_is_never_more_than_the_delegates_price(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, cancellation_fee=Decimal("1000"))
    order = mark_order_paid(order=place_order(**order_kwargs(congress, regtype, 2)))
    cancel_own_delegate(delegate=delegates_of(order)[0])
    order.refresh_from_db()
    assert order.cancellation_fee == Decimal("450.00")


def test_cancelling_the_rest_of_the_order_later_keeps_the_fees_already_recorded(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, cancellation_fee=Decimal("50"))
    order = mark_order_paid(order=place_order(**order_kwargs(congress, regtype, 3)))
    cancel_own_delegate(delegate=delegates_of(order)[0])
    order.refresh_from_db()
    assert cancellation_terms(order=order)["fee"] == Decimal("150.00")
    assert cancel_own_order(order=order).cancellation_fee == Decimal("150.00")


def test_organisers_cancel_without_a_fee_like_whole_orders(congress, regtype, alice):
    RegistrationSettings.objects.create(congress=congress, cancellation_fee=Decimal("50"))
    order = mark_order_paid(order=place_order(**order_kwargs(congress, regtype, 2)))
    cancel_delegate(delegate=delegates_of(order)[0], by=alice, reason="asked by phone")
    order.refresh_from_db()
    assert order.cancellation_fee == 0
    entry = cancelled_entries().get()
    assert entry.actor == alice
    assert entry.data["refundable"] == "450.00"


def test_the_last_delegate_cancels_the_whole_order(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(**order_kwargs(congress, regtype, 2))
    first, last = delegates_of(order)
    cancel_own_delegate(delegate=first)
    assert delegate_cancellation_terms(delegate=last)["whole_order"]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_own_delegate(delegate=last)
    order.refresh_from_db()
    last.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert last.is_cancelled
    assert cancelled_entries().count() == 1  # the second one is the order's cancellation
    assert AuditEntry.objects.filter(action="convene.order.cancelled").count() == 1
    assert any("cancelled" in m.subject and order.code in m.subject for m in mail.outbox)


def test_after_the_deadline_self_service_is_refused_and_nothing_changes(congress, regtype, three):
    RegistrationSettings.objects.create(
        congress=congress, cancellation_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    delegate = delegates_of(three)[0]
    assert not delegate_cancellation_terms(delegate=delegate)["allowed"]
    with pytest.raises(DeadlinePassed):
        cancel_own_delegate(delegate=delegate)
    delegate.refresh_from_db()
    three.refresh_from_db()
    assert not delegate.is_cancelled
    assert three.total == Decimal("1350.00")
    assert not cancelled_entries().exists()


@pytest.mark.parametrize(
    "status", [OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUNDED]
)
def test_delegates_of_inactive_orders_cannot_be_cancelled(congress, status):
    order = OrderFactory(congress=congress, status=status, total=Decimal("900"))
    delegate = DelegateFactory(order=order)
    DelegateFactory(order=order)
    with pytest.raises(OrderStateError, match="cannot be cancelled"):
        cancel_delegate(delegate=delegate)
    with pytest.raises(OrderStateError):
        cancel_own_delegate(delegate=delegate)
    delegate.refresh_from_db()
    assert not delegate.is_cancelled


def test_a_stale_delegate_object_is_checked_against_the_locked_order(congress, three):
    delegate = delegates_of(three)[0]
    Order.objects.filter(pk=three.pk).update(status=OrderStatus.EXPIRED)
    with pytest.raises(OrderStateError):
        cancel_delegate(delegate=delegate)  # delegate.order still says pending payment
    delegate.refresh_from_db()
    assert not delegate.is_cancelled


def test_cancelling_twice_changes_nothing_the_second_time(congress, three):
    delegate = delegates_of(three)[0]
    stale = Delegate.objects.get(pk=delegate.pk)
    cancel_delegate(delegate=delegate)
    assert cancel_delegate(delegate=stale).is_cancelled  # re-read under the lock
    three.refresh_from_db()
    assert three.total == Decimal("900.00")
    assert cancelled_entries().count() == 1


def test_an_issued_invoice_is_corrected_to_the_new_total(congress, three):
    first = issue_invoice(order=three, send=False)
    cancelled = delegates_of(three)[0]
    cancel_delegate(delegate=cancelled)
    three.refresh_from_db()
    note = Invoice.objects.get(order=three, kind=InvoiceKind.CREDIT_NOTE)
    replacement = Invoice.objects.filter(order=three, kind=InvoiceKind.INVOICE).latest("number")
    assert note.corrects == first and note.gross == Decimal("-1350.00")
    assert replacement.gross == Decimal("900.00") == three.total
    assert replacement.payment_instructions
    assert sum(Decimal(line["amount"]) for line in replacement.lines) == Decimal("900.00")
    descriptions = " ".join(line["description"] for line in replacement.lines)
    assert cancelled.printed_name not in descriptions
    assert "Ana1 Silva1" in descriptions and "Ana2 Silva2" in descriptions


def test_a_partly_paid_order_covered_by_what_was_received_becomes_paid(congress, three):
    payment_services.record_bank_transfer(
        order=three, amount=Decimal("900.00"), received_on=dt.date(2027, 1, 5)
    )
    three.refresh_from_db()
    assert three.status == OrderStatus.PENDING_PAYMENT
    cancel_delegate(delegate=delegates_of(three)[0])
    three.refresh_from_db()
    assert three.status == OrderStatus.PAID
    assert three.total == Decimal("900.00")
    assert Invoice.objects.get(order=three).gross == Decimal("900.00")


def test_an_open_card_attempt_for_the_old_total_is_cancelled_at_stripe(stripe_on, three):  # noqa: F811
    attempt = payment_services.start_card_payment(order=three)
    cancel_own_delegate(delegate=delegates_of(three)[0])
    attempt.refresh_from_db()
    assert attempt.state == PaymentState.CANCELED
    assert stripe_edge.retrieve_payment_intent(attempt.provider_id)["status"] == "canceled"
    three.refresh_from_db()
    again = payment_services.start_card_payment(order=three)
    assert again.pk != attempt.pk
    assert again.amount == Decimal("900.00")
    assert stripe_edge.retrieve_payment_intent(again.provider_id)["amount"] == 90000


def test_a_card_payment_being_processed_refuses_the_cancellation(congress, three):
    Payment.objects.create(
        order=three,
        provider="stripe",
        provider_id="pi_processing",
        amount=three.total,
        currency="EUR",
        state=PaymentState.PROCESSING,
    )
    delegate = delegates_of(three)[0]
    with pytest.raises(OrderStateError, match="card payment"):
        cancel_own_delegate(delegate=delegate)
    delegate.refresh_from_db()
    three.refresh_from_db()
    assert not delegate.is_cancelled
    assert three.total == Decimal("1350.00")


def test_a_card_attempt_started_under_the_old_total_cannot_be_created(stripe_on, three):  # noqa: F811
    stale = Order.objects.get(pk=three.pk)
    cancel_delegate(delegate=delegates_of(three)[0])
    with pytest.raises(OrderStateError, match="changed meanwhile"):
        payment_services.start_card_payment(order=stale)


# --- self-service pages -------------------------------------------------------------------------


def test_order_page_offers_a_cancel_link_per_delegate_while_more_than_one_is_registered(
    client, three
):
    html = client.get(order_url(three)).content.decode()
    assert html.count('class="delegate-cancel"') == 3
    first, second, third = delegates_of(three)
    cancel_delegate(delegate=first)
    cancel_delegate(delegate=second)
    html = client.get(order_url(three)).content.decode()
    assert 'class="delegate-cancel"' not in html
    assert order_url(three, "order_cancel") in html  # the whole-order cancellation stays


def test_order_page_has_no_delegate_cancel_link_after_the_deadline(client, congress, three):
    RegistrationSettings.objects.create(
        congress=congress, cancellation_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    assert 'class="delegate-cancel"' not in client.get(order_url(three)).content.decode()


def test_confirmation_page_shows_what_happens_and_escapes_names(client, three):
    delegate = delegates_of(three)[0]
    Delegate.objects.filter(pk=delegate.pk).update(given_name="<script>alert(1)</script>")
    response = client.get(cancel_url(three, delegate))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "€900.00" in html  # the new total
    assert "Yes, cancel this delegate&#x27;s registration" in html  # not the whole order's box


def test_posting_without_the_confirmation_box_changes_nothing(client, three):
    delegate = delegates_of(three)[0]
    response = client.post(cancel_url(three, delegate), {"reason": "x"})
    assert response.status_code == 400
    delegate.refresh_from_db()
    assert not delegate.is_cancelled


def test_confirmed_post_cancels_flashes_and_returns_to_the_order(client, three):
    delegate = delegates_of(three)[0]
    response = client.post(
        cancel_url(three, delegate), {"confirm": "on", "reason": "ill"}, follow=True
    )
    assert response.redirect_chain == [(order_url(three), 302)]
    assert "The registration of Ana0 Silva0 was cancelled." in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.is_cancelled
    assert cancelled_entries().get().data["reason"] == "ill"


def test_a_double_post_cancels_once(client, three):
    delegate = delegates_of(three)[0]
    for _n in range(2):
        response = client.post(cancel_url(three, delegate), {"confirm": "on"})
        assert response.status_code == 302
    three.refresh_from_db()
    assert three.total == Decimal("900.00")
    assert cancelled_entries().count() == 1
    assert "already cancelled" in client.get(cancel_url(three, delegate)).content.decode()


def test_after_the_deadline_the_page_says_so_and_a_post_is_refused(client, congress, three):
    RegistrationSettings.objects.create(
        congress=congress, cancellation_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    delegate = delegates_of(three)[0]
    assert (
        "can no longer be cancelled online"
        in client.get(cancel_url(three, delegate)).content.decode()
    )
    response = client.post(cancel_url(three, delegate), {"confirm": "on"})
    assert response.status_code == 400
    delegate.refresh_from_db()
    assert not delegate.is_cancelled


def test_a_wrong_order_secret_is_a_404(client, three):
    delegate = delegates_of(three)[0]
    url = reverse(
        "registrations:delegate_cancel",
        kwargs={
            "congress_slug": SLUG,
            "code": three.code,
            "secret": "x" * 43,
            "delegate_secret": delegate.secret,
        },
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404


def test_a_wrong_delegate_secret_is_a_404(client, three):
    url = order_url(three, "delegate_cancel", delegate_secret="nope")
    assert client.post(url, {"confirm": "on"}).status_code == 404


def test_another_orders_delegate_is_a_404(client, congress, regtype, three):
    other = place_order(**order_kwargs(congress, regtype, 2, email="other@city.example"))
    stranger = delegates_of(other)[0]
    assert client.post(cancel_url(three, stranger), {"confirm": "on"}).status_code == 404
    stranger.refresh_from_db()
    assert not stranger.is_cancelled


# --- organisers ---------------------------------------------------------------------------------


def api_url(delegate) -> str:
    return f"/api/v1/congresses/{SLUG}/delegates/{delegate.pk}/cancel/"


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_api_cancels_one_delegate(api, three, alice):
    delegate = delegates_of(three)[0]
    response = api.post(api_url(delegate), {"reason": "duplicate"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == delegate.pk
    assert response.json()["is_cancelled"] is True
    three.refresh_from_db()
    assert three.total == Decimal("900.00")
    assert cancelled_entries().get().actor == alice


def test_api_refuses_delegates_of_inactive_orders_clearly(api, three):
    delegate = delegates_of(three)[0]
    Order.objects.filter(pk=three.pk).update(status=OrderStatus.CANCELLED)
    response = api.post(api_url(delegate), {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "order_state"
    assert "cannot be cancelled" in response.json()["detail"]


def test_api_rejects_a_reason_that_is_too_long(api, three):
    delegate = delegates_of(three)[0]
    response = api.post(api_url(delegate), {"reason": "x" * 501}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    delegate.refresh_from_db()
    assert not delegate.is_cancelled


def test_api_another_congresss_delegate_is_a_404(api, other_congress, regtype):
    foreign_type = RegistrationTypeFactory(congress=other_congress, regular_price=Decimal("10"))
    other = place_order(**order_kwargs(other_congress, foreign_type, 2))
    response = api.post(api_url(delegates_of(other)[0]), {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "charlie", "bob", "finance"])
def test_api_cancel_needs_the_manage_permission(request, congress, three, who):
    client = APIClient()
    if who == "finance":
        user = UserFactory(username="fin")
        TeamMembershipFactory(congress=congress, user=user, role="finance")  # reads, not manages
        client.force_authenticate(user)
    elif who != "anonymous":
        client.force_authenticate(request.getfixturevalue(who))
    delegate = delegates_of(three)[0]
    response = client.post(api_url(delegate), {}, format="json")
    assert response.status_code in (401, 403, 404)
    delegate.refresh_from_db()
    assert not delegate.is_cancelled


def test_admin_action_cancels_through_the_service_and_reports_refusals(
    client, congress, regtype, three, alice
):
    alice.is_staff = True
    alice.save()
    done = OrderFactory(congress=congress, status=OrderStatus.REFUNDED)
    refused = DelegateFactory(order=done, given_name="Refused")
    DelegateFactory(order=done)
    chosen = delegates_of(three)[0]
    client.force_login(alice)
    response = client.post(
        reverse("admin:registrations_delegate_changelist"),
        {"action": "cancel_selected", "_selected_action": [chosen.pk, refused.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 delegate(s) cancelled." in html
    assert "cannot be cancelled" in html
    chosen.refresh_from_db()
    refused.refresh_from_db()
    assert chosen.is_cancelled and not refused.is_cancelled
