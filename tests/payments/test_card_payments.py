"""Card payments through the real stripe library against the localstripe emulator."""

import datetime as dt
import json
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.errors import OrderStateError
from registrations.models import Invoice, Payment, Refund
from registrations.payments import stripe as stripe_edge
from registrations.payments.enums import PaymentState, RefundState
from registrations.payments.errors import CardPaymentsUnavailable, PaymentError
from registrations.payments.services import payments as payment_services

from .conftest import make_order

pytestmark = pytest.mark.django_db


def card_token(base: str, number: str = "4242424242424242") -> str:
    """What the Stripe.js stand-in does in the browser: tokenise the card with the public key."""
    data = urllib.parse.urlencode(
        {
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
            "key": "pk_test_convene",
        }
    ).encode()
    with urllib.request.urlopen(base + "/v1/tokens", data=data, timeout=5) as response:
        return json.load(response)["id"]


def test_starting_a_card_payment_creates_an_intent_for_the_server_side_total(
    stripe_on, pending_order
):
    payment = payment_services.start_card_payment(order=pending_order)
    intent = stripe_edge.retrieve_payment_intent(payment.provider_id)
    assert intent["amount"] == 45000
    assert intent["currency"] == "eur"
    assert intent["metadata"]["order"] == pending_order.code
    assert payment.client_secret.startswith(payment.provider_id)
    assert payment.expires_at == pending_order.hold_expires_at
    assert payment.state == PaymentState.CREATED


def test_reloading_the_card_page_reuses_the_open_attempt(stripe_on, pending_order):
    first = payment_services.start_card_payment(order=pending_order)
    second = payment_services.start_card_payment(order=pending_order)
    assert first.pk == second.pk
    assert Payment.objects.filter(order=pending_order).count() == 1


def test_zero_decimal_congress_currency_is_charged_in_whole_units(stripe_on, congress):
    congress.currency = "KRW"
    congress.save()
    order = make_order(congress, total="150000", currency="KRW")
    payment = payment_services.start_card_payment(order=order)
    assert stripe_edge.retrieve_payment_intent(payment.provider_id)["amount"] == 150000


def test_paying_with_the_test_card_marks_the_order_paid_and_invoices_it(stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    payment = payment_services.confirm_card_payment_with_token(
        order=pending_order, payment=payment, token=card_token(stripe_on)
    )
    pending_order.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert pending_order.status == OrderStatus.PAID
    invoice = Invoice.objects.get(order=pending_order)
    assert invoice.paid_at_issue and invoice.gross == Decimal("450.00")


def test_a_declined_card_leaves_the_order_pending_and_says_why(stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    with pytest.raises(PaymentError):
        payment_services.confirm_card_payment_with_token(
            order=pending_order, payment=payment, token=card_token(stripe_on, "4000000000000341")
        )
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (OrderStatus.CANCELLED, "cancelled and cannot be paid"),
        (OrderStatus.PAID, "already paid"),
        (OrderStatus.REFUNDED, "cancelled and cannot be paid"),
        (OrderStatus.EXPIRED, "were released"),
    ],
)
def test_paying_an_order_that_cannot_be_paid_is_refused_clearly(
    stripe_on, congress, status, message
):
    order = make_order(congress, status=status)
    with pytest.raises(OrderStateError, match=message):
        payment_services.start_card_payment(order=order)
    assert not Payment.objects.filter(order=order).exists()


def test_a_lapsed_seat_hold_cannot_start_a_card_payment(stripe_on, congress):
    order = make_order(congress, hold_minutes=-1)
    with pytest.raises(OrderStateError, match="run out"):
        payment_services.start_card_payment(order=order)


def test_without_a_stripe_key_card_payment_is_unavailable(stripe_off, pending_order):
    with pytest.raises(CardPaymentsUnavailable):
        payment_services.start_card_payment(order=pending_order)


def test_card_page_of_a_cancelled_order_redirects_with_the_reason(client, stripe_on, congress):
    order = make_order(congress, status=OrderStatus.CANCELLED)
    url = f"/{congress.slug}/payments/{order.code}/{order.secret}/card/"
    response = client.get(url, follow=True)
    assert "cancelled and cannot be paid" in response.content.decode()


def test_card_page_with_a_wrong_secret_is_not_found(client, stripe_on, pending_order):
    url = f"/{pending_order.congress.slug}/payments/{pending_order.code}/{'x' * 43}/card/"
    assert client.get(url).status_code == 404


def test_card_page_renders_the_payment_element_with_the_configured_stripe_js(
    client, stripe_on, pending_order
):
    order = pending_order
    response = client.get(f"/{order.congress.slug}/payments/{order.code}/{order.secret}/card/")
    html = response.content.decode()
    assert response.status_code == 200
    assert stripe_on + "/js.stripe.com/v3/" in html
    assert "payment-element" in html and "_secret_" in html


def test_the_browser_confirm_endpoint_pays_with_a_token(client, stripe_on, pending_order):
    order = pending_order
    payment = payment_services.start_card_payment(order=order)
    response = client.post(
        f"/{order.congress.slug}/payments/{order.code}/{order.secret}/card/confirm/",
        data=json.dumps({"payment": payment.pk, "token": card_token(stripe_on)}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "succeeded"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_return_page_settles_from_stripe_not_from_the_browser(client, stripe_on, pending_order):
    order = pending_order
    payment = payment_services.start_card_payment(order=order)
    client_ = stripe_edge.get_client()
    card = client_.v1.tokens.retrieve(card_token(stripe_on)).card
    client_.v1.payment_intents.update(payment.provider_id, params={"payment_method": card.id})
    client_.v1.payment_intents.confirm(payment.provider_id)
    # A forged redirect_status means nothing: the server asks Stripe.
    response = client.get(
        f"/{order.congress.slug}/payments/{order.code}/{order.secret}/card/return/",
        {"payment_intent": payment.provider_id, "redirect_status": "failed"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def _pay_at_stripe_without_telling_us(base, payment):
    client_ = stripe_edge.get_client()
    card = client_.v1.tokens.retrieve(card_token(base)).card
    client_.v1.payment_intents.update(payment.provider_id, params={"payment_method": card.id})
    return client_.v1.payment_intents.confirm(payment.provider_id).to_dict()


def test_reconciliation_settles_a_payment_whose_webhook_was_lost(stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    _pay_at_stripe_without_telling_us(stripe_on, payment)
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PENDING_PAYMENT
    counts = payment_services.reconcile_payments()
    pending_order.refresh_from_db()
    assert counts.get("paid") == 1
    assert pending_order.status == OrderStatus.PAID
    assert payment_services.reconcile_payments().get("paid") is None  # nothing twice


def test_reconciliation_cancels_the_intent_once_the_payment_window_closed(stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    type(pending_order).objects.filter(pk=pending_order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    counts = payment_services.reconcile_payments()
    payment.refresh_from_db()
    assert counts.get("canceled") == 1
    assert payment.state == PaymentState.CANCELED
    assert stripe_edge.retrieve_payment_intent(payment.provider_id)["status"] == "canceled"


def test_reconcile_command_reports_what_it_settled(stripe_on, pending_order):
    from io import StringIO

    from django.core.management import call_command

    payment = payment_services.start_card_payment(order=pending_order)
    _pay_at_stripe_without_telling_us(stripe_on, payment)
    out = StringIO()
    call_command("reconcile_payments", stdout=out)
    assert "paid: 1" in out.getvalue()


def test_late_success_after_expiry_retakes_a_free_seat(stripe_on, congress):
    order = make_order(congress)
    payment = payment_services.start_card_payment(order=order)
    type(order).objects.filter(pk=order.pk).update(
        status=OrderStatus.EXPIRED, hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    intent = _pay_at_stripe_without_telling_us(stripe_on, payment)
    assert payment_services.settle_payment_intent(intent=intent, source="test") == "paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_late_success_after_expiry_with_no_seat_left_is_flagged_and_refunded(
    stripe_on, congress, django_capture_on_commit_callbacks
):
    order = make_order(congress)
    rtype = order.delegates.get().registration_type
    rtype.capacity = 1
    rtype.save()
    payment = payment_services.start_card_payment(order=order)
    type(order).objects.filter(pk=order.pk).update(
        status=OrderStatus.EXPIRED, hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    make_order(congress, status=OrderStatus.PAID).delegates.update(registration_type=rtype)
    intent = _pay_at_stripe_without_telling_us(stripe_on, payment)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = payment_services.settle_payment_intent(intent=intent, source="test")
    order.refresh_from_db()
    assert outcome == "sold_out_refunded"
    assert order.status == OrderStatus.EXPIRED
    assert order.needs_review and "no seat was free" in order.review_reason
    refund = Refund.objects.get(order=order)
    assert refund.automatic and refund.provider_id and refund.amount == Decimal("450.00")
    assert stripe_edge.retrieve_refund(refund.provider_id)["status"] == "succeeded"
    assert refund.state == RefundState.PENDING  # final once Stripe confirms it


def test_every_state_change_is_audited(stripe_on, pending_order):
    payment = payment_services.start_card_payment(order=pending_order)
    payment_services.confirm_card_payment_with_token(
        order=pending_order, payment=payment, token=card_token(stripe_on)
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "convene.payment.started",
        "convene.payment.succeeded",
        "convene.order.paid",
        "convene.invoice.issued",
    } <= actions
