"""A web worker killed between creating a PaymentIntent at Stripe and storing its id: the retry
reuses the first intent (one idempotency key per order, amount and currency), and the attempt
left behind neither blocks cancelling a delegate nor stays "created" for ever.

The kill is simulated at Stripe's edge only: the real call reaches the emulator, then the
process "dies" (a BaseException nothing in Convene catches) before anything is saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations.enums import OrderStatus
from registrations.models import Delegate, Payment
from registrations.payments import stripe as stripe_edge
from registrations.payments.enums import PaymentState
from registrations.payments.services import payments as payment_services
from registrations.payments.services.order_changes import cancel_delegate

from .conftest import make_order

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside the request: nothing after the Stripe call runs."""


@pytest.fixture
def stripe_calls(monkeypatch):
    """Records every PaymentIntent creation sent to Stripe; ``die_after_next()`` makes the next
    one kill the worker right after Stripe answered."""
    real = stripe_edge.create_payment_intent

    class Calls(list):
        dying = False

        def die_after_next(self):
            self.dying = True

    calls = Calls()

    def create(**kwargs):
        intent = real(**kwargs)
        calls.append({"key": kwargs["idempotency_key"], "intent": intent["id"]})
        if calls.dying:
            calls.dying = False
            raise WorkerKilled
        return intent

    monkeypatch.setattr(stripe_edge, "create_payment_intent", create)
    return calls


def intents_at_stripe(order) -> list[dict]:
    """Every PaymentIntent the emulator holds for ``order`` (by its metadata)."""
    listing = stripe_edge.get_client().v1.payment_intents.list(params={"limit": 100})
    return [
        intent.to_dict()
        for intent in listing.auto_paging_iter()
        if (intent.to_dict().get("metadata") or {}).get("order") == order.code
    ]


def killed_start(order, stripe_calls) -> Payment:
    stripe_calls.die_after_next()
    with pytest.raises(WorkerKilled):
        payment_services.start_card_payment(order=order)
    attempt = Payment.objects.get(order=order)
    assert attempt.state == PaymentState.CREATED and attempt.provider_id is None
    return attempt


def test_the_emulator_replays_a_request_sent_again_with_the_same_idempotency_key(stripe_on):
    """The test launcher makes localstripe honour Idempotency-Key the way Stripe does."""
    kwargs = {
        "amount": Decimal("12.00"),
        "currency": "EUR",
        "order_code": "IDEMP1",
        "congress_slug": "c",
        "idempotency_key": f"convene-test-{timezone.now().timestamp()}",
    }
    first = stripe_edge.create_payment_intent(**kwargs)
    again = stripe_edge.create_payment_intent(**kwargs)
    assert first["id"] == again["id"]


def test_a_retry_after_the_worker_died_past_the_stripe_call_reuses_the_first_intent(
    stripe_on, pending_order, stripe_calls
):
    killed_start(pending_order, stripe_calls)
    payment = payment_services.start_card_payment(order=pending_order)

    first, retry = stripe_calls
    assert retry["key"] == first["key"]
    assert pending_order.code in first["key"] and "EUR" in first["key"]
    assert Payment.objects.filter(order=pending_order).count() == 1
    assert payment.provider_id == first["intent"]
    assert payment.idempotency_key == first["key"]
    assert [intent["id"] for intent in intents_at_stripe(pending_order)] == [first["intent"]]
    assert intents_at_stripe(pending_order)[0]["metadata"]["attempt"] == first["key"]


def test_a_new_attempt_after_a_closed_one_gets_a_new_key(stripe_on, pending_order, stripe_calls):
    first = payment_services.start_card_payment(order=pending_order)
    Payment.objects.filter(pk=first.pk).update(state=PaymentState.FAILED)
    second = payment_services.start_card_payment(order=pending_order)
    assert second.pk != first.pk
    assert second.idempotency_key != first.idempotency_key
    assert second.provider_id != first.provider_id


def test_an_attempt_stuck_without_an_intent_does_not_block_cancelling_a_delegate(
    stripe_on, congress, stripe_calls
):
    order = make_order(congress, total="900.00", delegates=2)
    attempt = killed_start(order, stripe_calls)

    cancel_delegate(delegate=Delegate.objects.filter(order=order).first())

    order.refresh_from_db()
    attempt.refresh_from_db()
    assert order.total == Decimal("450.00")
    assert attempt.provider_id == stripe_calls[0]["intent"]
    assert attempt.state == PaymentState.CANCELED
    assert stripe_edge.retrieve_payment_intent(attempt.provider_id)["status"] == "canceled"


def test_reconciliation_attaches_the_first_intent_of_a_stale_attempt_and_closes_it(
    stripe_on, congress, stripe_calls
):
    order = make_order(congress)
    attempt = killed_start(order, stripe_calls)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Payment.objects.filter(pk=attempt.pk).update(created_at=long_ago)
    order.__class__.objects.filter(pk=order.pk).update(hold_expires_at=long_ago)

    counts = payment_services.reconcile_payments()

    attempt.refresh_from_db()
    assert attempt.provider_id == stripe_calls[0]["intent"]
    assert attempt.state == PaymentState.CANCELED
    assert counts.get("canceled") == 1
    assert [i["status"] for i in intents_at_stripe(order)] == ["canceled"]


def test_reconciliation_keeps_a_stale_attempt_usable_while_the_seats_are_held(
    stripe_on, pending_order, stripe_calls
):
    attempt = killed_start(pending_order, stripe_calls)
    Payment.objects.filter(pk=attempt.pk).update(
        created_at=timezone.now() - payment_services.STARTING_ATTEMPT_GRACE
    )
    payment_services.reconcile_payments()
    attempt.refresh_from_db()
    assert attempt.provider_id == stripe_calls[0]["intent"]
    assert attempt.state == PaymentState.CREATED
    assert payment_services.start_card_payment(order=pending_order).pk == attempt.pk


def test_reconciliation_marks_an_attempt_failed_once_stripe_forgot_its_key(
    stripe_on, congress, stripe_calls
):
    """Stripe keeps idempotency keys for 24 hours; an older attempt without an intent was never
    shown to anyone (its client secret never left the server), so it is closed, not looked up."""
    order = make_order(congress, hold_minutes=60 * 24 * 3)
    attempt = killed_start(order, stripe_calls)
    Payment.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))

    payment_services.reconcile_payments()

    attempt.refresh_from_db()
    assert attempt.state == PaymentState.FAILED
    assert attempt.provider_id is None
    assert attempt.failure_message
    assert len(stripe_calls) == 1  # Stripe was not asked again
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
