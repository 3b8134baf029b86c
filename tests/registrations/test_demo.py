import random

import pytest

from events_site.demo.people import generate_people
from registrations.demo import seed_demo
from registrations.enums import OrderStatus
from registrations.models import Delegate, Order

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_state_and_is_idempotent(congress):
    people = generate_people(400, seed=7)
    first = seed_demo(congress=congress, people=people, rng=random.Random(1))
    assert Delegate.objects.filter(order__congress=congress).count() == 400
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {
        OrderStatus.PAID,
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.AWAITING_APPROVAL,
        OrderStatus.CANCELLED,
    } <= statuses
    assert first["registration_types"] == 8
    again = seed_demo(congress=congress, people=people, rng=random.Random(1))
    assert again["new_orders"] == 0
    assert Delegate.objects.count() == 400


def test_demo_totals_match_the_delegates_prices(congress):
    seed_demo(congress=congress, people=generate_people(200, seed=3), rng=random.Random(2))
    for order in Order.objects.prefetch_related("delegates")[:50]:
        assert order.total == sum(d.price for d in order.delegates.all())


def test_demo_seeds_two_thousand_people_in_bulk(congress, django_assert_max_num_queries):
    """Writes in bulk: a few statements per batch, never one per delegate;
    a timed assertion here failed on loaded machines, so the speed is in bench/, not here."""
    people = generate_people(2000, seed=11)
    with django_assert_max_num_queries(250):  # 207 measured; one per delegate would be 2,000+
        seed_demo(congress=congress, people=people, rng=random.Random(3))
    assert Delegate.objects.count() == 2000
