import pytest

from registrations import capacity


@pytest.mark.django_db(transaction=True)
def test_capacity_lock_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        capacity.lock_capacity(congress_id=1)


@pytest.mark.django_db
def test_the_sql_count_agrees_with_the_orm_definition_of_a_held_seat():
    """count_taken is plain SQL for speed; it must count exactly what holding_orders_q and the
    open-offer filter describe, for every order state, cancelled delegates, offers and the
    type and exclusion filters."""
    import datetime as dt
    from collections import Counter

    from django.utils import timezone

    from registrations.enums import OrderStatus, WaitingListStatus
    from registrations.models import Delegate, WaitingListEntry
    from tests.factories import (
        CongressFactory,
        DelegateFactory,
        OrderFactory,
        RegistrationTypeFactory,
    )

    now = timezone.now()
    hour = dt.timedelta(hours=1)
    congress, elsewhere = CongressFactory(), CongressFactory()
    a, b = (RegistrationTypeFactory(congress=congress, code=c) for c in "ab")
    foreign = RegistrationTypeFactory(congress=elsewhere)
    orders = []
    for status in OrderStatus.values:
        for hold in (None, now + hour, now - hour):
            for rtype, seats in ((a, 2), (b, 1)):
                order = OrderFactory(congress=congress, status=status, hold_expires_at=hold)
                DelegateFactory.create_batch(seats, order=order, registration_type=rtype)
                DelegateFactory(order=order, registration_type=rtype, is_cancelled=True)
                orders.append(order)
        DelegateFactory(
            order=OrderFactory(congress=elsewhere, status=status), registration_type=foreign
        )
    offers = []
    for status in WaitingListStatus.values:
        for expires in (None, now + hour, now - hour):
            for rtype in (a, b, foreign):
                offers.append(
                    WaitingListEntry.objects.create(
                        congress=rtype.congress,
                        registration_type=rtype,
                        name="W",
                        email="w@x.example",
                        status=status,
                        offer_expires_at=expires,
                    )
                )

    def expected(type_ids=None, exclude_order_id=None, exclude_offer_id=None) -> Counter:
        delegates = Delegate.objects.filter(
            capacity.holding_orders_q(now=now), order__congress=congress, is_cancelled=False
        ).exclude(order_id=exclude_order_id)
        open_offers = WaitingListEntry.objects.filter(
            congress=congress, status=WaitingListStatus.OFFERED, offer_expires_at__gt=now
        ).exclude(pk=exclude_offer_id)
        counted = Counter(delegates.values_list("registration_type_id", flat=True))
        counted += Counter(open_offers.values_list("registration_type_id", flat=True))
        return Counter({k: v for k, v in counted.items() if type_ids is None or k in type_ids})

    held = next(o for o in orders if o.status == OrderStatus.PAID)
    offered = next(
        o
        for o in offers
        if o.status == WaitingListStatus.OFFERED
        and o.offer_expires_at
        and o.offer_expires_at > now
        and o.registration_type == a
    )
    cases = [
        {},
        {"type_ids": [a.pk]},
        {"type_ids": [b.pk, a.pk]},
        {"exclude_order_id": held.pk},
        {"exclude_offer_id": offered.pk},
        {"type_ids": [a.pk], "exclude_order_id": held.pk, "exclude_offer_id": offered.pk},
    ]
    for case in cases:
        taken = capacity.count_taken(congress_id=congress.pk, now=now, **case)
        assert +taken.by_type == expected(**case), case
        assert taken.total == sum(expected(**case).values()), case
    assert capacity.count_taken(congress_id=congress.pk, type_ids=[], now=now).total == 0
    # The figures are not trivial: every status contributes or is left out as it should.
    # a: 3 statuses that always hold x 3 holds x 2 seats, pending with no or a live hold, 1 offer
    assert expected()[a.pk] == 3 * 3 * 2 + 2 * 2 + 1
