"""Invoice numbers under concurrent orders, on PostgreSQL with real threads and connections.

A pair (pretix's concurrency_tests): without the counter lock the race really happens
(duplicate numbers, refused by the unique constraint, so orders fail or numbers skip); with
the lock every order gets the next number, 1..N, no gaps, no duplicates."""

import threading

import pytest
from django.db import connection

from registrations.models import Invoice, InvoiceCounter
from registrations.payments.services import invoicing as invoice_services

from .conftest import make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _issue_concurrently(orders, before=None):
    barrier = threading.Barrier(len(orders))
    numbers, errors = [], []

    def work(order):
        try:
            barrier.wait(timeout=10)
            numbers.append(invoice_services.issue_invoice(order=order, send=False).number)
        except Exception as exc:  # noqa: BLE001 - the race shows up as any database error
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return numbers, errors


def test_without_the_counter_lock_concurrent_invoices_collide(congress, monkeypatch):
    orders = [make_order(congress) for _ in range(THREADS)]
    InvoiceCounter.objects.create(congress=congress, kind="invoice")
    read_together = threading.Barrier(THREADS)

    def unlocked_counter(congress_, kind):
        counter = InvoiceCounter.objects.get(congress=congress_, kind=kind)  # no FOR UPDATE
        read_together.wait(timeout=10)  # everyone has read the same next number
        return counter

    monkeypatch.setattr(invoice_services, "_locked_counter", unlocked_counter)
    numbers, errors = _issue_concurrently(orders)
    assert errors, "expected the unlocked counter to hand out the same number twice"
    assert len(set(numbers)) < THREADS
    assert Invoice.objects.count() < THREADS


def test_with_the_counter_lock_concurrent_invoices_are_gap_free(congress):
    orders = [make_order(congress) for _ in range(THREADS)]
    numbers, errors = _issue_concurrently(orders)
    assert errors == []
    assert sorted(numbers) == list(range(1, THREADS + 1))
    assert InvoiceCounter.objects.get(congress=congress, kind="invoice").next_number == THREADS + 1
