"""The same payment reported by several deliveries at once (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import Invoice, Payment
from registrations.payments.services import payments as payment_services

from .conftest import event, make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_deliveries_confirm_an_order_exactly_once(congress):
    order = make_order(congress)
    Payment.objects.create(
        order=order,
        provider="stripe",
        provider_id="pi_concurrent",
        amount=order.total,
        currency="EUR",
    )
    intent = {
        "id": "pi_concurrent",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": 45000,
        "currency": "eur",
        "metadata": {"order": order.code, "congress": congress.slug},
    }
    same = event("payment_intent.succeeded", intent)
    payloads = [same, same, same] + [event("payment_intent.succeeded", intent) for _ in range(5)]
    barrier = threading.Barrier(len(payloads))
    outcomes, errors = [], []

    def deliver(payload):
        try:
            barrier.wait(timeout=10)
            outcomes.append(payment_services.process_webhook_event(event=payload))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert outcomes.count("paid") == 1
    assert outcomes.count("duplicate") == 2
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert AuditEntry.objects.filter(action="convene.order.paid").count() == 1
    assert Invoice.objects.filter(order=order).count() == 1
