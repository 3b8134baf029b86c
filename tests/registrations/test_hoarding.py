"""Seat hoarding: caps on unpaid orders per e-mail and per client address, the placer kept only
while an order is unpaid, and holds released early freeing their seats at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from events_site.congresses.api import exception_handler
from events_site.congresses.models import AuditEntry
from registrations.errors import OrderStateError, SoldOut, TooManyUnpaidOrders
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Order
from registrations.services.orders import (
    approve_order,
    cancel_own_order,
    expire_stale_holds,
    hoarding,
    mark_order_paid,
    place_order,
    release_hold,
    release_holds,
)
from registrations.services.setup import update_registration_settings
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db

HOSTILE = ["", "\x00", "<script>alert(1)</script>", "x" * 10_000, "١٢٣.٤.٥.٦", "::::", "\u202e1.2"]


def place(congress, rtype, *, email="ana@city.example", address="198.51.100.7", count=1, **kw):
    return place_order(
        **order_kwargs(congress, rtype, count, email=email, client_address=address, **kw)
    )


# --- keys -----------------------------------------------------------------------------------


def test_an_ipv6_address_is_counted_as_its_64_network():
    one = hoarding.address_key("2001:db8:1:2:aaaa::1")
    other = hoarding.address_key("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert one == other == "2001:db8:1:2::/64"
    assert hoarding.address_key("2001:db8:1:3::1") != one


def test_an_ipv4_address_is_kept_as_it_is_and_a_mapped_one_is_unmapped():
    assert hoarding.address_key("203.0.113.9") == "203.0.113.9"
    assert hoarding.address_key("::ffff:203.0.113.9") == "203.0.113.9"


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_address_becomes_a_short_printable_key(value):
    key = hoarding.address_key(value)
    assert len(key) <= 64
    assert key.isprintable()


def test_email_key_ignores_case_and_plus_tags():
    assert hoarding.email_key(" Ana+Rush1@City.Example ") == "ana@city.example"
    assert hoarding.email_key("ana+2@city.example") == "ana@city.example"
    assert hoarding.email_key("not-an-address") == "not-an-address"
    assert len(hoarding.email_key("a" * 10_000 + "@x.example")) <= 254


# --- caps -----------------------------------------------------------------------------------


def test_the_fourth_unpaid_order_of_one_email_is_refused_whatever_its_spelling(congress, regtype):
    for n, spelling in enumerate(["ana@city.example", "ANA@city.example", "ana+3@City.Example"]):
        place(congress, regtype, email=spelling, address=f"198.51.100.{n}")
    with pytest.raises(TooManyUnpaidOrders) as refused:
        place(congress, regtype, email="Ana+4@city.example", address="198.51.100.99")
    assert refused.value.field == "email"
    assert "pay for or cancel" in str(refused.value)
    assert Order.objects.count() == 3  # the refused one left nothing behind
    assert Delegate.objects.count() == 3


def test_the_eleventh_unpaid_order_from_one_address_is_refused(congress, regtype):
    for n in range(10):
        place(congress, regtype, email=f"p{n}@city.example", address="203.0.113.5")
    with pytest.raises(TooManyUnpaidOrders) as refused:
        place(congress, regtype, email="p10@city.example", address="203.0.113.5")
    assert refused.value.field is None
    # Another address is not affected.
    place(congress, regtype, email="p11@city.example", address="203.0.113.6")


def test_one_ipv6_subscriber_cannot_escape_the_cap_by_changing_address(congress, regtype):
    update_registration_settings(congress=congress, max_unpaid_orders_per_address=2)
    place(congress, regtype, email="a@x.example", address="2001:db8:5:5::1")
    place(congress, regtype, email="b@x.example", address="2001:db8:5:5::2")
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, regtype, email="c@x.example", address="2001:db8:5:5:dead:beef::3")


def test_the_caps_are_the_organisers_per_congress(congress, other_congress, regtype):
    update_registration_settings(
        congress=congress, max_unpaid_orders_per_email=1, max_unpaid_orders_per_address=None
    )
    place(congress, regtype)
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, regtype)
    other_type = RegistrationTypeFactory(congress=other_congress, regular_price=Decimal(10))
    for _n in range(3):  # the other congress keeps the defaults (3 per e-mail)
        place(other_congress, other_type)
    for n in range(15):  # no cap per address here
        place(congress, regtype, email=f"n{n}@x.example")


def test_empty_caps_switch_the_caps_off(congress, regtype):
    update_registration_settings(
        congress=congress, max_unpaid_orders_per_email=None, max_unpaid_orders_per_address=None
    )
    for _n in range(12):
        place(congress, regtype)
    assert Order.objects.count() == 12


def test_paying_or_cancelling_an_order_makes_room_under_the_cap(congress, regtype):
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=1)
    first = place(congress, regtype)
    mark_order_paid(order=first)
    second = place(congress, regtype)
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, regtype)
    cancel_own_order(order=second)
    place(congress, regtype)


def test_a_hold_that_ran_out_no_longer_counts(congress, regtype):
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=1)
    first = place(congress, regtype)
    Order.objects.filter(pk=first.pk).update(hold_expires_at=timezone.now() - dt.timedelta(1))
    place(congress, regtype)  # before the periodic job expires it


def test_orders_waiting_for_approval_count_as_holds(congress):
    vetted = RegistrationTypeFactory(
        congress=congress, requires_approval=True, regular_price=Decimal(10)
    )
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=1)
    order = place(congress, vetted)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    with pytest.raises(TooManyUnpaidOrders):
        place(congress, vetted)


def test_free_orders_are_not_holds_and_keep_no_placer(congress):
    free = RegistrationTypeFactory(congress=congress, regular_price=Decimal(0))
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=1)
    orders = [place(congress, free) for _n in range(3)]
    assert {(o.status, o.hold_email, o.hold_address) for o in orders} == {
        (OrderStatus.PAID, "", "")
    }


def test_the_cap_refusal_is_a_409_in_the_api():
    response = exception_handler(TooManyUnpaidOrders("Pay first."), {})
    assert response.status_code == 409
    assert response.data == {"detail": "Pay first.", "code": "too_many_unpaid_orders"}


# --- the placer, kept only while unpaid -----------------------------------------------------


def test_the_placer_is_recorded_on_an_unpaid_order(congress, regtype):
    order = place(congress, regtype, email="Ana+x@City.example", address="2001:db8::7")
    order.refresh_from_db()
    assert order.hold_email == "ana@city.example"
    assert order.hold_address == "2001:db8::/64"


@pytest.mark.parametrize("end", ["pay", "cancel", "expire", "release"])
def test_the_placer_is_cleared_when_the_hold_ends(congress, regtype, alice, end):
    order = place(congress, regtype)
    if end == "pay":
        mark_order_paid(order=order)
    elif end == "cancel":
        cancel_own_order(order=order)
    elif end == "expire":
        Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
        assert expire_stale_holds() == 1
    else:
        release_hold(order=order, by=alice)
    order.refresh_from_db()
    assert (order.hold_email, order.hold_address) == ("", "")


def test_approval_keeps_the_placer_while_the_order_waits_for_money(congress):
    vetted = RegistrationTypeFactory(
        congress=congress, requires_approval=True, regular_price=Decimal(10)
    )
    order = place(congress, vetted)
    approve_order(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.hold_address == "198.51.100.7"


# --- released early, free at once -----------------------------------------------------------


@pytest.fixture
def last_seat(congress):
    return RegistrationTypeFactory(congress=congress, capacity=1, regular_price=Decimal(10))


def test_a_hold_released_by_the_organisers_frees_its_seat_at_once(congress, last_seat, alice):
    hoarded = place(congress, last_seat, email="bot@x.example", address="192.0.2.1")
    with pytest.raises(SoldOut):
        place(congress, last_seat, email="real@x.example", address="192.0.2.2")
    release_hold(order=hoarded, by=alice)
    bought = place(congress, last_seat, email="real@x.example", address="192.0.2.2")
    assert bought.status == OrderStatus.PENDING_PAYMENT
    entry = AuditEntry.objects.get(action="convene.hold.released")
    assert entry.actor == alice
    assert entry.data == {"code": hoarded.code, "grouped_by": "order"}


def test_a_hold_cancelled_by_its_delegate_frees_its_seat_at_once(congress, last_seat):
    hoarded = place(congress, last_seat, email="first@x.example")
    cancel_own_order(order=hoarded)
    place(congress, last_seat, email="second@x.example")


def test_a_hold_whose_time_ran_out_frees_its_seat_before_the_job_runs(congress, last_seat):
    hoarded = place(congress, last_seat, email="first@x.example")
    Order.objects.filter(pk=hoarded.pk).update(hold_expires_at=timezone.now())
    place(congress, last_seat, email="second@x.example")


def test_a_paid_order_is_not_released(congress, regtype, alice):
    order = place(congress, regtype)
    mark_order_paid(order=order)
    with pytest.raises(OrderStateError):
        release_hold(order=order, by=alice)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_payment_that_came_in_meanwhile_wins_over_a_release(congress, regtype, alice):
    order = place(congress, regtype)
    stale = Order.objects.get(pk=order.pk)  # read by the organiser's page before the payment
    mark_order_paid(order=order)
    with pytest.raises(OrderStateError):
        release_hold(order=stale, by=alice)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_releasing_an_address_releases_only_its_open_holds_in_this_congress(
    congress, other_congress, regtype, alice
):
    bot = [
        place(congress, regtype, email=f"b{n}@x.example", address="192.0.2.66") for n in range(4)
    ]
    mark_order_paid(order=bot[0])
    real = place(congress, regtype, email="real@x.example", address="192.0.2.67")
    other_type = RegistrationTypeFactory(congress=other_congress, regular_price=Decimal(10))
    elsewhere = place(other_congress, other_type, email="e@x.example", address="192.0.2.66")
    assert release_holds(congress=congress, by=alice, hold_address="192.0.2.66") == 3
    statuses = dict(Order.objects.values_list("code", "status"))
    assert statuses[bot[0].code] == OrderStatus.PAID
    assert {statuses[o.code] for o in bot[1:]} == {OrderStatus.CANCELLED}
    assert statuses[real.code] == OrderStatus.PENDING_PAYMENT
    assert statuses[elsewhere.code] == OrderStatus.PENDING_PAYMENT
    entries = AuditEntry.objects.filter(action="convene.hold.released")
    assert {e.data["grouped_by"] for e in entries} == {"address"}
    assert entries.count() == 3


def test_release_holds_needs_exactly_one_group(congress, alice):
    with pytest.raises(ValueError):
        release_holds(congress=congress, by=alice)
    with pytest.raises(ValueError):
        release_holds(congress=congress, by=alice, hold_address="a", hold_email="b")
