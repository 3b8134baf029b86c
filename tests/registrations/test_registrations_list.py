"""The organisers' registrations list at scale: search in any script and without accents,
filters, sort, column choice, exports of exactly what is filtered, hostile query strings, the
figures' cancelled count and a fixed number of queries at 20,000 delegates."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import Delegate, Order, Payment
from registrations.payments.services.order_changes import cancel_delegate
from registrations.search_keys import normalise_search_text
from registrations.selectors import figures
from registrations.services.orders import cancel_order, place_order
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"


def list_url():
    return reverse("registrations:manage_list", kwargs={"congress_slug": SLUG})


def export_url(fmt="csv"):
    return reverse("registrations:manage_export", kwargs={"congress_slug": SLUG, "fmt": fmt})


_codes = iter(range(10_000, 99_999))


def delegate(congress, rtype, status=OrderStatus.PAID, created_at=None, **fields) -> Delegate:
    """One order of one delegate, written with ``save()`` (which keeps the search text)."""
    n = next(_codes)
    order = Order.objects.create(
        congress=congress,
        code=f"ZX{n}",
        status=status,
        contact_name="Contact",
        email=fields.pop("contact_email", f"contact{n}@example.org"),
        currency="EUR",
        total=Decimal("100.00"),
    )
    if created_at is not None:
        Order.objects.filter(pk=order.pk).update(created_at=created_at)
    values = {
        "given_name": "Given",
        "family_name": f"Family{n}",
        "email": f"d{n}@example.org",
        "organisation_name": "Org",
        "city": "Town",
        **fields,
    }
    return Delegate.objects.create(order=order, registration_type=rtype, **values)


def shown(response) -> list[str]:
    return [d.family_name for d in response.context["page"]]


@pytest.fixture
def listed(client, alice):
    client.force_login(alice)
    return client


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Lefèvre", "Lefevre"),
        ("Müller", "Muller"),
        ("Müller", "MÜLLER"),
        ("Lefevre", "lefèvre"),
        ("Ñúñez", "nunez"),
        ("Straße", "strasse"),
    ],
)
def test_search_ignores_accents_and_case(listed, congress, regtype, stored, typed):
    delegate(congress, regtype, family_name=stored)
    delegate(congress, regtype, family_name="Someone")
    response = listed.get(list_url(), {"q": typed})
    assert shown(response) == [stored]


@pytest.mark.parametrize("name", ["Иванова", "محمد", "王小明", "山田", "김민준", "Ελένη", "अनिता"])
def test_search_finds_names_in_any_script_as_typed(listed, congress, regtype, name):
    delegate(congress, regtype, family_name=name)
    delegate(congress, regtype, family_name="Other")
    assert shown(listed.get(list_url(), {"q": name})) == [name]


def test_search_by_email_code_organisation_city_and_contact(listed, congress, regtype):
    target = delegate(
        congress,
        regtype,
        family_name="Target",
        email="Jeanne.Dupont@Mairie.example",
        organisation_name="Ville de Montréal",
        city="Zürich",
        contact_email="bureau@agence.example",
    )
    delegate(congress, regtype, family_name="Noise")
    for typed in (
        "jeanne.dupont@mairie.example",
        "Dupont@Mairie",
        target.order.code.lower(),
        "montreal",
        "Ville de Montreal",
        "zurich",
        "bureau@agence",
    ):
        assert shown(listed.get(list_url(), {"q": typed})) == ["Target"], typed


def test_every_word_must_match(listed, congress, regtype):
    delegate(congress, regtype, given_name="Anna", family_name="Lefèvre", city="Lyon")
    delegate(congress, regtype, given_name="Anna", family_name="Other", city="Paris")
    assert shown(listed.get(list_url(), {"q": "anna lyon"})) == ["Lefèvre"]


def test_search_text_follows_edits_and_erasure(congress, regtype):
    person = delegate(congress, regtype, family_name="Dvořák")
    assert "dvorak" in person.search_text
    person.family_name = "Janáček"
    person.save(update_fields=["family_name"])
    person.refresh_from_db()
    assert "janacek" in person.search_text and "dvorak" not in person.search_text


def test_placed_orders_are_searchable(listed, congress, regtype):
    place_order(**order_kwargs(congress, regtype, 2))
    assert Delegate.objects.filter(search_text__contains="silva1").count() == 1
    assert shown(listed.get(list_url(), {"q": "lisbon"})) == ["Silva0", "Silva1"]


def test_member_list_and_delegates_share_one_normaliser():
    from registrations.models.vouchers import normalise_organisation_name

    assert normalise_organisation_name("Ville de Montréal") == normalise_search_text(
        "VILLE DE MONTREAL"
    )


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def varied(congress, regtype):
    """Five delegates differing in one attribute each from the plain one."""
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    regtype.requires_membership = True
    regtype.save()
    delegate(congress, regtype, family_name="Plain", country="PT")
    delegate(congress, press, family_name="Press", country="PT")
    delegate(congress, regtype, family_name="Pending", status=OrderStatus.PENDING_PAYMENT)
    delegate(congress, regtype, family_name="French", country="FR")
    delegate(congress, regtype, family_name="Visa", needs_visa_letter=True)
    delegate(congress, regtype, family_name="Wheelchair", accessibility_needs="wheelchair")
    transfer = delegate(congress, regtype, family_name="Transfer")
    Payment.objects.create(
        order=transfer.order, provider="bank_transfer", amount=Decimal("100"), currency="EUR"
    )
    card = delegate(congress, regtype, family_name="Card")
    Payment.objects.create(
        order=card.order, provider="stripe", amount=Decimal("100"), currency="EUR"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "press"}, ["Press"]),
        ({"status": "pending_payment"}, ["Pending"]),
        ({"country": "FR"}, ["French"]),
        ({"member": "no"}, ["Press"]),
        ({"visa": "yes"}, ["Visa"]),
        ({"accessibility": "yes"}, ["Wheelchair"]),
        ({"payment": "bank_transfer"}, ["Transfer"]),
        ({"payment": "stripe"}, ["Card"]),
        ({"country": "PT", "type": "member"}, ["Plain"]),
    ],
)
def test_each_filter(listed, varied, query, expected):
    assert sorted(shown(listed.get(list_url(), query))) == expected


def test_filters_with_no_keep_the_rest(listed, varied):
    names = shown(listed.get(list_url(), {"visa": "no", "accessibility": "no", "member": "yes"}))
    assert "Visa" not in names and "Wheelchair" not in names and "Press" not in names
    assert "Plain" in names


def test_filters_stay_in_the_pagination_and_export_links(listed, congress, regtype):
    for n in range(55):
        delegate(congress, regtype, family_name=f"Fam{n:02}", country="FR")
    response = listed.get(list_url(), {"country": "FR", "col": "city", "sort": "-name"})
    body = response.content.decode()
    assert "country=FR" in body and "page=2" in body and "col=city" in body
    assert "?country=FR&amp;sort=-name" in body  # the export links, without columns


# --- sort ------------------------------------------------------------------------------------


def test_sort_by_name_registered_type_and_status(listed, congress, regtype):
    other = RegistrationTypeFactory(congress=congress, code="zz", name="Zeta", position=9)
    now = timezone.now()
    delegate(congress, other, family_name="Bravo", created_at=now - dt.timedelta(days=1))
    delegate(
        congress,
        regtype,
        family_name="Alpha",
        created_at=now,
        status=OrderStatus.PENDING_PAYMENT,
    )
    delegate(congress, regtype, family_name="Charlie", created_at=now - dt.timedelta(days=2))
    assert shown(listed.get(list_url())) == ["Alpha", "Bravo", "Charlie"]
    assert shown(listed.get(list_url(), {"sort": "-name"})) == ["Charlie", "Bravo", "Alpha"]
    assert shown(listed.get(list_url(), {"sort": "registered"})) == ["Charlie", "Bravo", "Alpha"]
    assert shown(listed.get(list_url(), {"sort": "-registered"}))[0] == "Alpha"
    assert shown(listed.get(list_url(), {"sort": "type"}))[-1] == "Bravo"
    assert shown(listed.get(list_url(), {"sort": "-type"}))[0] == "Bravo"
    assert shown(listed.get(list_url(), {"sort": "status"}))[-1] == "Alpha"  # pending > paid
    assert shown(listed.get(list_url(), {"sort": "-status"}))[0] == "Alpha"


# --- columns ---------------------------------------------------------------------------------


def test_optional_columns_are_chosen_in_the_query_string(listed, congress, regtype):
    delegate(congress, regtype, city="Ouagadougou", dietary_needs="halal", needs_visa_letter=True)
    plain = listed.get(list_url()).content.decode()
    assert "Ouagadougou" not in plain and 'class="col-city"' not in plain
    chosen = listed.get(list_url(), {"col": ["city", "dietary", "visa"]}).content.decode()
    assert "Ouagadougou" in chosen and "halal" in chosen and 'class="col-visa"' in chosen
    assert 'class="col-language"' not in chosen
    assert re.search(r'<input[^>]*value="city"[^>]*checked', chosen)
    assert not re.search(r'<input[^>]*value="language"[^>]*checked', chosen)


# --- exports ---------------------------------------------------------------------------------


def test_csv_export_is_exactly_what_is_filtered_and_is_audited(listed, varied):
    response = listed.get(export_url("csv"), {"country": "PT", "q": "plain"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    family = rows[0].index("Family name")
    assert [row[family] for row in rows[1:]] == ["Plain"]
    entry = AuditEntry.objects.filter(action="convene.export.downloaded").latest("pk")
    assert entry.data["rows"] == 1
    assert entry.data["filters"] == {"q": "plain", "country": "PT"}


def test_xlsx_export_is_exactly_what_is_filtered(listed, varied):
    response = listed.get(export_url("xlsx"), {"payment": "bank_transfer"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    values = [row[header.index("Family name")] for row in sheet.iter_rows(2, values_only=True)]
    assert values == ["Transfer"]


def test_export_follows_the_sort(listed, congress, regtype):
    for name in ("Alpha", "Bravo"):
        delegate(congress, regtype, family_name=name)
    response = listed.get(export_url("csv"), {"sort": "-name"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    family = rows[0].index("Family name")
    assert [row[family] for row in rows[1:]] == ["Bravo", "Alpha"]


# --- hostile query strings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Lef\x00vre"},
        {"q": "x" * 10_000},
        {"q": "<script>alert(1)</script>"},
        {"q": "%' OR 1=1 --"},
        {"q": "\u202eevil"},
        {"type": "<b>nope</b>"},
        {"status": "\x00"},
        {"country": "ZZZ"},
        {"member": "maybe"},
        {"payment": "cash"},
        {"sort": "secret_field"},
        {"sort": "-order__secret"},
        {"col": ["secret", "city"]},
        {"page": "999999"},
        {"page": "-1"},
    ],
)
def test_hostile_query_strings_are_ignored_never_500(listed, congress, regtype, query):
    """Refused whole (400: the site refuses a NUL anywhere in a request) or the bad value
    ignored (200), never a 500 and never the markup echoed unescaped."""
    delegate(congress, regtype, family_name="Kept")
    refused = any("\x00" in str(value) for value in query.values())
    response = listed.get(list_url(), query)
    assert response.status_code == (400 if refused else 200)
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body and "<b>nope</b>" not in body
    export = listed.get(export_url("csv"), query)
    assert export.status_code == (400 if refused else 200)


def test_search_wildcards_are_literal(listed, congress, regtype):
    delegate(congress, regtype, family_name="Kept")
    assert shown(listed.get(list_url(), {"q": "%"})) == []
    assert shown(listed.get(list_url(), {"q": "_"})) == []


def test_another_congress_delegates_never_show(listed, congress, other_congress, regtype):
    foreign = RegistrationTypeFactory(congress=other_congress, code="member")
    delegate(other_congress, foreign, family_name="Foreign")
    assert shown(listed.get(list_url(), {"q": "foreign"})) == []
    assert shown(listed.get(list_url(), {"type": "member"})) == []


# --- the figures' cancelled count ------------------------------------------------------------


def test_cancelled_column_counts_cancelled_delegates(listed, congress, regtype):
    cancelled = place_order(**order_kwargs(congress, regtype, 2, email="a@x.example"))
    cancel_order(order=cancelled)
    kept = place_order(**order_kwargs(congress, regtype, 2, email="b@x.example"))
    cancel_delegate(delegate=kept.delegates.order_by("pk").first())
    counts = figures(congress)
    assert counts["by_status"][OrderStatus.CANCELLED] == 3  # two in the order, one alone
    assert counts["by_status"][OrderStatus.PENDING_PAYMENT] == 1
    row = counts["types"][0]
    assert row["by_status"][OrderStatus.CANCELLED] == 3
    assert row["total"] == 1  # cancelled delegates stay out of the total
    response = listed.get(list_url())
    assert response.context["figures"]["by_status"][OrderStatus.CANCELLED] == 3


# --- at 20,000 delegates ---------------------------------------------------------------------


def bulk_delegates(congress, rtype, count: int, per_order: int = 4) -> None:
    """``count`` delegates in orders of ``per_order``, with bulk_create (seconds, not minutes)."""
    orders = Order.objects.bulk_create(
        [
            Order(
                congress=congress,
                code=f"BK{n:06}",
                secret=f"bulk-secret-{n}",
                status=(OrderStatus.PAID, OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)[
                    n % 3
                ],
                contact_name="Bulk",
                email=f"bulk{n}@example.org",
                currency="EUR",
                total=Decimal("100.00"),
            )
            for n in range(count // per_order)
        ],
        batch_size=2000,
    )
    rows = []
    for n in range(count):
        row = Delegate(
            order=orders[n // per_order],
            registration_type=rtype,
            secret=f"bulk-delegate-{n}",
            given_name=("Émile", "Zoë", "Иван", "美咲")[n % 4],
            family_name=f"Bulk{n:05}",
            email=f"bulk{n}@example.org",
            organisation_name=f"Org {n % 50}",
            city=("Genève", "Lyon")[n % 2],
            country=("FR", "CH", "PT")[n % 3],
            needs_visa_letter=n % 7 == 0,
            is_cancelled=n // per_order % 3 == 2,
        )
        row.refresh_search_text()
        rows.append(row)
    Delegate.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def twenty_thousand(congress, regtype):
    bulk_delegates(congress, regtype, 20_000)


QUERIES_PER_PAGE = 16


def test_a_page_at_20000_delegates_takes_a_fixed_number_of_queries(
    listed, twenty_thousand, django_assert_max_num_queries
):
    queries = [
        {},
        {"q": "emile geneve", "sort": "-registered", "col": ["city", "registered", "visa"]},
        {"country": "FR", "visa": "yes", "status": "paid", "page": "20", "sort": "type"},
        {"payment": "stripe", "member": "no", "accessibility": "no"},
    ]
    for query in queries:
        with django_assert_max_num_queries(QUERIES_PER_PAGE):
            response = listed.get(list_url(), query)
        assert response.status_code == 200
    assert listed.get(list_url()).context["page"].paginator.count == 20_000
    found = listed.get(list_url(), {"q": "иван"}).context["page"].paginator.count
    assert found == 5_000
    counts = listed.get(list_url()).context["figures"]["by_status"]
    assert counts[OrderStatus.CANCELLED] == sum(1 for n in range(20_000) if n // 4 % 3 == 2)


def test_the_export_at_20000_delegates_takes_a_fixed_number_of_queries(
    listed, twenty_thousand, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        response = listed.get(export_url("csv"), {"country": "CH"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == sum(1 for n in range(20_000) if n % 3 == 1)
