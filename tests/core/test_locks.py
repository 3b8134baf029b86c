"""The one lock helper (``events_site.congresses.locks``) that every counted thing uses: the
congress's seats, a session's seats, an invoice series' numbers. The concurrency pairs of each
live beside their app's tests; here: the rules the helper guarantees to all of them."""

import threading

import pytest
from django.db import connection, transaction

from events_site.congresses import locks
from events_site.congresses.errors import Busy
from registrations import capacity
from registrations.models import Invoice, InvoiceCounter
from registrations.payments.services import invoicing as invoice_services
from sessions.models import Session
from sessions.services import personal
from tests.factories import CongressFactory
from tests.payments.conftest import make_order


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "take",
    [
        lambda: locks.lock_keys([1], busy="busy"),
        lambda: locks.lock_rows(InvoiceCounter.objects.all(), busy="busy"),
        lambda: personal.lock_session(Session(pk=1)),
        lambda: invoice_services.take_number(congress=CongressFactory(), kind="invoice"),
    ],
    ids=["keys", "rows", "session", "invoice-number"],
)
def test_every_lock_refuses_to_run_outside_a_transaction(take):
    with pytest.raises(RuntimeError):
        take()


@pytest.mark.django_db
def test_locked_rows_come_back_freshly_read_in_primary_key_order():
    congresses = [CongressFactory() for _ in range(3)]
    for kind in ("invoice", "credit_note"):
        for congress in reversed(congresses):
            InvoiceCounter.objects.create(congress=congress, kind=kind)
    InvoiceCounter.objects.filter(kind="invoice").update(next_number=7)
    with transaction.atomic():
        rows = locks.lock_rows(InvoiceCounter.objects.filter(kind="invoice"), busy="busy")
    assert [row.pk for row in rows] == sorted(row.pk for row in rows)
    assert len(rows) == 3
    assert {row.next_number for row in rows} == {7}


def _hold(take, holding: threading.Event, release: threading.Event) -> threading.Thread:
    def holder():
        try:
            with transaction.atomic():
                take()
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(10)
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_invoice_number_held_too_long_becomes_busy_not_a_wait_without_end(settings):
    """The invoice counter had no timeout: a stuck numbering transaction made every payment
    confirmation wait for it. Through the helper it is ``Busy`` and nothing is issued."""
    settings.CAPACITY_LOCK_TIMEOUT_MS = 100
    congress = CongressFactory()
    order = make_order(congress)
    InvoiceCounter.objects.create(congress=congress, kind="invoice")
    holding, release = threading.Event(), threading.Event()
    thread = _hold(
        lambda: invoice_services.take_number(congress=congress, kind="invoice"), holding, release
    )
    try:
        with pytest.raises(Busy) as raised:
            invoice_services.issue_invoice(order=order, send=False)
    finally:
        release.set()
        thread.join()
    assert "try again" in str(raised.value)
    assert not Invoice.objects.filter(order=order).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_key_held_too_long_becomes_busy_with_the_callers_message(settings):
    settings.CAPACITY_LOCK_TIMEOUT_MS = 100
    holding, release = threading.Event(), threading.Event()
    thread = _hold(lambda: locks.lock_keys([42], busy="first"), holding, release)
    try:
        with pytest.raises(Busy, match="Come back in a minute"), transaction.atomic():
            locks.lock_keys([41, 42], busy="Come back in a minute")
    finally:
        release.set()
        thread.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "take",
    [
        lambda: locks.lock_keys([7], busy="busy"),
        lambda: locks.lock_rows(InvoiceCounter.objects.all(), busy="busy"),
        lambda: capacity.lock_capacity(congress_id=1, type_ids=[2]),
    ],
    ids=["keys", "rows", "capacity"],
)
def test_the_timeout_covers_the_lock_alone_not_the_rest_of_the_transaction(settings, take):
    """A later statement of the same transaction (another row lock, a long insert) must not be
    cut short by the lock's timeout: only the helper turns a timeout into ``Busy``."""
    settings.CAPACITY_LOCK_TIMEOUT_MS = 100
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        default = cursor.fetchone()[0]
    with transaction.atomic():
        take()
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == default
