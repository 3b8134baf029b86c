"""Amounts on registration pages, organiser pages and e-mails are written the way the reader's
language writes money, with the currency's own decimals; exports keep plain numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from registrations.models import Order
from registrations.services.orders import place_order
from tests.factories import CongressFactory, RegistrationTypeFactory, TeamMembershipFactory
from tests.tokens import without_random_tokens

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
NBSP = "\xa0"


@pytest.fixture
def yen_congress(db):
    return CongressFactory(slug="tokyo-2027", currency="JPY", time_zone="Asia/Tokyo")


@pytest.fixture
def yen_type(yen_congress):
    return RegistrationTypeFactory(
        congress=yen_congress, code="member", name="Member city", regular_price=Decimal("50000")
    )


def start_url(congress):
    return reverse("registrations:start", kwargs={"congress_slug": congress.slug})


def details_url(congress):
    return reverse("registrations:details", kwargs={"congress_slug": congress.slug})


def post_registration(client, congress, regtype, count=2):
    data = {
        "contact_name": "Sato Yui",
        "email": "yui@city.example",
        "language": "en",
        "voucher": "",
        "token": "tok-yen",
        "delegates-TOTAL_FORMS": str(count),
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "20",
        "step": "confirm",
        "consent": "yes",
    }
    for n in range(count):
        data |= {
            f"delegates-{n}-registration_type": str(regtype.pk),
            f"delegates-{n}-given_name": f"Given{n}",
            f"delegates-{n}-family_name": f"Family{n}",
            f"delegates-{n}-email": f"d{n}@city.example",
            f"delegates-{n}-country": "JP",
            f"delegates-{n}-language": "en",
        }
    return client.post(details_url(congress), data, follow=True)


def test_yen_prices_on_the_registration_page_have_no_decimals(client, yen_type):
    html = client.get(start_url(yen_type.congress)).content.decode()
    assert "¥50,000" in html
    assert "50000.00" not in html and "JPY" not in without_random_tokens(html)


def test_yen_order_page_shows_total_and_prices_without_decimals(client, yen_congress, yen_type):
    response = post_registration(client, yen_congress, yen_type, count=2)
    html = response.content.decode()
    assert Order.objects.get().total == Decimal("100000")
    assert '<span id="order-total">¥100,000</span>' in html
    assert html.count("¥50,000") >= 2  # each delegate's row
    assert ".00" not in html.replace("100,000", "").split("<footer", 1)[0].split("</head>")[1]


def test_a_french_visitor_reads_euros_the_french_way(client, congress):
    RegistrationTypeFactory(congress=congress, code="city", regular_price=Decimal("1320.00"))
    html = client.get(start_url(congress), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"1{NNBSP}320,00{NBSP}€" in html
    assert "1320.00" not in html


def test_the_spanish_registration_page_and_english_one_are_not_mixed_up_by_the_cache(
    client, congress
):
    RegistrationTypeFactory(congress=congress, code="city", regular_price=Decimal("1320.00"))
    english = client.get(start_url(congress), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(start_url(congress), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "€1,320.00" in english and f"1.320,00{NBSP}€" not in english
    assert f"1.320,00{NBSP}€" in spanish and "€1,320.00" not in spanish


def test_the_contacts_email_in_spanish_writes_money_the_spanish_way(
    congress, django_capture_on_commit_callbacks
):
    regtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal("660.00"))
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(**order_kwargs(congress, regtype, 2, language="es"))
    (message,) = [m for m in mail.outbox if m.to == [order.email]]
    assert f"1.320,00{NBSP}€" in message.body  # the total
    assert f"660,00{NBSP}€" in message.body  # each delegate's price
    assert "EUR" not in message.body


def test_the_organiser_list_shows_yen_without_decimals(client, yen_congress, yen_type):
    user = TeamMembershipFactory(congress=yen_congress, role="owner").user
    place_order(**order_kwargs(yen_congress, yen_type, 2))
    client.force_login(user)
    url = reverse("registrations:manage_list", kwargs={"congress_slug": yen_congress.slug})
    html = client.get(url).content.decode()
    assert html.count("¥50,000") == 2
    assert "50000.00" not in html


def test_the_export_keeps_plain_numbers(client, yen_congress, yen_type):
    """A guard, true before and after: spreadsheets get numbers, not display strings."""
    user = TeamMembershipFactory(congress=yen_congress, role="owner").user
    place_order(**order_kwargs(yen_congress, yen_type, 1))
    client.force_login(user)
    url = reverse(
        "registrations:manage_export", kwargs={"congress_slug": yen_congress.slug, "fmt": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    (row,) = rows
    assert "50000.00" in row.values() and "JPY" in row.values()
    assert not any("¥" in value for value in row.values())
