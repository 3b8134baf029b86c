"""The finance list at scale: search, filters, sort, totals for the filter, exports of exactly
what is filtered, dunning reminders, permissions and fixed query counts at 20,000 orders."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import (
    BillingDetails,
    Delegate,
    Invoice,
    InvoiceReminder,
    Order,
    Payment,
    Refund,
)
from registrations.payments import selectors
from registrations.payments.enums import InvoiceKind, PaymentProvider, PaymentState, RefundState
from registrations.payments.services import dunning
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PAST_DUE = dt.date(2020, 1, 1)


def _url(congress, rest=""):
    return f"/{congress.slug}/manage/payments/{rest}"


@pytest.fixture
def finance_user(congress):
    user = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=user, role="finance")
    return user


@pytest.fixture
def registration_user(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


def _orders(congress, count, *, status=OrderStatus.PENDING_PAYMENT, total="100.00", **fields):
    """``count`` orders in one INSERT (fast at 20,000)."""
    rows = [
        Order(
            congress=congress,
            status=status,
            total=Decimal(total),
            currency=congress.currency,
            contact_name=fields.get("contact_name", f"Buyer {n}"),
            email=fields.get("email", f"buyer{n}-{status}@example.org"),
            language=fields.get("language", "en"),
        )
        for n in range(count)
    ]
    return Order.objects.bulk_create(rows)


def _invoices(congress, orders, *, due=PAST_DUE, start=1):
    rows = [
        Invoice(
            congress=congress,
            order=order,
            kind=InvoiceKind.INVOICE,
            number=start + n,
            full_number=f"INV-{start + n:05d}",
            issued_at=timezone.now(),
            due_date=due,
            currency=congress.currency,
            net=order.total,
            tax=Decimal("0"),
            gross=order.total,
            tax_rate=Decimal("0"),
            tax_label="VAT",
            seller={"iban": "DE02120300000000202051", "bic": "BYLADEM1001"},
            buyer={},
        )
        for n, order in enumerate(orders)
    ]
    return Invoice.objects.bulk_create(rows)


def _payments(orders, *, amount, provider=PaymentProvider.BANK_TRANSFER, state=None, **fields):
    rows = [
        Payment(
            order=order,
            provider=provider,
            amount=Decimal(amount),
            currency=order.currency,
            state=state or PaymentState.SUCCEEDED,
            **fields,
        )
        for order in orders
    ]
    return Payment.objects.bulk_create(rows)


def _codes(response) -> set[str]:
    return {order.code for order in response.context["page"].object_list}


@pytest.fixture
def world(congress):
    """A handful of orders, each findable by one thing only."""
    speaker = RegistrationTypeFactory(congress=congress, code="speaker", name="Speaker")
    member = RegistrationTypeFactory(congress=congress, code="member", name="Member")
    (accented,) = _orders(congress, 1, contact_name="Zoë Müller-Ångström", email="zm@uni.example")
    (paid,) = _orders(congress, 1, status=OrderStatus.PAID, total="450.00", contact_name="Ben")
    (overdue,) = _orders(congress, 1, total="300.00", contact_name="Olga", language="fr")
    (refunded,) = _orders(
        congress, 1, status=OrderStatus.PARTIALLY_REFUNDED, total="200.00", contact_name="Rui"
    )
    (card_failed,) = _orders(congress, 1, total="80.00", contact_name="Carla")
    _invoices(congress, [overdue])
    (transfer,) = _payments([paid], amount="450.00", reference="SEPA-REF-77 CITY OF OSLO")
    _payments([refunded], amount="200.00", provider=PaymentProvider.STRIPE)
    Refund.objects.create(
        payment=refunded.payments.get(),
        order=refunded,
        amount=Decimal("50.00"),
        currency="EUR",
        state=RefundState.SUCCEEDED,
    )
    _payments([card_failed], amount="80.00", provider=PaymentProvider.STRIPE, state="failed")
    _payments([overdue], amount="100.00")  # a part payment
    Delegate.objects.create(
        order=accented,
        registration_type=speaker,
        given_name="Zoë",
        family_name="Müller",
        email="zm@uni.example",
        organisation_name="Universidade de Coimbra",
    )
    Delegate.objects.create(
        order=paid,
        registration_type=member,
        given_name="Ben",
        family_name="Ng",
        email="ben@example.org",
    )
    BillingDetails.objects.create(
        order=overdue, name="Ville de Genève – Finances", address="1 rue", country="CH"
    )
    Order.objects.filter(pk=card_failed.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    return {
        "accented": accented,
        "paid": paid,
        "overdue": overdue,
        "refunded": refunded,
        "card_failed": card_failed,
        "transfer": transfer,
        "speaker": speaker,
    }


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("muller", "accented"),  # accents and case ignored
        ("ZOE MÜLLER", "accented"),
        ("angstrom", "accented"),
        ("zm@uni", "accented"),
        ("coimbra", "accented"),  # a delegate's organisation
        ("genève", "overdue"),  # the billing name
        ("INV-00001", "overdue"),  # the invoice number
        ("sepa-ref-77", "paid"),  # the payer reference of a transfer
    ],
)
def test_search_finds_each_kind_of_reference(client, alice, congress, world, text, key):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "q": text})
    assert _codes(response) == {world[key].code}


def test_search_finds_the_order_code(client, alice, congress, world):
    client.force_login(alice)
    code = world["refunded"].code
    response = client.get(_url(congress), {"view": "all", "q": code.lower()})
    assert _codes(response) == {code}


def test_search_words_must_all_match(client, alice, congress, world):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "q": "muller oslo"})
    assert _codes(response) == set()


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"status": "paid"}, {"paid"}),
        ({"status": "partially_refunded"}, {"refunded"}),
        ({"method": "stripe"}, {"refunded", "card_failed"}),
        ({"method": "bank_transfer"}, {"paid", "overdue"}),
        ({"payment": "failed"}, {"card_failed"}),
        ({"method": "stripe", "payment": "succeeded"}, {"refunded"}),
        ({"invoice": "yes"}, {"overdue"}),
        ({"invoice": "no"}, {"accented", "paid", "refunded", "card_failed"}),
        ({"overdue": "1"}, {"overdue"}),
        ({"view": "overdue"}, {"overdue"}),
        ({"view": "refunded"}, {"refunded"}),
    ],
)
def test_each_filter_selects_its_orders(client, alice, congress, world, params, keys):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", **params})
    assert _codes(response) == {world[key].code for key in keys}


def test_type_filter_selects_orders_with_a_delegate_of_that_type(client, alice, congress, world):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "type": world["speaker"].pk})
    assert _codes(response) == {world["accented"].code}


def test_another_congresss_type_is_refused_beside_the_field(client, alice, congress, world):
    foreign = RegistrationTypeFactory()
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "type": foreign.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["type"]
    assert len(_codes(response)) == 5  # the filter is ignored, not applied


def test_date_range_uses_the_congress_days(client, alice, congress, world):
    client.force_login(alice)
    today = timezone.localdate(timezone=congress.tz)
    old = today - dt.timedelta(days=40)
    response = client.get(_url(congress), {"view": "all", "date_to": old.isoformat()})
    assert _codes(response) == {world["card_failed"].code}
    response = client.get(
        _url(congress), {"view": "all", "date_from": (old + dt.timedelta(days=1)).isoformat()}
    )
    assert world["card_failed"].code not in _codes(response)
    assert len(_codes(response)) == 4


def test_sort_by_total_and_by_code(client, alice, congress, world):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "sort": "-total"})
    totals = [order.total for order in response.context["page"].object_list]
    assert totals == sorted(totals, reverse=True)
    response = client.get(_url(congress), {"view": "all", "sort": "code"})
    codes = [order.code for order in response.context["page"].object_list]
    assert codes == sorted(codes)


# --- totals ----------------------------------------------------------------------------------


def test_totals_match_hand_sums(client, alice, congress, world):
    client.force_login(alice)
    totals = client.get(_url(congress), {"view": "all"}).context["totals"]
    # ordered: 100 + 450 + 300 + 200 + 80; paid: 450 + 200 + 100 (the failed card is not money)
    assert totals["ordered"] == Decimal("1130.00")
    assert totals["paid"] == Decimal("750.00")
    assert totals["refunded"] == Decimal("50.00")
    # outstanding: accented 100, overdue 300 - 100, card_failed 80 (paid and refunded owe none)
    assert totals["outstanding"] == Decimal("380.00")
    assert totals["orders"] == 5


def test_totals_follow_the_filter_and_are_shown_in_the_congress_currency(
    client, alice, congress, world
):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "method": "stripe"})
    totals = response.context["totals"]
    assert totals["ordered"] == Decimal("280.00") and totals["refunded"] == Decimal("50.00")
    html = response.content.decode()
    assert "€280.00" in html and "€50.00" in html


def test_totals_take_one_query(congress, world, django_assert_num_queries):
    today = timezone.localdate(timezone=congress.tz)
    orders = selectors.finance_orders(congress=congress, today=today)
    with django_assert_num_queries(1):
        selectors.finance_totals(orders)


# --- figures above 500 -------------------------------------------------------------------------


def test_header_figures_match_the_list_above_500_orders(client, finance_user, congress):
    paid = _orders(congress, 788, status=OrderStatus.PAID, total="10.00")
    _payments(paid, amount="10.00")
    _orders(congress, 12)
    client.force_login(finance_user)
    response = client.get(_url(congress), {"view": "paid"})
    assert response.context["counts"]["paid"] == 788
    assert response.context["page"].paginator.count == 788
    assert response.context["totals"]["orders"] == 788
    assert response.context["totals"]["paid"] == Decimal("7880.00")
    last = response.context["page"].paginator.num_pages
    tail = client.get(_url(congress), {"view": "paid", "page": last})
    assert len(tail.context["page"].object_list) == 788 - (last - 1) * 50
    seen = set()
    for number in range(1, last + 1):
        seen |= _codes(client.get(_url(congress), {"view": "paid", "page": number}))
    assert seen == {order.code for order in paid}


# --- exports ---------------------------------------------------------------------------------


def test_export_holds_exactly_the_filtered_orders_and_is_audited(client, alice, congress, world):
    _orders(congress, 60, status=OrderStatus.PAID)
    client.force_login(alice)
    query = {"view": "all", "status": "paid"}
    listed = set()
    for number in (1, 2):
        listed |= _codes(client.get(_url(congress), {**query, "page": number}))
    response = client.get(_url(congress, "export.csv"), query)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == listed
    assert len(listed) == 61
    entry = AuditEntry.objects.filter(action="convene.export.downloaded").latest("pk")
    assert entry.data["rows"] == 61
    assert entry.data["filters"] == {"view": "all", "status": "paid"}


def test_export_follows_the_search(client, alice, congress, world):
    client.force_login(alice)
    response = client.get(_url(congress, "export.xlsx"), {"view": "all", "q": "muller"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [world["accented"].code]


# --- hostile query strings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "%_\\'\"; DROP TABLE x; --"},
        {"q": "<script>alert(1)</script>"},
        {"q": "مؤتمر 会議 Ελλάδα"},
        {"q": "\u202etxet"},
        {"status": "nope"},
        {"method": ["stripe", "x"]},
        {"type": "abc"},
        {"type": "99999999999999999999999"},
        {"date_from": "2027-02-30"},
        {"date_to": "\x7f\x1b[31m"},
        {"sort": "password"},
        {"sort": "-secret"},
        {"page": "-1"},
        {"page": "99999"},
        {"page": "x"},
        {"view": "../../"},
        {"overdue": "maybe"},
        {"invoice": "\U0001f4b8"},
    ],
)
def test_hostile_query_strings_never_fail(client, alice, congress, world, params):
    client.force_login(alice)
    for path in ("", "export.csv"):
        response = client.get(_url(congress, path), params)
        assert response.status_code == 200


@pytest.mark.parametrize("raw", ["q=%00", "q=a%00b", "date_to=%00", "q=%ED%A0%80", "q=%FF%FE"])
def test_undecodable_or_nul_query_strings_get_a_clear_answer_not_a_500(
    client, alice, congress, world, raw
):
    client.force_login(alice)
    for path in ("", "export.csv"):
        response = client.get(_url(congress, path) + "?view=all&" + raw)
        assert response.status_code in (200, 400)


def test_refused_filters_are_shown_beside_their_field(client, alice, congress, world):
    client.force_login(alice)
    response = client.get(_url(congress), {"view": "all", "q": "x" * 10_000})
    html = response.content.decode()
    assert 'id="id_q-error"' in html
    assert len(_codes(response)) == 5


# --- dunning ---------------------------------------------------------------------------------


@pytest.fixture
def overdue_orders(congress):
    orders = _orders(congress, 3, total="120.00", language="fr")
    orders[1].language = "es"
    Order.objects.filter(pk=orders[1].pk).update(language="es")
    _invoices(congress, orders)
    (not_due,) = _orders(congress, 1)
    _invoices(congress, [not_due], due=dt.date(2099, 1, 1), start=10)
    return orders, not_due


def test_reminders_need_a_confirmation_that_says_how_many(
    client, finance_user, congress, overdue_orders
):
    orders, _not_due = overdue_orders
    client.force_login(finance_user)
    response = client.post(
        _url(congress, "reminders/") + "?view=overdue", {"scope": "filter"}, follow=True
    )
    assert "3 orders have an overdue invoice" in response.content.decode()
    assert not InvoiceReminder.objects.exists() and not mail.outbox


def test_bulk_reminders_are_sent_once_each_in_the_orders_language(
    client, finance_user, congress, overdue_orders, django_capture_on_commit_callbacks
):
    orders, not_due = overdue_orders
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(congress, "reminders/") + "?view=overdue",
            {"scope": "filter", "confirm": "yes"},
            follow=True,
        )
    assert "3 reminders sent (0 skipped)" in response.content.decode()
    assert len(mail.outbox) == 3
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Bonjour" in by_address[orders[0].email].body
    assert "Estimado/a" in by_address[orders[1].email].body
    assert "INV-00001" in by_address[orders[0].email].subject
    assert set(InvoiceReminder.objects.values_list("order_id", flat=True)) == {
        order.pk for order in orders
    }
    assert AuditEntry.objects.filter(action="convene.invoice.reminded").count() == 3
    # Clicked again: nobody gets a second reminder within 24 hours.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(congress, "reminders/"),
            {"scope": "selected", "order": [o.code for o in orders], "confirm": "yes"},
            follow=True,
        )
    assert "0 reminders sent (3 skipped)" in response.content.decode()
    assert len(mail.outbox) == 3
    assert not InvoiceReminder.objects.filter(order=not_due).exists()


def test_a_reminder_may_go_again_after_24_hours(
    congress, finance_user, overdue_orders, django_capture_on_commit_callbacks
):
    orders, _not_due = overdue_orders
    first = timezone.now() - dt.timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        dunning.send_invoice_reminders(
            congress=congress, order_ids=[orders[0].pk], by=finance_user, now=first
        )
        again = dunning.send_invoice_reminders(
            congress=congress,
            order_ids=[orders[0].pk],
            by=finance_user,
            now=first + dt.timedelta(hours=23),
        )
        later = dunning.send_invoice_reminders(
            congress=congress, order_ids=[orders[0].pk], by=finance_user
        )
    assert (again.sent, again.skipped) == (0, 1)
    assert later.sent == 1
    assert len(mail.outbox) == 2


def test_paid_orders_and_other_congresses_orders_are_not_reminded(
    congress, other_congress, finance_user, overdue_orders
):
    orders, _ = overdue_orders
    Order.objects.filter(pk=orders[0].pk).update(status=OrderStatus.PAID)
    (foreign,) = _orders(other_congress, 1)
    _invoices(other_congress, [foreign])
    outcome = dunning.send_invoice_reminders(
        congress=congress, order_ids=[orders[0].pk, foreign.pk], by=finance_user
    )
    assert (outcome.sent, outcome.skipped) == (0, 2)


def test_selected_codes_of_another_congress_are_ignored(
    client, finance_user, congress, other_congress
):
    (foreign,) = _orders(other_congress, 1)
    _invoices(other_congress, [foreign])
    client.force_login(finance_user)
    response = client.post(
        _url(congress, "reminders/"),
        {"scope": "selected", "order": [foreign.code], "confirm": "yes"},
        follow=True,
    )
    assert "None of the selected orders" in response.content.decode()
    assert not InvoiceReminder.objects.exists()


def test_reminders_refuse_a_get(client, finance_user, congress):
    client.force_login(finance_user)
    assert client.get(_url(congress, "reminders/")).status_code == 405


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "finance_user"])
def test_finance_and_owner_may_use_the_list(client, congress, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(congress), {"view": "overdue"}).status_code == 200
    assert client.get(_url(congress, "export.csv")).status_code == 200


@pytest.mark.parametrize("persona", ["registration_user", "bob", "charlie"])
def test_registration_and_check_in_staff_are_refused(client, congress, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(congress)).status_code == 403
    assert client.get(_url(congress, "export.csv")).status_code == 403
    response = client.post(_url(congress, "reminders/"), {"scope": "filter", "confirm": "yes"})
    assert response.status_code == 403
    assert not InvoiceReminder.objects.exists()


# --- query counts at 20,000 ------------------------------------------------------------------


@pytest.fixture
def twenty_thousand(congress):
    rtype = RegistrationTypeFactory(congress=congress)
    pending = _orders(congress, 8_000)
    paid = _orders(congress, 11_000, status=OrderStatus.PAID, total="250.00")
    cancelled = _orders(congress, 1_000, status=OrderStatus.CANCELLED)
    _payments(paid, amount="250.00")
    _invoices(congress, pending[:3_000])
    Delegate.objects.bulk_create(
        Delegate(
            order=order,
            registration_type=rtype,
            given_name="Ana",
            family_name="Müller",
            email=order.email,
            organisation_name="City of Lisbon",
        )
        for order in pending[:5_000]
    )
    return {"pending": pending, "paid": paid, "cancelled": cancelled, "type": rtype}


def test_the_list_runs_a_fixed_number_of_queries_at_20000_orders(
    client, finance_user, congress, twenty_thousand, django_assert_max_num_queries
):
    assert Order.objects.filter(congress=congress).count() == 20_000
    client.force_login(finance_user)
    queries = [
        {"view": "all"},
        {"view": "all", "page": "200"},
        {"view": "paid", "sort": "-total"},
        {"view": "overdue"},
        {"view": "all", "q": "muller lisbon", "type": twenty_thousand["type"].pk},
        {"view": "all", "method": "bank_transfer", "invoice": "no", "sort": "due"},
    ]
    for params in queries:
        with django_assert_max_num_queries(12):
            response = client.get(_url(congress), params)
        assert response.status_code == 200
    assert response.context["totals"]["orders"] == 11_000
    counts = client.get(_url(congress), {"view": "all"}).context["counts"]
    assert counts["paid"] == 11_000 and counts["overdue"] == 3_000
