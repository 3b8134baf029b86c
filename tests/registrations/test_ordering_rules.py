"""Placing orders: prices and tiers, vouchers, approval, member rate, capacity, idempotency."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from registrations.enums import OrderStatus, PriceTier
from registrations.errors import (
    RegistrationClosed,
    RegistrationError,
    SoldOut,
    VoucherExhausted,
    VoucherInvalid,
    VoucherRequired,
)
from registrations.models import (
    Answer,
    Delegate,
    MemberOrganisation,
    Order,
    Question,
    RegistrationSettings,
    Voucher,
)
from registrations.services.orders import NewDelegate, place_order
from registrations.services.pricing import list_price, price_tier
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiered(congress):
    return RegistrationTypeFactory(
        congress=congress,
        regular_price=Decimal("500.00"),
        early_bird_price=Decimal("400.00"),
        early_bird_until=dt.date(2027, 3, 31),
        on_site_price=Decimal("600.00"),
    )


@pytest.mark.parametrize(
    ("today", "tier", "price"),
    [
        (dt.date(2027, 3, 31), PriceTier.EARLY_BIRD, "400.00"),
        (dt.date(2027, 4, 1), PriceTier.REGULAR, "500.00"),
        (dt.date(2027, 5, 10), PriceTier.ON_SITE, "600.00"),
    ],
)
def test_price_follows_the_tier_of_the_congress_calendar(tiered, today, tier, price):
    assert price_tier(tiered, today) == tier
    assert list_price(tiered, today) == (Decimal(price), tier)


def test_early_bird_ends_at_midnight_in_the_congress_zone(congress, tiered):
    # 31 March 16:00 UTC is already 1 April in Seoul.
    late = dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC)
    order = place_order(**order_kwargs(congress, tiered), now=late)
    assert order.total == Decimal("500.00")
    assert order.delegates.get().price_tier == PriceTier.REGULAR


def test_order_total_is_the_sum_of_server_side_prices(congress, tiered, regtype):
    delegates = [
        NewDelegate(registration_type=tiered, details=person(1)),
        NewDelegate(registration_type=regtype, details=person(2)),
    ]
    order = place_order(
        **{**order_kwargs(congress, tiered), "delegates": delegates},
        now=dt.datetime(2027, 1, 5, tzinfo=dt.UTC),
    )
    assert order.total == Decimal("850.00")


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("percentage", "10", "405.00"),
        ("percentage", "100", "0.00"),
        ("fixed", "50", "400.00"),
        ("fixed", "900", "0.00"),
        ("set_price", "99", "99.00"),
    ],
)
def test_voucher_kinds_change_the_price(congress, regtype, kind, value, expected):
    Voucher.objects.create(congress=congress, code="CITY", kind=kind, value=Decimal(value))
    order = place_order(**order_kwargs(congress, regtype, voucher_code="city"))
    assert order.total == Decimal(expected)
    assert order.delegates.get().voucher.code == "CITY"


def test_voucher_limited_to_types_leaves_other_delegates_at_full_price(congress, regtype):
    other = RegistrationTypeFactory(congress=congress, regular_price=Decimal("100"))
    voucher = Voucher.objects.create(congress=congress, code="LOWINCOME", value=Decimal("100"))
    voucher.registration_types.add(regtype)
    delegates = [
        NewDelegate(registration_type=regtype, details=person(1)),
        NewDelegate(registration_type=other, details=person(2)),
    ]
    order = place_order(
        **{**order_kwargs(congress, regtype), "delegates": delegates}, voucher_code="lowincome"
    )
    assert order.total == Decimal("100.00")


def test_voucher_for_another_type_only_is_refused(congress, regtype):
    other = RegistrationTypeFactory(congress=congress)
    voucher = Voucher.objects.create(congress=congress, code="PRESS", value=Decimal("100"))
    voucher.registration_types.add(other)
    with pytest.raises(VoucherInvalid):
        place_order(**order_kwargs(congress, regtype, voucher_code="PRESS"))
    assert not Order.objects.exists()


@pytest.mark.parametrize("field", ["unknown", "expired", "inactive"])
def test_invalid_voucher_codes_are_refused(congress, regtype, field):
    if field != "unknown":
        Voucher.objects.create(
            congress=congress,
            code="OLD",
            valid_until=timezone.now() - dt.timedelta(days=1) if field == "expired" else None,
            is_active=field != "inactive",
        )
    with pytest.raises(VoucherInvalid):
        place_order(**order_kwargs(congress, regtype, voucher_code="OLD"))


def test_voucher_max_uses_counts_each_delegate(congress, regtype):
    Voucher.objects.create(congress=congress, code="TWO", value=Decimal("10"), max_uses=2)
    place_order(**order_kwargs(congress, regtype, 2, voucher_code="TWO"))
    with pytest.raises(VoucherExhausted):
        place_order(**order_kwargs(congress, regtype, 1, voucher_code="TWO"))


def test_voucher_use_returns_when_the_order_is_cancelled(congress, regtype):
    from registrations.services.orders import cancel_order

    Voucher.objects.create(congress=congress, code="ONE", value=Decimal("10"), max_uses=1)
    order = place_order(**order_kwargs(congress, regtype, voucher_code="ONE"))
    cancel_order(order=order)
    place_order(**order_kwargs(congress, regtype, voucher_code="ONE"))


def test_complimentary_type_needs_a_voucher(congress):
    speaker = RegistrationTypeFactory(congress=congress, complimentary=True)
    with pytest.raises(VoucherRequired):
        place_order(**order_kwargs(congress, speaker))


def test_press_type_waits_for_approval_and_holds_its_seat(congress):
    press = RegistrationTypeFactory(
        congress=congress, requires_approval=True, capacity=1, regular_price=Decimal("0")
    )
    order = place_order(**order_kwargs(congress, press))
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert order.needs_review
    with pytest.raises(SoldOut):
        place_order(**order_kwargs(congress, press))


def test_approving_a_paid_type_asks_for_payment_within_days(congress):
    from registrations.services.orders import approve_order

    press = RegistrationTypeFactory(
        congress=congress, requires_approval=True, regular_price=Decimal("80")
    )
    order = approve_order(order=place_order(**order_kwargs(congress, press)))
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.hold_expires_at > timezone.now() + dt.timedelta(days=6)


def test_member_rate_passes_for_listed_organisations(congress):
    member = RegistrationTypeFactory(
        congress=congress, requires_membership=True, regular_price=Decimal("300")
    )
    MemberOrganisation.objects.create(congress=congress, name="City of Lisbon")
    order = place_order(**order_kwargs(congress, member))
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_member_rate_for_unlisted_organisation_goes_to_review(congress):
    member = RegistrationTypeFactory(congress=congress, requires_membership=True)
    MemberOrganisation.objects.create(congress=congress, name="Ville de Paris")
    order = place_order(**order_kwargs(congress, member))
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert "City of Lisbon" in order.review_reason


def test_type_capacity_is_never_exceeded(congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=3)
    place_order(**order_kwargs(congress, rtype, 2))
    with pytest.raises(SoldOut):
        place_order(**order_kwargs(congress, rtype, 2))
    place_order(**order_kwargs(congress, rtype, 1))
    assert Delegate.objects.count() == 3


def test_congress_capacity_bounds_all_types_together(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, total_capacity=2)
    other = RegistrationTypeFactory(congress=congress)
    place_order(**order_kwargs(congress, regtype))
    place_order(**order_kwargs(congress, other))
    with pytest.raises(SoldOut):
        place_order(**order_kwargs(congress, other))


def test_an_expired_hold_frees_its_seat_even_before_the_sweeper(congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1, regular_price=Decimal("5"))
    order = place_order(**order_kwargs(congress, rtype))
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    place_order(**order_kwargs(congress, rtype))


def test_sales_window_is_enforced(congress):
    rtype = RegistrationTypeFactory(congress=congress, sales_end=timezone.now())
    with pytest.raises(RegistrationClosed):
        place_order(**order_kwargs(congress, rtype))


def test_closed_congress_takes_no_orders(congress, regtype):
    congress.status = "published"
    congress.save()
    with pytest.raises(RegistrationClosed):
        place_order(**order_kwargs(congress, regtype))


def test_a_type_of_another_congress_is_refused(congress, other_congress):
    foreign = RegistrationTypeFactory(congress=other_congress)
    with pytest.raises(RegistrationClosed):
        place_order(**order_kwargs(congress, foreign))


def test_delegation_size_is_limited(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, max_delegates_per_order=2)
    with pytest.raises(RegistrationError):
        place_order(**order_kwargs(congress, regtype, 3))


def test_the_same_idempotency_key_returns_the_first_order(congress, regtype):
    first = place_order(**order_kwargs(congress, regtype, 3, idempotency_key="k1"))
    second = place_order(**order_kwargs(congress, regtype, 3, idempotency_key="k1"))
    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert Delegate.objects.count() == 3


def test_a_repeat_of_the_order_that_took_the_last_seat_returns_that_order(congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1)
    first = place_order(**order_kwargs(congress, rtype, idempotency_key="last"))
    again = place_order(**order_kwargs(congress, rtype, idempotency_key="last"))
    assert again.pk == first.pk
    with pytest.raises(SoldOut):
        place_order(**order_kwargs(congress, rtype, idempotency_key="other"))


def test_a_refused_order_leaves_nothing_behind(congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1)
    Voucher.objects.create(congress=congress, code="X", value=Decimal("10"), max_uses=0)
    with pytest.raises(VoucherExhausted):
        place_order(**order_kwargs(congress, rtype, voucher_code="X"))
    assert not Order.objects.exists() and not Delegate.objects.exists()
    place_order(**order_kwargs(congress, rtype))  # the seat was never held


def test_answers_are_stored_per_delegate(congress, regtype):
    question = Question.objects.create(congress=congress, label="Workshop?", kind="text")
    delegates = [
        NewDelegate(registration_type=regtype, details=person(1), answers={question.pk: "A"}),
        NewDelegate(registration_type=regtype, details=person(2), answers={question.pk: "B"}),
    ]
    order = place_order(**{**order_kwargs(congress, regtype), "delegates": delegates})
    values = sorted(Answer.objects.filter(delegate__order=order).values_list("value", flat=True))
    assert values == ["A", "B"]


def test_role_defaults_to_the_types_role(congress):
    press = RegistrationTypeFactory(congress=congress, default_role="press")
    order = place_order(**order_kwargs(congress, press))
    assert order.delegates.get().role == "press"


def test_placing_a_delegation_of_three_takes_a_constant_number_of_queries(
    congress, regtype, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Delegates and answers go in one insert each, seats are counted in one query, and the
    e-mail is a queued task (rendered by the worker): the count does not grow with the
    delegation. Worst case: a voucher with limited uses and answers for every delegate."""
    question = Question.objects.create(congress=congress, label="Workshop?", kind="text")
    Voucher.objects.create(congress=congress, code="TEN", value=Decimal("10"), max_uses=10)
    delegates = [
        NewDelegate(registration_type=regtype, details=person(n), answers={question.pk: "A"})
        for n in range(3)
    ]
    congress.refresh_from_db()  # no cached settings: the count includes reading them
    # Settings, voucher and its types; then savepoint (the test's transaction), the lock (one
    # round trip, PostgreSQL only), the caps on unpaid orders (one statement), seats, voucher
    # uses, order, delegates, answers, audit, release. The e-mail task is queued after commit.
    with (
        django_assert_max_num_queries(13),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        order = place_order(
            **{**order_kwargs(congress, regtype), "delegates": delegates},
            voucher_code="TEN",
            idempotency_key="queries",
        )
    from events_site.congresses.locks import wait_until_durable as _wait_until_durable

    # One task enqueue (nothing is rendered in the request), after the durability barrier
    # that follows the capacity transaction on PostgreSQL.
    queued = [hook for hook in callbacks if hook is not _wait_until_durable]
    assert len(queued) == 1
    assert (_wait_until_durable in callbacks) == (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":  # durable first, then anything that tells anyone
        assert callbacks.index(_wait_until_durable) < callbacks.index(queued[0])
    assert order.delegates.count() == 3
    assert Answer.objects.filter(delegate__order=order).count() == 3
