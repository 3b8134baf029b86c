"""``manage.py check_integrity``: a congress run through the services reports nothing; each kind
of damage done behind the services' back (a plain ``.update()``) is reported with its object
and makes the command exit 1."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges import services as badge_services
from badges.models import Badge
from events_site.integrity.checks import check_congress
from events_site.integrity.tasks import check_integrity_task
from registrations.lifecycle import OrderStatus
from registrations.models import (
    BillingSettings,
    Delegate,
    Invoice,
    InvoiceCounter,
    Order,
    Payment,
    RegistrationSettings,
)
from registrations.payments.enums import InvoiceKind, PaymentProvider, PaymentState
from registrations.payments.services import payments as payment_services
from registrations.payments.services.refunds import request_refund
from registrations.services.orders import NewDelegate, cancel_order, place_order
from sessions.enums import SessionStatus, SignupStatus
from sessions.models import Session, SessionSignup
from tests.factories import (
    CongressFactory,
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
)

pytestmark = pytest.mark.django_db

BILLING = {
    "name": "Ville de Lyon – Direction des finances",
    "address": "1 place de la Comédie\n69001 Lyon",
    "country": "FR",
    "is_business": True,
}


def buy(congress, rtype, n: int) -> Order:
    details = {
        "given_name": f"Ana{n}",
        "family_name": f"Silva{n}",
        "email": f"ana{n}@city.example",
        "country": "PT",
    }
    return place_order(
        congress=congress,
        contact_name=f"Ana Silva {n}",
        email=f"contact{n}@city.example",
        language="en",
        delegates=[NewDelegate(registration_type=rtype, details=details)],
    )


def pay_by_transfer(order: Order, by) -> Order:
    payment_services.request_invoice_payment(order=order, billing=BILLING)
    payment_services.record_bank_transfer(
        order=order, amount=order.total, received_on=dt.date(2027, 3, 1), by=by
    )
    order.refresh_from_db()
    return order


@pytest.fixture
def demo(congress, alice):
    """A small congress as the services leave it: card and transfer payments, a free order,
    a cancelled and a refunded one, an open hold, invoices and credit notes, badges (printed
    and checked in), a session with sign-ups."""
    RegistrationSettings.objects.create(congress=congress, total_capacity=20)
    BillingSettings.objects.create(congress=congress, seller_name="UCLG", tax_rate=Decimal("20"))
    member = RegistrationTypeFactory(
        congress=congress, code="member", capacity=10, regular_price=Decimal("450.00")
    )
    guest = RegistrationTypeFactory(congress=congress, code="guest", capacity=5)

    card = buy(congress, member, 1)
    Payment.objects.create(
        order=card,
        provider=PaymentProvider.STRIPE,
        provider_id="pi_demo_1",
        amount=card.total,
        currency=card.currency,
        state=PaymentState.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    payment_services.settle_order_paid(order=card, actor_label="stripe:webhook")
    transfer = pay_by_transfer(buy(congress, member, 2), alice)
    free = buy(congress, guest, 3)
    cancelled = buy(congress, member, 4)
    refunded = pay_by_transfer(buy(congress, member, 5), alice)
    pending = buy(congress, member, 6)

    badge_services.issue_badges(congress=congress)
    Badge.objects.filter(delegate__order__in=[card, transfer, free]).update(
        printed_at=timezone.now(), print_count=1
    )
    cancel_order(order=cancelled, by=alice)
    request_refund(order=refunded, amount=refunded.total, by=alice)
    badge_services.reissue_secret(badge=refunded.delegates.get().badge, by=alice)

    session = Session.objects.create(
        congress=congress,
        code="WS1",
        title="Workshop",
        starts_at=congress.starts_at,
        ends_at=congress.starts_at + dt.timedelta(hours=1),
        capacity=1,
        status=SessionStatus.CONFIRMED,
    )
    SessionSignup.objects.create(
        session=session, delegate=card.delegates.get(), status=SignupStatus.SEAT
    )
    SessionSignup.objects.create(
        session=session, delegate=transfer.delegates.get(), status=SignupStatus.WAITING
    )
    for order in (card, transfer, free, cancelled, refunded, pending):
        order.refresh_from_db()
    assert [o.status for o in (card, transfer, free, cancelled, refunded, pending)] == [
        OrderStatus.PAID,
        OrderStatus.PAID,
        OrderStatus.PAID,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
        OrderStatus.PENDING_PAYMENT,
    ]
    assert Invoice.objects.filter(congress=congress, kind=InvoiceKind.CREDIT_NOTE).exists()
    return {
        "congress": congress,
        "member": member,
        "session": session,
        "card": card,
        "transfer": transfer,
        "free": free,
        "cancelled": cancelled,
        "refunded": refunded,
        "pending": pending,
    }


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_integrity", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def findings_of(*args: str) -> tuple[int, list[dict]]:
    code, out = run("--json", *args)
    return code, json.loads(out)


def test_a_congress_run_through_the_services_reports_nothing_and_exits_0(demo):
    assert check_congress(demo["congress"]) == []
    assert run() == (0, "No problems found.\n")
    assert findings_of("--congress", demo["congress"].slug) == (0, [])


def test_seats_beyond_a_registration_types_capacity_are_reported(demo):
    demo["member"].__class__.objects.filter(pk=demo["member"].pk).update(capacity=1)
    code, found = findings_of()
    assert code == 1
    assert found == [
        {
            "congress": "wcg-2027",
            "kind": "seats_over_type_capacity",
            "object": "registration type member",
            "detail": "3 seats held or sold for a capacity of 1.",
        }
    ]


def test_seats_beyond_the_congress_cap_are_reported(demo):
    RegistrationSettings.objects.filter(congress=demo["congress"]).update(total_capacity=2)
    code, found = findings_of()
    assert code == 1
    assert [(f["kind"], f["object"]) for f in found] == [
        ("seats_over_congress_capacity", "congress wcg-2027")
    ]
    assert "4 seats" in found[0]["detail"]


def test_session_seats_beyond_its_capacity_are_reported(demo):
    SessionSignup.objects.filter(session=demo["session"]).update(status=SignupStatus.SEAT)
    code, found = findings_of()
    assert code == 1
    assert [(f["kind"], f["object"]) for f in found] == [
        ("seats_over_session_capacity", "session WS1")
    ]


def test_an_order_marked_paid_without_a_payment_is_reported(demo):
    Order.objects.filter(pk=demo["pending"].pk).update(status=OrderStatus.PAID)
    code, found = findings_of()
    assert code == 1
    assert [(f["kind"], f["object"]) for f in found] == [
        ("paid_without_payment", f"order {demo['pending'].code}")
    ]


def test_a_payment_covering_an_order_left_unpaid_is_reported(demo):
    Order.objects.filter(pk=demo["transfer"].pk).update(status=OrderStatus.PENDING_PAYMENT)
    code, found = findings_of()
    assert code == 1
    assert [(f["kind"], f["object"]) for f in found] == [
        ("payment_without_paid_order", f"order {demo['transfer'].code}")
    ]


def test_a_refunded_order_that_kept_its_money_is_reported(demo):
    Order.objects.filter(pk=demo["card"].pk).update(status=OrderStatus.REFUNDED)
    code, found = findings_of()
    assert code == 1
    kinds = {(f["kind"], f["object"]) for f in found}
    assert ("refunded_order_keeps_money", f"order {demo['card'].code}") in kinds


def test_a_gap_in_an_invoice_series_is_reported(demo):
    congress = demo["congress"]
    # Invoices refuse to be deleted; a number jumped by the counter leaves the same gap.
    InvoiceCounter.objects.filter(congress=congress, kind=InvoiceKind.INVOICE).update(
        next_number=10
    )
    code, found = findings_of()
    assert code == 1
    issued = Invoice.objects.filter(congress=congress, kind=InvoiceKind.INVOICE).count()
    assert found == [
        {
            "congress": "wcg-2027",
            "kind": "invoice_number_gap",
            "object": "invoice series",
            "detail": f"Numbers missing: {issued + 1}-9.",
        }
    ]


def test_a_renumbered_invoice_leaves_a_gap_and_a_counter_behind(demo):
    first = Invoice.objects.filter(congress=demo["congress"], kind=InvoiceKind.INVOICE).first()
    Invoice.objects.filter(pk=first.pk).update(number=50)
    code, found = findings_of()
    assert code == 1
    kinds = [(f["kind"], f["object"]) for f in found]
    assert kinds == [
        ("invoice_counter_behind", "invoice series"),
        ("invoice_number_gap", "invoice series"),
    ]
    assert found[1]["detail"].startswith("Numbers missing: 1,")


def test_a_printed_badge_of_a_cancelled_delegate_is_reported(demo):
    delegate = demo["transfer"].delegates.get()
    Delegate.objects.filter(pk=delegate.pk).update(is_cancelled=True)
    code, found = findings_of()
    assert code == 1
    assert [(f["kind"], f["object"]) for f in found] == [
        ("badge_without_live_delegate", f"badge {delegate.badge.pk}")
    ]


def test_a_badge_used_at_the_door_for_a_cancelled_order_is_reported(demo):
    badge = demo["pending"].delegates.get().badge
    Badge.objects.filter(pk=badge.pk).update(checked_in_at=timezone.now())
    Order.objects.filter(pk=demo["pending"].pk).update(status=OrderStatus.CANCELLED)
    code, found = findings_of()
    assert code == 1
    assert [(f["kind"], f["object"]) for f in found] == [
        ("badge_without_live_delegate", f"badge {badge.pk}")
    ]


def test_revoking_the_badges_code_settles_it(demo, alice):
    delegate = demo["transfer"].delegates.get()
    Delegate.objects.filter(pk=delegate.pk).update(is_cancelled=True)
    badge_services.reissue_secret(badge=delegate.badge, by=alice)
    assert findings_of() == (0, [])


def test_only_the_named_congress_is_checked_and_text_output_names_each_problem(demo):
    other = CongressFactory(slug="other-2027")
    OrderFactory(congress=other, status=OrderStatus.PAID, total=Decimal("10.00"), code="BADPAID1")
    assert findings_of("--congress", demo["congress"].slug) == (0, [])
    code, out = run()
    assert code == 1
    assert out == (
        "other-2027\tpaid_without_payment\torder BADPAID1\t"
        "The order is Paid for €10.00, with no payment.\n"
    )


@pytest.mark.parametrize("slug", ["nope", "nope\x00<b>", "x" * 10_000, "wcg-2027\n", "\u0645"])
def test_an_unknown_congress_is_refused(demo, slug):
    with pytest.raises(CommandError, match="No congress"):
        call_command("check_integrity", "--congress", slug)


def _add_orders(congress, rtype, count: int) -> None:
    orders = Order.objects.bulk_create(
        [
            Order(
                congress=congress,
                code=f"BULK{n:04d}",
                secret=f"bulk-secret-{n}",
                status=OrderStatus.PAID,
                contact_name="Ana",
                email=f"b{n}@city.example",
                total=Decimal("450.00"),
                currency=congress.currency,
            )
            for n in range(count)
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(
                order=order,
                provider=PaymentProvider.BANK_TRANSFER,
                amount=Decimal("450.00"),
                currency=congress.currency,
                state=PaymentState.SUCCEEDED,
            )
            for order in orders
        ]
    )
    for order in orders:
        DelegateFactory(order=order, registration_type=rtype, price=Decimal("450.00"))


def test_the_checks_read_a_fixed_number_of_queries_per_congress(
    demo, django_assert_max_num_queries
):
    congress = demo["congress"]
    with CaptureQueriesContext(connection) as small:
        check_congress(congress)
    assert len(small.captured_queries) <= 10
    _add_orders(congress, demo["member"], 200)
    RegistrationSettings.objects.filter(congress=congress).update(total_capacity=None)
    demo["member"].__class__.objects.filter(pk=demo["member"].pk).update(capacity=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert check_congress(congress) == []


def test_the_queued_check_logs_each_finding_as_an_error(demo, caplog):
    assert run("--enqueue") == (0, "Enqueued.\n")
    assert check_integrity_task.call() == 0
    Order.objects.filter(pk=demo["pending"].pk).update(status=OrderStatus.PAID)
    with caplog.at_level(logging.ERROR, logger="convene.integrity"):
        assert check_integrity_task.call() == 1
    assert [r.getMessage() for r in caplog.records if r.name == "convene.integrity"] == [
        f"integrity: wcg-2027 paid_without_payment order {demo['pending'].code}: "
        "The order is Paid for €450.00, with no payment."
    ]


@pytest.mark.django_db(transaction=True)
def test_the_seeded_demo_congress_reports_nothing():
    call_command("seed_demo", delegates=120, speakers=20, sessions=20, verbosity=0)
    assert run() == (0, "No problems found.\n")
