"""The hoarding caps under concurrency, a pair on PostgreSQL with real threads: without the
capacity lock concurrent orders from one e-mail address all pass a cap of one (so the test can
see the race); with it, exactly one passes."""

from decimal import Decimal

import pytest

from registrations import capacity
from registrations.errors import TooManyUnpaidOrders
from registrations.models import Order
from registrations.services.orders import hoarding, place_order
from registrations.services.setup import update_registration_settings
from tests.factories import CongressFactory, RegistrationTypeFactory

from .conftest import order_kwargs
from .test_concurrency import run_buyers, slow_down

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 20


@pytest.fixture
def slow_cap_count(monkeypatch):
    slow_down(monkeypatch, hoarding, "check_hold_caps")


def one_email_scenario():
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    update_registration_settings(
        congress=congress, max_unpaid_orders_per_email=1, max_unpaid_orders_per_address=3
    )
    outcomes = run_buyers(
        BUYERS,
        lambda n: _place(congress, rtype, n),
    )
    return outcomes, Order.objects.filter(congress=congress)


def _place(congress, rtype, n):
    try:
        return place_order(
            **order_kwargs(
                congress,
                rtype,
                email=f"hoarder+{n}@x.example",
                client_address=f"198.51.100.{n}",
            )
        )
    except TooManyUnpaidOrders as exc:
        return exc


def test_without_the_lock_one_email_passes_its_cap_many_times(slow_cap_count, monkeypatch):
    monkeypatch.setattr(capacity, "LOCKING_ENABLED", False)
    _outcomes, orders = one_email_scenario()
    assert orders.count() > 1, "the race did not show; the paired test would prove nothing"


def test_the_lock_keeps_one_email_to_its_cap_of_one(slow_cap_count):
    outcomes, orders = one_email_scenario()
    assert orders.count() == 1
    assert sum(isinstance(o, TooManyUnpaidOrders) for o in outcomes) == BUYERS - 1


def one_address_scenario():
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    update_registration_settings(congress=congress, max_unpaid_orders_per_address=3)

    def buy(n):
        try:
            return place_order(
                **order_kwargs(
                    congress, rtype, email=f"p{n}@x.example", client_address="203.0.113.50"
                )
            )
        except TooManyUnpaidOrders as exc:
            return exc

    run_buyers(BUYERS, buy)
    return Order.objects.filter(congress=congress).count()


def test_without_the_lock_one_address_passes_its_cap(slow_cap_count, monkeypatch):
    monkeypatch.setattr(capacity, "LOCKING_ENABLED", False)
    assert one_address_scenario() > 3, "the race did not show"


def test_the_lock_keeps_one_address_to_its_cap(slow_cap_count):
    assert one_address_scenario() == 3


def one_address_seats_scenario():
    """Orders of 2 seats from one address under a cap of 4 unpaid seats (order caps off)."""
    congress = CongressFactory()
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal(10))
    update_registration_settings(
        congress=congress,
        max_unpaid_orders_per_email=None,
        max_unpaid_orders_per_address=None,
        max_unpaid_seats_per_address=4,
    )

    def buy(n):
        try:
            return place_order(
                **order_kwargs(
                    congress, rtype, 2, email=f"s{n}@x.example", client_address="203.0.113.60"
                )
            )
        except TooManyUnpaidOrders as exc:
            return exc

    run_buyers(BUYERS, buy)
    return Order.objects.filter(congress=congress).count()


def test_without_the_lock_one_address_passes_its_seat_cap(slow_cap_count, monkeypatch):
    monkeypatch.setattr(capacity, "LOCKING_ENABLED", False)
    assert one_address_seats_scenario() > 2, "the race did not show"


def test_the_lock_keeps_one_address_to_its_seat_cap(slow_cap_count):
    assert one_address_seats_scenario() == 2
