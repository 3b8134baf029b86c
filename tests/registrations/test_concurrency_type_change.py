"""A pair on PostgreSQL with real threads: ten managers move ten delegates (of ten orders) to a
workshop of three seats at once. Without the capacity lock the workshop is oversold; with it,
exactly three moves succeed and the others are told it is full.

Both runs lock only the order's own row: ``reread_for_update`` also locks the congress's row on
PostgreSQL (``select_related`` with ``FOR UPDATE``), which on its own serialises every order
change of a congress and would hide whether the capacity lock does its job."""

import time
from decimal import Decimal

import pytest

from registrations import capacity
from registrations.errors import SoldOut
from registrations.models import Delegate
from registrations.payments.services.delegate_changes import change_delegate_type
from registrations.services.orders import place_order
from tests.factories import CongressFactory, RegistrationTypeFactory

from .conftest import order_kwargs
from .test_concurrency import run_buyers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MOVES, SEATS = 10, 3


@pytest.fixture
def slow_count(monkeypatch):
    """Counting seats waits a little after it has read (ten threads on a busy machine reach
    the count further apart than fifty buyers do), so a race's window is wide enough."""
    real = capacity.count_taken

    def slowed(**kwargs):
        result = real(**kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(capacity, "count_taken", slowed)


@pytest.fixture(autouse=True)
def order_row_only(monkeypatch):
    from registrations.models import Order
    from registrations.payments.services import delegate_changes

    monkeypatch.setattr(
        delegate_changes,
        "reread_for_update",
        lambda order: (
            Order.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=order.pk)
        ),
    )


def moves_scenario():
    congress = CongressFactory()
    standard = RegistrationTypeFactory(congress=congress, regular_price=Decimal(100))
    workshop = RegistrationTypeFactory(
        congress=congress, capacity=SEATS, regular_price=Decimal(150)
    )
    delegates = [
        place_order(**order_kwargs(congress, standard, email=f"m{n}@x.example")).delegates.get()
        for n in range(MOVES)
    ]
    outcomes = run_buyers(
        MOVES,
        lambda n: change_delegate_type(delegate=delegates[n], registration_type=workshop),
    )
    return outcomes, Delegate.objects.filter(registration_type=workshop).count()


def test_without_the_lock_concurrent_type_changes_oversell(slow_count, monkeypatch):
    monkeypatch.setattr(capacity, "LOCKING_ENABLED", False)
    _outcomes, moved = moves_scenario()
    assert moved > SEATS, "the race did not show; the paired test would prove nothing"


def test_the_lock_moves_exactly_as_many_delegates_as_the_workshop_has_seats(slow_count):
    outcomes, moved = moves_scenario()
    assert moved == SEATS
    assert sum(1 for o in outcomes if isinstance(o, SoldOut)) == MOVES - SEATS
