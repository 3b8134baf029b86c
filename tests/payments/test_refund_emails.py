"""Every refund that is made e-mails the order's contact once, in the order's language: what
went back, by which method, and the credit note; never twice when the webhook and the
reconciliation both see the same refund."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from registrations.models import Invoice, MailTemplate
from registrations.payments import stripe as stripe_edge
from registrations.payments.services import payments as payment_services
from registrations.payments.services import refunds as refund_services

from .conftest import event, make_order
from .test_card_payments import card_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_paid_order(stripe_on, congress):
    order = make_order(congress, language="fr")
    payment = payment_services.start_card_payment(order=order)
    payment_services.confirm_card_payment_with_token(
        order=order, payment=payment, token=card_token(stripe_on)
    )
    order.refresh_from_db()
    mail.outbox.clear()
    return order


def test_a_transfer_refund_mails_the_contact_once_with_method_and_credit_note(
    congress, alice, django_capture_on_commit_callbacks
):
    order = make_order(congress)
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("450.00"), received_on=dt.date(2027, 3, 1), by=alice
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund_services.request_refund(order=order, amount=Decimal("150.00"), by=alice)
    (message,) = mail.outbox
    note = Invoice.objects.get(order=order, kind="credit_note")
    assert message.to == [order.email]
    assert "€150.00" in message.body
    assert "Bank transfer" in message.body
    assert note.full_number in message.body
    assert f"/invoices/{note.full_number}.pdf" in message.body
    assert order.get_absolute_url() in message.body
    assert not message.alternatives  # plain text only


def test_a_card_refund_mails_nothing_until_stripe_confirms(
    card_paid_order, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund_services.request_refund(order=card_paid_order, amount=Decimal("100"), by=alice)
    assert mail.outbox == []


def test_webhook_then_reconciliation_of_the_same_refund_mails_once_in_the_orders_language(
    card_paid_order, alice, post_webhook, django_capture_on_commit_callbacks
):
    (refund,) = refund_services.request_refund(
        order=card_paid_order, amount=Decimal("100.00"), by=alice
    )
    stripe_refund = stripe_edge.retrieve_refund(refund.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post_webhook(event("refund.updated", stripe_refund)).json()["outcome"]
            == "refund_confirmed"
        )
        post_webhook(event("refund.updated", stripe_refund))
        payment_services.reconcile_payments()
    (message,) = mail.outbox
    assert message.to == [card_paid_order.email]
    assert message.body.startswith("Bonjour Ana Müller,")  # the order's language: French
    assert "100,00\xa0€" in message.body


def test_reconciliation_alone_mails_the_refund_once(
    card_paid_order, alice, django_capture_on_commit_callbacks
):
    refund_services.request_refund(order=card_paid_order, amount=Decimal("450.00"), by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.reconcile_payments()
        payment_services.reconcile_payments()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [card_paid_order.email]


def test_the_congress_wording_of_the_refund_mail_is_used_in_its_language(
    card_paid_order, congress, alice, django_capture_on_commit_callbacks
):
    MailTemplate.objects.create(
        congress=congress,
        key="refund",
        language="fr",
        subject="Remboursement {order_code}",
        body="Bonjour {name}, {amount} par {method}. {credit_note} <b>x</b>",
    )
    refund_services.request_refund(order=card_paid_order, amount=Decimal("450.00"), by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.reconcile_payments()
    (message,) = mail.outbox
    assert message.subject == f"Remboursement {card_paid_order.code}"
    assert message.body.startswith(f"Bonjour {card_paid_order.contact_name}, 450,00")
    assert "<b>x</b>" in message.body and not message.alternatives
    note = Invoice.objects.get(order=card_paid_order, kind="credit_note")
    assert note.full_number in message.body
