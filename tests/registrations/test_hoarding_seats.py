"""Seat hoarding counted in seats: the caps on unpaid seats per e-mail address and per client
address, the last-seats rule, orders paying by invoice, and real buyers under the defaults."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations import hold_review
from registrations.errors import SoldOut, TooManyUnpaidOrders
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Order, RegistrationSettings
from registrations.payments.services import payments as payment_services
from registrations.services.orders import mark_order_paid, place_order, release_hold
from registrations.services.setup import update_registration_settings
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db

ORDER_CAPS_OFF = {"max_unpaid_orders_per_email": None, "max_unpaid_orders_per_address": None}
BILLING = {"name": "Câmara Municipal", "address": "Praça do Município 1, Lisboa", "country": "PT"}


def place(congress, rtype, *, email="ana@city.example", address="198.51.100.7", count=1):
    return place_order(**order_kwargs(congress, rtype, count, email=email, client_address=address))


@pytest.fixture
def roomy(congress):
    """A type with plenty of seats: the last-seats rule stays out of the way."""
    return RegistrationTypeFactory(congress=congress, capacity=500, regular_price=Decimal(10))


def test_the_defaults_follow_the_largest_delegation_and_stay_generous_per_address(congress):
    defaults = RegistrationSettings(congress=congress)
    assert defaults.max_unpaid_seats_per_email == defaults.max_delegates_per_order == 20
    assert defaults.max_unpaid_seats_per_address == 60
    assert (defaults.last_seats_threshold, defaults.last_seats_per_address) == (10, 4)


# --- the seat caps --------------------------------------------------------------------------


def test_fresh_emails_from_one_address_are_refused_past_the_seat_cap(congress, roomy):
    update_registration_settings(
        congress=congress, max_unpaid_seats_per_address=5, **ORDER_CAPS_OFF
    )
    for n in range(5):
        place(congress, roomy, email=f"bot{n}@fresh{n}.example", address="203.0.113.5")
    with pytest.raises(TooManyUnpaidOrders) as refused:
        place(congress, roomy, email="bot99@fresh99.example", address="203.0.113.5")
    assert refused.value.field is None  # about the connection: shown above the fields
    message = str(refused.value)
    assert "at most 5 seat(s)" in message and "hold 5 already" in message
    assert "pay for or cancel an open order" in message and "contact the organisers" in message
    assert Order.objects.count() == 5  # the refused order left nothing behind
    place(congress, roomy, email="real@city.example", address="198.51.100.20")


def test_one_big_order_is_counted_by_its_seats(congress, roomy):
    update_registration_settings(congress=congress, max_unpaid_seats_per_email=20)
    place(congress, roomy, email="ana@city.example", count=15, address="198.51.100.1")
    with pytest.raises(TooManyUnpaidOrders) as refused:
        place(congress, roomy, email="ANA+2@city.example", count=6, address="198.51.100.2")
    assert refused.value.field == "email"
    assert "asks for 6" in str(refused.value)
    place(congress, roomy, email="ana@city.example", count=5, address="198.51.100.3")
    assert Delegate.objects.count() == 20


def test_one_big_order_repeated_from_one_address_is_held_to_the_address_seat_cap(congress, roomy):
    update_registration_settings(congress=congress, max_unpaid_seats_per_address=25)
    for n in range(2):
        place(congress, roomy, email=f"bot{n}@x{n}.example", count=10, address="203.0.113.9")
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, roomy, email="bot2@x2.example", count=10, address="203.0.113.9")
    place(congress, roomy, email="bot3@x3.example", count=5, address="203.0.113.9")


def test_expired_holds_paid_orders_and_cancelled_delegates_do_not_count(congress, roomy):
    update_registration_settings(congress=congress, max_unpaid_seats_per_email=20)
    ran_out = place(congress, roomy, count=10)
    Order.objects.filter(pk=ran_out.pk).update(hold_expires_at=timezone.now() - dt.timedelta(1))
    paid = place(congress, roomy, count=10)
    mark_order_paid(order=paid)
    partly = place(congress, roomy, count=10)
    Delegate.objects.filter(pk__in=list(partly.delegates.values_list("pk", flat=True)[:4])).update(
        is_cancelled=True
    )
    place(congress, roomy, count=14)  # 6 live + 14 = 20: exactly the cap
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, roomy, count=1)


def test_empty_seat_caps_switch_them_off(congress, roomy):
    update_registration_settings(
        congress=congress,
        max_unpaid_seats_per_email=None,
        max_unpaid_seats_per_address=None,
        last_seats_threshold=None,
        **ORDER_CAPS_OFF,
    )
    for _n in range(4):
        place(congress, roomy, count=20)
    assert Delegate.objects.count() == 80


def test_the_refusal_names_the_organisers_address_when_there_is_one(congress, roomy):
    congress.contact_email = "registration@congress.example"
    congress.save(update_fields=["contact_email"])
    update_registration_settings(congress=congress, max_unpaid_seats_per_email=20)
    place(congress, roomy, count=20)
    with pytest.raises(TooManyUnpaidOrders) as refused:
        place(congress, roomy, count=1)
    assert "registration@congress.example" in str(refused.value)


def test_free_orders_are_never_counted(congress):
    free = RegistrationTypeFactory(congress=congress, regular_price=Decimal(0), capacity=5)
    update_registration_settings(congress=congress, max_unpaid_seats_per_address=1)
    for n in range(5):  # the last seats too: a free order is paid at once
        place(congress, free, email=f"f{n}@x.example", address="203.0.113.1")


# --- the last seats -------------------------------------------------------------------------


@pytest.fixture
def last_ten(congress):
    """A type with exactly its last 10 seats left."""
    return RegistrationTypeFactory(congress=congress, capacity=10, regular_price=Decimal(10))


def test_among_the_last_seats_one_address_holds_only_a_few(congress, last_ten):
    for n in range(4):
        place(congress, last_ten, email=f"bot{n}@fresh{n}.example", address="203.0.113.5")
    with pytest.raises(TooManyUnpaidOrders) as refused:
        place(congress, last_ten, email="bot9@fresh9.example", address="203.0.113.5")
    message = str(refused.value)
    assert "Only 6 seat(s) are left" in message and "at most 4" in message
    assert "contact the organisers" in message
    for n in range(6):  # the rest go to real buyers
        place(congress, last_ten, email=f"buyer{n}@city.example", address=f"198.51.100.{n}")
    with pytest.raises(SoldOut):
        place(congress, last_ten, email="late@city.example", address="198.51.100.99")


def test_one_big_order_cannot_take_the_last_seats(congress, last_ten):
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, last_ten, email="bot@x.example", count=10, address="203.0.113.5")
    place(congress, last_ten, email="family@x.example", count=4, address="198.51.100.1")


def test_the_last_seats_rule_waits_for_the_threshold_and_can_be_switched_off(congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=30, regular_price=Decimal(10))
    place(congress, rtype, email="city@lisboa.example", count=15)  # 30 left: not the last seats
    update_registration_settings(congress=congress, last_seats_threshold=None)
    place(congress, rtype, email="town@porto.example", count=15)  # 15 left, rule off
    assert Delegate.objects.count() == 30


def test_the_last_seats_count_the_congress_total_too(congress, roomy):
    update_registration_settings(congress=congress, total_capacity=8)
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, roomy, count=5)
    place(congress, roomy, count=4)


def test_an_organiser_set_last_seats_rule_applies(congress, last_ten):
    update_registration_settings(
        congress=congress, last_seats_threshold=5, last_seats_per_address=1
    )
    place(congress, last_ten, count=5, email="a@x.example")  # 10 left: above the threshold
    place(congress, last_ten, count=1, email="b@x.example", address="198.51.100.8")
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, last_ten, count=1, email="c@x.example", address="198.51.100.8")


# --- paying by invoice ----------------------------------------------------------------------


def test_a_city_paying_15_seats_by_invoice_is_not_blocked_and_counts_until_released(
    congress, roomy, alice
):
    order = place(congress, roomy, email="compras@lisboa.example", count=15)
    payment_services.request_invoice_payment(order=order, billing=BILLING)
    order.refresh_from_db()
    assert order.hold_expires_at > timezone.now() + dt.timedelta(days=2)  # held for days
    with pytest.raises(TooManyUnpaidOrders):  # it counts towards the caps meanwhile
        place(congress, roomy, email="compras@lisboa.example", count=6)
    (group,) = hold_review.hold_groups(congress=congress, by="email")
    assert (group["orders"], group["seats"], group["by_invoice"]) == (1, 15, 1)
    (listed,) = hold_review.group_holds(congress=congress, by="email", key=group["hold_email"])
    assert listed.by_invoice
    release_hold(order=order, by=alice)  # the organisers release it if no transfer comes
    place(congress, roomy, email="compras@lisboa.example", count=6)


# --- real buyers under the defaults ---------------------------------------------------------


def test_colleagues_behind_one_office_address_buying_one_seat_each_are_not_affected(
    congress, roomy
):
    for n in range(8):
        place(congress, roomy, email=f"colleague{n}@city.example", address="198.51.100.200")
    assert Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).count() == 8


def test_a_full_delegation_per_order_is_never_refused_by_the_defaults(congress, roomy):
    place(congress, roomy, email="city@lisboa.example", count=20)
    place(congress, roomy, email="city@porto.example", count=20)  # same office address
    assert Delegate.objects.count() == 40
