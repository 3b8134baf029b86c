"""Refunds and credit notes from the registration order page: finance (and owners) see the
forms there, a registration manager does not; each goes through the payment services, comes
back to the order page, and every refund e-mails the contact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from registrations.models import Invoice, Refund
from registrations.payments.enums import InvoiceKind
from registrations.payments.services import payments as payment_services

from .conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(congress, alice):
    order = make_order(congress)
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("450.00"), received_on=dt.date(2027, 3, 1), by=alice
    )
    order.refresh_from_db()
    mail.outbox.clear()
    return order


def _page(congress, order):
    return f"/{congress.slug}/manage/registrations/orders/{order.code}/"


def test_finance_sees_refund_and_credit_note_forms_on_the_order_page(
    client, congress, paid_order, finance_user, registration_user
):
    client.force_login(finance_user)
    body = client.get(_page(congress, paid_order)).content.decode()
    assert f"/manage/payments/orders/{paid_order.code}/refunds/" in body
    assert "/correct/" in body and "€450.00 can be refunded" in body
    client.force_login(registration_user)
    body = client.get(_page(congress, paid_order)).content.decode()
    assert "/refunds/" not in body and "/correct/" not in body


def test_a_refund_from_the_order_page_mails_the_contact_and_comes_back(
    client, congress, paid_order, finance_user, django_capture_on_commit_callbacks
):
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{congress.slug}/manage/payments/orders/{paid_order.code}/refunds/",
            {"amount": "100.00", "reason": "Cancelled dinner <b>x</b>", "back": "order"},
        )
    assert response.status_code == 302
    assert response["Location"] == _page(congress, paid_order)
    refund = Refund.objects.get(order=paid_order)
    assert refund.amount == Decimal("100.00") and refund.requested_by == finance_user
    (message,) = mail.outbox
    assert message.to == [paid_order.email] and "€100.00" in message.body


def test_a_credit_note_from_the_order_page(client, congress, paid_order, finance_user):
    invoice = Invoice.objects.get(order=paid_order, kind=InvoiceKind.INVOICE)
    client.force_login(finance_user)
    response = client.post(
        f"/{congress.slug}/manage/payments/orders/{paid_order.code}/invoices/"
        f"{invoice.full_number}/correct/",
        {"reason": "Wrong address", "back": "order"},
    )
    assert response["Location"] == _page(congress, paid_order)
    assert Invoice.objects.filter(order=paid_order, kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_a_registration_manager_cannot_refund(client, congress, paid_order, registration_user):
    client.force_login(registration_user)
    response = client.post(
        f"/{congress.slug}/manage/payments/orders/{paid_order.code}/refunds/",
        {"amount": "100.00", "back": "order"},
    )
    assert response.status_code == 403
    assert not Refund.objects.exists()


def test_an_unknown_back_value_returns_to_the_finance_page(
    client, congress, paid_order, finance_user
):
    client.force_login(finance_user)
    response = client.post(
        f"/{congress.slug}/manage/payments/orders/{paid_order.code}/refunds/",
        {"amount": "1", "back": "https://evil.example/"},
    )
    assert response["Location"] == f"/{congress.slug}/manage/payments/orders/{paid_order.code}/"
