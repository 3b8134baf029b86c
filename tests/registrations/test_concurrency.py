"""Concurrency tests in pairs on PostgreSQL, with real threads and connections.

Each pair runs the same scenario twice: with the capacity lock switched off, buyers really
oversell (so the test can see a race); with it on, never. The counting step is slowed down a
little in both runs so that the window a race needs is wide enough to be seen reliably."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from registrations import capacity
from registrations.errors import Busy, SoldOut, VoucherExhausted
from registrations.models import Delegate, Order, Voucher
from registrations.services.orders import cancel_order, place_order
from tests.factories import CongressFactory, RegistrationTypeFactory

from .conftest import order_kwargs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50
SEATS = 5


def slow_down(monkeypatch, module, name: str) -> None:
    """Make ``module.name`` sleep after it has read, so a race's window is wide enough to show."""
    real = getattr(module, name)

    def slowed(**kwargs):
        result = real(**kwargs)
        time.sleep(0.02)
        return result

    monkeypatch.setattr(module, name, slowed)


@pytest.fixture
def slow_count(monkeypatch):
    # ``capacity.ensure_seats`` calls the module's own ``count_taken``, so this reaches it.
    slow_down(monkeypatch, capacity, "count_taken")


@pytest.fixture
def slow_voucher_count(monkeypatch):
    """The voucher's uses are counted after the seats: slow that step too, so that the window
    between reading the uses and committing is wide enough for a race to show."""
    from registrations.services.orders import placing

    # placing.py calls its own ``voucher_uses``: patching the package's re-export would leave
    # the window narrow and the race shown only by luck.
    slow_down(monkeypatch, placing, "voucher_uses")


def run_buyers(count, buy):
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def worker(n):
        try:
            barrier.wait()
            result = buy(n)
        except (SoldOut, VoucherExhausted, Busy) as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes


def last_seats_scenario():
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, capacity=SEATS, regular_price=Decimal(10))
    outcomes = run_buyers(
        BUYERS,
        lambda n: place_order(**order_kwargs(congress, rtype, email=f"b{n}@x.example")),
    )
    sold = Delegate.objects.filter(registration_type=rtype).count()
    return outcomes, sold


def test_without_the_lock_concurrent_buyers_oversell(slow_count, monkeypatch):
    monkeypatch.setattr(capacity, "LOCKING_ENABLED", False)
    _outcomes, sold = last_seats_scenario()
    assert sold > SEATS, "the race did not show; the paired test would prove nothing"


def test_the_lock_sells_exactly_the_last_seats_to_fifty_buyers(slow_count):
    outcomes, sold = last_seats_scenario()
    orders = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, SoldOut)]
    assert sold == SEATS  # never more, and no seat lost
    assert len(orders) == SEATS
    assert len(refused) == BUYERS - SEATS


def voucher_scenario():
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    voucher = Voucher.objects.create(congress=congress, code="FEW", value=Decimal(100), max_uses=3)
    run_buyers(
        20,
        lambda n: place_order(
            **order_kwargs(congress, rtype, email=f"v{n}@x.example", voucher_code="FEW")
        ),
    )
    return Delegate.objects.filter(voucher=voucher).count()


def test_without_the_lock_a_voucher_is_used_too_often(slow_count, slow_voucher_count, monkeypatch):
    monkeypatch.setattr(capacity, "LOCKING_ENABLED", False)
    assert voucher_scenario() > 3


def test_the_lock_keeps_voucher_uses_within_the_limit(slow_count, slow_voucher_count):
    assert voucher_scenario() == 3


def test_cancellations_and_purchases_racing_lose_no_seat(slow_count):
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, capacity=10, regular_price=Decimal(10))
    first = [
        place_order(**order_kwargs(congress, rtype, email=f"f{n}@x.example")) for n in range(10)
    ]

    def act(n):
        if n < 5:
            return cancel_order(order=first[n])
        return place_order(**order_kwargs(congress, rtype, email=f"s{n}@x.example"))

    run_buyers(30, act)
    live = Delegate.objects.filter(registration_type=rtype, is_cancelled=False).count()
    assert live == 10


def test_a_lock_held_too_long_becomes_busy_not_an_error(settings):
    from django.db import transaction

    settings.CAPACITY_LOCK_TIMEOUT_MS = 100
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    holding = threading.Event()
    release = threading.Event()

    def holder():
        with transaction.atomic():
            capacity.lock_capacity(congress_id=congress.pk)
            holding.set()
            release.wait(5)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(5)
    try:
        with pytest.raises(Busy):
            place_order(**order_kwargs(congress, rtype))
    finally:
        release.set()
        thread.join()
    assert not Order.objects.filter(congress=congress).exists()


def test_the_form_asks_to_try_again_while_the_lock_is_held(settings, client):
    from django.db import transaction

    from .test_public_views import details_url, form_data

    settings.CAPACITY_LOCK_TIMEOUT_MS = 100
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    holding, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            capacity.lock_capacity(congress_id=congress.pk)
            holding.set()
            release.wait(5)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(5)
    try:
        response = client.post(details_url(congress), form_data(rtype, 1))
    finally:
        release.set()
        thread.join()
    assert response.status_code == 400
    assert "please try again" in response.content.decode()
    assert not Order.objects.filter(congress=congress).exists()


def test_lock_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        capacity.lock_capacity(congress_id=1)


def test_a_freed_seat_goes_to_the_waiting_list_not_to_racing_buyers(slow_count):
    from registrations.enums import WaitingListStatus
    from registrations.models import WaitingListEntry
    from registrations.services.waiting_list import join_waiting_list

    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, capacity=1, regular_price=Decimal(10))
    order = place_order(**order_kwargs(congress, rtype, email="first@x.example"))
    entry = join_waiting_list(
        congress=congress, registration_type=rtype, name="Wen", email="w@x.example", language="en"
    )

    def act(n):
        if n == 0:
            return cancel_order(order=order)
        return place_order(**order_kwargs(congress, rtype, email=f"r{n}@x.example"))

    outcomes = run_buyers(20, act)
    entry.refresh_from_db()
    live = Delegate.objects.filter(registration_type=rtype, is_cancelled=False).count()
    offers = WaitingListEntry.objects.filter(status=WaitingListStatus.OFFERED).count()
    assert live + offers == 1
    assert entry.status == WaitingListStatus.OFFERED
    assert sum(isinstance(o, Order) and o.pk != order.pk for o in outcomes) == 0


def test_the_lock_is_released_at_commit_without_waiting_for_the_disk_then_made_durable():
    """The capacity transaction commits asynchronously; before place_order returns, a second,
    synchronous commit has flushed the WAL past it (so nobody is told of an order that a crash
    could still lose)."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    with transaction.atomic():
        capacity.lock_capacity(congress_id=congress.pk)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "off"
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # SET LOCAL: only that transaction

    with CaptureQueriesContext(connection) as queries:
        order = place_order(**order_kwargs(congress, rtype))
    sql = [q["sql"] for q in queries.captured_queries]
    assert "SET LOCAL synchronous_commit = off" in next(s for s in sql if "advisory" in s)
    commit = sql.index("COMMIT")
    barrier = next(i for i, s in enumerate(sql) if "pg_current_xact_id" in s)
    assert barrier > commit
    assert sum("pg_current_xact_id" in s for s in sql) == 1  # once per transaction
    assert Order.objects.filter(pk=order.pk).exists()
