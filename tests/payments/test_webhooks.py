"""The webhook: signatures checked like Stripe, each event once, states only forward."""

import json
import time
from decimal import Decimal

import pytest

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import Invoice, Payment, Refund, StripeEvent
from registrations.payments import stripe as stripe_edge
from registrations.payments.enums import PaymentState, RefundState
from registrations.payments.services import payments as payment_services
from registrations.payments.services import refunds as refund_services

from .conftest import event, make_order, sign
from .test_card_payments import _pay_at_stripe_without_telling_us

pytestmark = pytest.mark.django_db

URL = "/payments/stripe/webhook/"


@pytest.fixture
def paid_intent(stripe_on, pending_order):
    """An intent paid at Stripe whose webhook has not arrived yet."""
    payment = payment_services.start_card_payment(order=pending_order)
    return _pay_at_stripe_without_telling_us(stripe_on, payment)


def _status(order):
    order.refresh_from_db()
    return order.status


def test_a_signed_success_event_marks_the_order_paid(post_webhook, paid_intent, pending_order):
    response = post_webhook(event("payment_intent.succeeded", paid_intent))
    assert response.status_code == 200
    assert response.json()["outcome"] == "paid"
    assert _status(pending_order) == OrderStatus.PAID


def test_a_replayed_event_changes_nothing_the_second_time(post_webhook, paid_intent, pending_order):
    payload = event("payment_intent.succeeded", paid_intent)
    post_webhook(payload)
    audit_before = AuditEntry.objects.count()
    response = post_webhook(payload)
    assert response.status_code == 200
    assert response.json()["outcome"] == "duplicate"
    assert AuditEntry.objects.count() == audit_before
    assert StripeEvent.objects.filter(event_id=payload["id"]).count() == 1
    assert Invoice.objects.filter(order=pending_order).count() == 1


def test_the_same_success_under_a_new_event_id_confirms_nothing_twice(
    post_webhook, paid_intent, pending_order
):
    post_webhook(event("payment_intent.succeeded", paid_intent))
    response = post_webhook(event("payment_intent.succeeded", paid_intent))
    assert response.json()["outcome"] == "already_settled"
    assert AuditEntry.objects.filter(action="convene.order.paid").count() == 1


def test_a_stale_signature_is_refused_and_changes_nothing(post_webhook, paid_intent, pending_order):
    stale = int(time.time()) - stripe_edge.WEBHOOK_TOLERANCE_SECONDS - 60
    response = post_webhook(event("payment_intent.succeeded", paid_intent), timestamp=stale)
    assert response.status_code == 400
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_signature_with_the_wrong_secret_is_refused(post_webhook, paid_intent, pending_order):
    response = post_webhook(event("payment_intent.succeeded", paid_intent), secret="whsec_other")
    assert response.status_code == 400
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT


def test_a_missing_signature_is_refused(post_webhook, paid_intent, pending_order):
    response = post_webhook(event("payment_intent.succeeded", paid_intent), header=None)
    assert response.status_code == 400
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT


def test_a_tampered_body_is_refused(client, paid_intent, pending_order):
    body = json.dumps(event("payment_intent.succeeded", {**paid_intent, "amount": 1}))
    header = sign(body)
    tampered = body.replace('"amount": 1', '"amount": 45000')
    response = client.post(
        URL, data=tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


def test_an_unknown_event_type_is_acknowledged_and_ignored(post_webhook, stripe_on):
    response = post_webhook(event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


def test_an_event_for_an_intent_we_do_not_know_is_acknowledged(post_webhook, stripe_on):
    response = post_webhook(
        event("payment_intent.succeeded", {"id": "pi_unknown", "status": "succeeded"})
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown_payment_intent"


def test_a_late_failure_event_does_not_undo_a_success(post_webhook, paid_intent, pending_order):
    failed_snapshot = {
        **paid_intent,
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card was declined."},
    }
    post_webhook(event("payment_intent.succeeded", paid_intent))
    response = post_webhook(event("payment_intent.payment_failed", failed_snapshot))
    assert response.json()["outcome"] == "no_change"
    assert _status(pending_order) == OrderStatus.PAID
    assert Payment.objects.get(order=pending_order).state == PaymentState.SUCCEEDED


def test_a_failure_then_a_success_on_the_same_intent_ends_paid(
    post_webhook, paid_intent, pending_order
):
    failed_snapshot = {
        **paid_intent,
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card was declined."},
    }
    assert (
        post_webhook(event("payment_intent.payment_failed", failed_snapshot)).json()["outcome"]
        == "failed"
    )
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT
    assert post_webhook(event("payment_intent.succeeded", paid_intent)).json()["outcome"] == "paid"
    assert _status(pending_order) == OrderStatus.PAID


def test_a_cancelled_intent_closes_the_attempt(post_webhook, stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    intent = stripe_edge.cancel_payment_intent(payment.provider_id)
    assert post_webhook(event("payment_intent.canceled", intent)).json()["outcome"] == "canceled"
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELED
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT


def test_an_amount_mismatch_flags_the_order_instead_of_confirming_it(
    post_webhook, paid_intent, pending_order
):
    response = post_webhook(event("payment_intent.succeeded", {**paid_intent, "amount": 100}))
    assert response.json()["outcome"] == "mismatch"
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PENDING_PAYMENT
    assert pending_order.needs_review
    assert "does not match" in pending_order.review_reason


def test_a_currency_mismatch_flags_the_order(post_webhook, paid_intent, pending_order):
    response = post_webhook(event("payment_intent.succeeded", {**paid_intent, "currency": "usd"}))
    assert response.json()["outcome"] == "mismatch"
    pending_order.refresh_from_db()
    assert pending_order.needs_review and pending_order.status == OrderStatus.PENDING_PAYMENT


def test_success_for_a_cancelled_order_is_flagged_and_refunded(
    post_webhook, paid_intent, pending_order, django_capture_on_commit_callbacks
):
    type(pending_order).objects.filter(pk=pending_order.pk).update(status=OrderStatus.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(event("payment_intent.succeeded", paid_intent))
    assert response.json()["outcome"] == "not_payable_refunded"
    refund = Refund.objects.get(order=pending_order)
    assert refund.automatic and refund.provider_id


def test_a_second_successful_payment_of_a_paid_order_is_refunded(
    post_webhook, stripe_on, pending_order, django_capture_on_commit_callbacks
):
    first = payment_services.start_card_payment(order=pending_order)
    intent_one = _pay_at_stripe_without_telling_us(stripe_on, first)
    Payment.objects.filter(pk=first.pk).update(amount=Decimal("450.00"))
    # A second tab started its own attempt before the first one finished.
    second = Payment.objects.create(
        order=pending_order, provider="stripe", amount=Decimal("450.00"), currency="EUR"
    )
    intent = stripe_edge.create_payment_intent(
        amount=Decimal("450.00"),
        currency="EUR",
        order_code=pending_order.code,
        congress_slug=pending_order.congress.slug,
        idempotency_key="second-tab",
    )
    Payment.objects.filter(pk=second.pk).update(provider_id=intent["id"])
    second.refresh_from_db()
    intent_two = _pay_at_stripe_without_telling_us(stripe_on, second)
    post_webhook(event("payment_intent.succeeded", intent_one))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(event("payment_intent.succeeded", intent_two))
    assert response.json()["outcome"] == "duplicate_refunded"
    assert Refund.objects.get(order=pending_order).payment == second
    assert _status(pending_order) == OrderStatus.PAID


def test_refund_confirmed_by_webhook_turns_the_order_partially_refunded(
    post_webhook, paid_intent, pending_order
):
    post_webhook(event("payment_intent.succeeded", paid_intent))
    pending_order.refresh_from_db()
    (refund,) = refund_services.request_refund(order=pending_order, amount=Decimal("100.00"))
    assert refund.state == RefundState.PENDING and refund.provider_id
    assert _status(pending_order) == OrderStatus.PAID  # not before Stripe confirms
    stripe_refund = stripe_edge.retrieve_refund(refund.provider_id)
    response = post_webhook(event("refund.updated", stripe_refund))
    assert response.json()["outcome"] == "refund_confirmed"
    assert _status(pending_order) == OrderStatus.PARTIALLY_REFUNDED
    note = Invoice.objects.get(order=pending_order, kind="credit_note")
    assert note.gross == Decimal("-100.00")


def test_charge_refunded_event_confirms_a_full_refund_once(
    post_webhook, paid_intent, pending_order
):
    post_webhook(event("payment_intent.succeeded", paid_intent))
    pending_order.refresh_from_db()
    (refund,) = refund_services.request_refund(order=pending_order, amount=Decimal("450.00"))
    stripe_refund = stripe_edge.retrieve_refund(refund.provider_id)
    charge = {
        "id": stripe_refund["charge"],
        "object": "charge",
        "refunded": True,
        "refunds": {"object": "list", "data": [stripe_refund]},
    }
    assert post_webhook(event("charge.refunded", charge)).json()["outcome"] == "refund_confirmed"
    assert post_webhook(event("refund.updated", stripe_refund)).json()["outcome"] == "no_change"
    assert _status(pending_order) == OrderStatus.REFUNDED
    assert Invoice.objects.filter(order=pending_order, kind="credit_note").count() == 1


def test_a_refund_event_arriving_before_we_stored_its_id_still_matches(
    post_webhook, paid_intent, pending_order
):
    post_webhook(event("payment_intent.succeeded", paid_intent))
    pending_order.refresh_from_db()
    (refund,) = refund_services.request_refund(order=pending_order, amount=Decimal("50.00"))
    stripe_refund = stripe_edge.retrieve_refund(refund.provider_id)
    Refund.objects.filter(pk=refund.pk).update(provider_id=None)
    assert post_webhook(event("refund.updated", stripe_refund)).json()["outcome"] == (
        "refund_confirmed"
    )


def test_webhook_processing_makes_no_network_call(post_webhook, paid_intent, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    assert post_webhook(event("payment_intent.succeeded", paid_intent)).json()["outcome"] == "paid"


def test_a_mismatched_pending_order_elsewhere_is_untouched(post_webhook, paid_intent, congress):
    other = make_order(congress)
    post_webhook(event("payment_intent.succeeded", paid_intent))
    assert _status(other) == OrderStatus.PENDING_PAYMENT


# --- timestamps outside the tolerance, both ways ------------------------------------------------

ONE_YEAR = 365 * 24 * 3600


@pytest.mark.parametrize("offset", [ONE_YEAR, -ONE_YEAR], ids=["a year ahead", "a year ago"])
def test_a_correctly_signed_event_dated_outside_the_tolerance_is_refused(
    post_webhook, paid_intent, pending_order, offset
):
    payload = event("payment_intent.succeeded", paid_intent)
    response = post_webhook(payload, timestamp=int(time.time()) + offset)
    assert response.status_code == 400
    assert _status(pending_order) == OrderStatus.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_signature_just_inside_the_tolerance_ahead_is_accepted(
    post_webhook, paid_intent, pending_order
):
    """Clocks drift: a few seconds ahead is Stripe's clock, not a forgery."""
    response = post_webhook(
        event("payment_intent.succeeded", paid_intent), timestamp=int(time.time()) + 30
    )
    assert response.status_code == 200
    assert _status(pending_order) == OrderStatus.PAID


# --- the intent's metadata must name the order it settles ---------------------------------------


@pytest.mark.parametrize(
    "named",
    [{"order": "OTHER1"}, {"congress": "another-congress"}, None],
    ids=["another order", "another congress", "no metadata"],
)
def test_an_intent_whose_metadata_names_another_order_is_flagged_not_settled(
    post_webhook, paid_intent, pending_order, client, alice, named
):
    ours = {"order": pending_order.code, "congress": pending_order.congress.slug}
    metadata = {} if named is None else {**ours, **named}
    intent = {**paid_intent, "metadata": metadata}
    response = post_webhook(event("payment_intent.succeeded", intent))

    assert response.status_code == 200
    assert response.json()["outcome"] == "metadata_mismatch"
    pending_order.refresh_from_db()
    payment = Payment.objects.get(provider_id=paid_intent["id"])
    assert pending_order.status == OrderStatus.PENDING_PAYMENT
    assert payment.state == PaymentState.CREATED
    assert not Invoice.objects.filter(order=pending_order).exists()
    assert pending_order.needs_review
    assert paid_intent["id"] in pending_order.review_reason
    assert AuditEntry.objects.filter(
        action="convene.payment.metadata_mismatch", target_id=str(payment.pk)
    ).exists()
    client.force_login(alice)
    page = client.get(f"/{pending_order.congress.slug}/manage/payments/", {"view": "review"})
    assert pending_order.code in page.content.decode()


def test_the_same_metadata_mismatch_reported_again_is_flagged_once(
    post_webhook, paid_intent, pending_order
):
    intent = {**paid_intent, "metadata": {"order": "OTHER1", "congress": "x"}}
    post_webhook(event("payment_intent.succeeded", intent))
    post_webhook(event("payment_intent.succeeded", intent))
    pending_order.refresh_from_db()
    assert pending_order.review_reason.count(paid_intent["id"]) == 1
