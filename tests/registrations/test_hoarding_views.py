"""Seat hoarding through the HTTP stack: the cap refusal on the registration page, and the
organisers' page of suspicious holds (permissions, grouping, filters, release, query count)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from registrations.lifecycle import OrderStatus
from registrations.models import Order, RegistrationSettings
from registrations.services.orders import place_order
from registrations.services.setup import update_registration_settings
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

from .conftest import order_kwargs
from .test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db


SEAT_CAPS_FORM = {
    "max_unpaid_orders_per_email": "3",
    "max_unpaid_orders_per_address": "10",
    "max_unpaid_seats_per_email": "20",
    "max_unpaid_seats_per_address": "60",
    "last_seats_threshold": "10",
    "last_seats_per_address": "4",
}


def holds_url(congress, **query):
    url = reverse("registrations:manage_holds", kwargs={"congress_slug": congress.slug})
    return url, query


def release_url(congress):
    return reverse("registrations:manage_hold_release", kwargs={"congress_slug": congress.slug})


def caps_url(congress):
    return reverse("registrations:manage_hold_caps", kwargs={"congress_slug": congress.slug})


def hold(congress, rtype, *, address="192.0.2.1", email="bot@x.example", seats=1, **fields):
    """An open unpaid hold written straight to the table (fast, for pages at scale)."""
    order = OrderFactory(
        congress=congress,
        status=OrderStatus.PENDING_PAYMENT,
        hold_expires_at=timezone.now() + dt.timedelta(minutes=15),
        hold_address=address,
        hold_email=email,
        **fields,
    )
    for _n in range(seats):
        DelegateFactory(order=order, registration_type=rtype)
    return order


# --- the registration page ------------------------------------------------------------------


def test_over_the_email_cap_the_form_says_to_pay_or_cancel_and_keeps_what_was_typed(
    client, congress, regtype
):
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=1)
    assert client.post(details_url(congress), form_data(regtype, token="t1")).status_code == 302
    response = client.post(details_url(congress), form_data(regtype, token="t2"))
    assert response.status_code == 400
    errors = response.context["contact"].errors
    assert "pay for or cancel" in errors["email"][0]
    assert "link in the e-mail" in errors["email"][0]
    assert b"Given0" in response.content  # nothing typed is lost
    assert Order.objects.count() == 1


def test_over_the_address_cap_the_form_says_so_above_the_fields(client, congress, regtype):
    update_registration_settings(congress=congress, max_unpaid_orders_per_address=2)
    for n in range(2):
        data = form_data(regtype, token=f"a{n}", email=f"p{n}@x.example")
        assert (
            client.post(details_url(congress), data, REMOTE_ADDR="203.0.113.8").status_code == 302
        )
    data = form_data(regtype, token="a3", email="p3@x.example")
    response = client.post(details_url(congress), data, REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 400
    assert "from your connection" in response.context["contact"].non_field_errors()[0]
    other = client.post(
        details_url(congress), form_data(regtype, token="a4"), REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 302
    assert Order.objects.filter(hold_address="203.0.113.8").count() == 2


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", "Ana\u202eSilva", "名前" * 50, "x" * 190],
)
def test_the_cap_refusal_shows_hostile_text_escaped(client, congress, regtype, name):
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=1)
    client.post(details_url(congress), form_data(regtype, token="h1", contact_name=name))
    response = client.post(details_url(congress), form_data(regtype, token="h2", contact_name=name))
    assert response.status_code == 400
    assert b"<script>alert" not in response.content
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "email", ["ana\x00@x.example", "<b>@x.example", "a" * 10_000 + "@x.example", "ana@x\u202e"]
)
def test_a_hostile_email_is_refused_by_the_form_before_any_count(client, congress, regtype, email):
    response = client.post(details_url(congress), form_data(regtype, email=email))
    assert response.status_code == 400
    if response.context is not None:  # a NUL is refused before any view (middleware)
        assert "email" in response.context["contact"].errors
    assert not Order.objects.exists()


def test_the_client_address_is_recorded_from_the_request(client, congress, regtype):
    client.post(details_url(congress), form_data(regtype), REMOTE_ADDR="2001:db8:aa:bb::99")
    assert Order.objects.get().hold_address == "2001:db8:aa:bb::/64"


# --- the organisers' page: permissions ------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_the_page_refuses_team_members_without_the_registration_role(
    client, congress, regtype, who, request
):
    order = hold(congress, regtype)
    client.force_login(request.getfixturevalue(who))
    url, _query = holds_url(congress)
    assert client.get(url).status_code == 403
    assert client.get(release_url(congress), {"order": order.code}).status_code == 403
    assert client.post(release_url(congress), {"order": order.code}).status_code == 403
    assert client.post(caps_url(congress), {"max_unpaid_orders_per_email": "1"}).status_code == 403
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_anonymous_visitors_are_sent_to_sign_in(client, congress):
    url, _query = holds_url(congress)
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_registration_manager_may_use_the_page(client, congress, regtype):
    manager = UserFactory()
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    client.force_login(manager)
    url, _query = holds_url(congress)
    assert client.get(url).status_code == 200


def test_holds_of_another_congress_are_not_found(client, congress, other_congress, alice):
    other_type = RegistrationTypeFactory(congress=other_congress)
    foreign = hold(other_congress, other_type, address="192.0.2.200")
    client.force_login(alice)
    url = release_url(congress)
    assert client.get(url, {"order": foreign.code}).status_code == 404
    assert client.post(url, {"order": foreign.code}).status_code == 404
    group = {"by": "address", "key": "192.0.2.200"}
    assert client.get(url, group).status_code == 404
    assert client.post(url, group).status_code == 404
    # A form that names nothing valid goes back to the list, releasing nothing.
    assert client.post(url, {"order": "", "by": "bogus", "key": "x"}).status_code == 302
    assert Order.objects.get(pk=foreign.pk).status == OrderStatus.PENDING_PAYMENT


def test_the_link_to_the_page_is_shown_to_organisers(client, congress, alice):
    client.force_login(alice)
    page = client.get(reverse("congresses:backoffice", kwargs={"congress_slug": congress.slug}))
    assert holds_url(congress)[0].encode() in page.content


# --- the organisers' page: what it shows ----------------------------------------------------


def test_groups_are_listed_largest_first_with_orders_seats_and_expiry(
    client, congress, regtype, alice
):
    for _n in range(5):
        hold(congress, regtype, address="192.0.2.10", email="a@x.example")
    hold(congress, regtype, address="192.0.2.20", email="b@x.example", seats=4)
    hold(congress, regtype, address="192.0.2.20", email="b@x.example", seats=4)
    hold(congress, regtype, address="192.0.2.30", email="c@x.example")  # single: not suspicious
    paid = hold(congress, regtype, address="192.0.2.10", email="a@x.example")
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.PAID)
    client.force_login(alice)
    url, _query = holds_url(congress)
    response = client.get(url)
    assert response.status_code == 200
    rows = [(r["key"], r["orders"], r["seats"]) for r in response.context["rows"]]
    assert rows == [("192.0.2.10", 5, 5), ("192.0.2.20", 2, 8)]
    assert response.context["rows"][0]["first_expiry"] is not None
    assert response.context["totals"] == {"orders": 8, "seats": 14, "by_invoice": 0}
    everything = client.get(url, {"min": "1"})
    assert len(everything.context["rows"]) == 3
    by_email = client.get(url, {"by": "email", "q": "B@X"})
    assert [(r["key"], r["orders"]) for r in by_email.context["rows"]] == [("b@x.example", 2)]


def test_one_group_lists_its_orders(client, congress, regtype, alice):
    orders = [hold(congress, regtype, address="192.0.2.10") for _n in range(3)]
    client.force_login(alice)
    url, _query = holds_url(congress)
    response = client.get(url, {"by": "address", "key": "192.0.2.10"})
    assert {o.code for o in response.context["members"]} == {o.code for o in orders}
    assert orders[0].code.encode() in response.content


@pytest.mark.parametrize(
    "query",
    [
        {"by": "<script>"},
        {"min": "abc"},
        {"min": "-4"},
        {"q": "\x00"},
        {"q": "x" * 10_000},
        {"page": "9999"},
        {"key": "\x00" * 300},
    ],
)
def test_hostile_filters_never_break_the_page(client, congress, regtype, alice, query):
    hold(congress, regtype)
    hold(congress, regtype)
    client.force_login(alice)
    url, _query = holds_url(congress)
    response = client.get(url, query)
    assert response.status_code in (200, 400)
    assert b"<script>" not in response.content


def test_groups_are_paginated(client, congress, regtype, alice):
    for n in range(55):
        hold(congress, regtype, address=f"10.0.{n}.1")
        hold(congress, regtype, address=f"10.0.{n}.1")
    client.force_login(alice)
    url, _query = holds_url(congress)
    first = client.get(url)
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(url, {"page": "2"})
    assert len(second.context["rows"]) == 5


def test_the_page_query_count_does_not_grow_with_holds(
    client, congress, regtype, alice, django_assert_max_num_queries
):
    for n in range(3):
        hold(congress, regtype, address=f"10.1.{n}.1", seats=2)
        hold(congress, regtype, address=f"10.1.{n}.1")
    client.force_login(alice)
    url, _query = holds_url(congress)
    query = {"by": "address", "key": "10.1.0.1"}
    with django_assert_max_num_queries(25) as small:
        assert client.get(url, query).status_code == 200
    for n in range(3, 150):
        hold(congress, regtype, address=f"10.1.{n}.1", seats=2)
        hold(congress, regtype, address=f"10.1.{n}.1")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, query).status_code == 200


# --- the organisers' page: releasing and the caps -------------------------------------------


def test_releasing_one_hold_asks_first_then_frees_it(client, congress, regtype, alice):
    order = hold(congress, regtype, seats=2)
    client.force_login(alice)
    confirm = client.get(release_url(congress), {"order": order.code})
    assert confirm.status_code == 200
    assert b"2 seats" in confirm.content
    assert (
        Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT
    )  # GET changes nothing
    response = client.post(release_url(congress), {"order": order.code})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert AuditEntry.objects.filter(action="convene.hold.released", actor=alice).count() == 1


def test_releasing_a_whole_address_frees_its_seats_for_a_real_buyer_at_once(
    client, congress, alice
):
    last = RegistrationTypeFactory(congress=congress, capacity=3, regular_price=Decimal(10))
    for n in range(3):
        place_order(
            **order_kwargs(congress, last, email=f"bot{n}@x.example", client_address="192.0.2.66")
        )
    buyer = client.post(details_url(congress), form_data(last, token="real"))
    assert buyer.status_code == 400  # sold out
    organiser = type(client)()
    organiser.force_login(alice)
    group = {"by": "address", "key": "192.0.2.66"}
    assert b"3 unpaid orders" in organiser.get(release_url(congress), group).content
    assert organiser.post(release_url(congress), group).status_code == 302
    again = client.post(details_url(congress), form_data(last, token="real-2"))
    assert again.status_code == 302
    entries = AuditEntry.objects.filter(action="convene.hold.released")
    assert entries.count() == 3
    assert {e.data["grouped_by"] for e in entries} == {"address"}


def test_the_caps_are_set_on_the_page(client, congress, alice):
    client.force_login(alice)
    response = client.post(
        caps_url(congress),
        {**SEAT_CAPS_FORM, "max_unpaid_orders_per_email": "2", "max_unpaid_orders_per_address": ""},
    )
    assert response.status_code == 302
    saved = RegistrationSettings.objects.get(congress=congress)
    assert (saved.max_unpaid_orders_per_email, saved.max_unpaid_orders_per_address) == (2, None)
    assert AuditEntry.objects.filter(action__startswith="convene.registration_settings").exists()


@pytest.mark.parametrize("value", ["0", "-1", "abc", "\x00", "9" * 50])
def test_bad_caps_are_refused_beside_the_field(client, congress, alice, value):
    client.force_login(alice)
    response = client.post(
        caps_url(congress),
        {**SEAT_CAPS_FORM, "max_unpaid_orders_per_email": value},
    )
    assert response.status_code == 400
    if response.context is not None:  # a NUL is refused before any view (middleware)
        assert "max_unpaid_orders_per_email" in response.context["caps_form"].errors
    assert not RegistrationSettings.objects.filter(congress=congress).exists()


def test_the_page_shows_the_current_caps(client, congress, alice):
    update_registration_settings(congress=congress, max_unpaid_orders_per_email=7)
    client.force_login(alice)
    url, _query = holds_url(congress)
    content = client.get(url).content.decode()
    assert re.search(r'name="max_unpaid_orders_per_email"[^>]*value="7"', content)


# --- the caps on seats ----------------------------------------------------------------------


def test_over_the_seat_cap_the_form_says_what_to_do_and_keeps_what_was_typed(
    client, congress, regtype
):
    update_registration_settings(congress=congress, max_unpaid_seats_per_address=3)
    for n in range(3):
        data = form_data(regtype, token=f"s{n}", email=f"fresh{n}@x{n}.example")
        assert (
            client.post(details_url(congress), data, REMOTE_ADDR="203.0.113.7").status_code == 302
        )
    data = form_data(regtype, 2, token="s9", email="fresh9@x9.example", contact_name="Zoë Ŀ")
    response = client.post(details_url(congress), data, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 400
    (message,) = response.context["contact"].non_field_errors()
    assert "pay for or cancel an open order" in message and "contact the organisers" in message
    body = response.content.decode()
    for typed in ("Zoë Ŀ", "fresh9@x9.example", "Given0", "Family1", "d1@city.example"):
        assert typed in body  # the form comes back filled
    assert Order.objects.count() == 3


def test_the_last_seats_refusal_is_shown_in_the_delegates_language(client, congress):
    from django.utils.translation import trans_real

    last = RegistrationTypeFactory(congress=congress, capacity=5, regular_price=Decimal(10))
    msgid = (
        "Only %(left)s seat(s) are left, so the unpaid orders placed from one connection may "
        "hold at most %(max)s of them (this order would make %(total)s). Please pay for your "
        "open order first, or order fewer seats; for a larger delegation, contact the "
        "organisers."
    )
    french = (
        "Il ne reste que %(left)s place(s) : les commandes non payées passées depuis une même "
        "connexion ne peuvent en réserver que %(max)s (cette commande en ferait %(total)s). "
        "Payez d’abord votre commande en cours, ou commandez moins de places ; pour une "
        "délégation plus nombreuse, contactez les organisateurs."
    )
    catalog = trans_real.translation("fr")._catalog
    catalog[msgid] = french  # until the integrator fills the catalogue
    try:
        response = client.post(
            details_url(congress), form_data(last, 5, token="fr-1"), HTTP_ACCEPT_LANGUAGE="fr"
        )
    finally:
        del catalog._catalogs[0][msgid]
    assert response.status_code == 400
    body = response.content.decode()
    assert "Il ne reste que 5 place(s)" in body
    assert "Given4" in body


def test_the_seat_caps_are_set_on_the_page(client, congress, alice):
    client.force_login(alice)
    data = {**SEAT_CAPS_FORM, "max_unpaid_seats_per_address": "", "last_seats_threshold": "6"}
    response = client.post(caps_url(congress), data)
    assert response.status_code == 302
    saved = RegistrationSettings.objects.get(congress=congress)
    assert saved.max_unpaid_seats_per_address is None
    assert (saved.last_seats_threshold, saved.last_seats_per_address) == (6, 4)
    content = client.get(holds_url(congress)[0]).content.decode()
    assert re.search(r'name="last_seats_threshold"[^>]*value="6"', content)


def test_a_seat_cap_per_email_below_the_largest_delegation_is_refused_beside_it(
    client, congress, alice
):
    client.force_login(alice)
    response = client.post(
        caps_url(congress), {**SEAT_CAPS_FORM, "max_unpaid_seats_per_email": "5"}
    )
    assert response.status_code == 400
    (error,) = response.context["caps_form"].errors["max_unpaid_seats_per_email"]
    assert "largest delegation per order (20)" in error
    assert b'value="5"' in response.content  # what was typed comes back
    assert not RegistrationSettings.objects.filter(congress=congress).exists()


@pytest.mark.parametrize("value", ["", "0", "-3", "4.5", "x" * 10_000, "<b>4</b>"])
def test_a_bad_last_seats_cap_is_refused_beside_the_field(client, congress, alice, value):
    client.force_login(alice)
    response = client.post(caps_url(congress), {**SEAT_CAPS_FORM, "last_seats_per_address": value})
    assert response.status_code == 400
    assert "last_seats_per_address" in response.context["caps_form"].errors
    assert b"<b>4</b>" not in response.content
    assert not RegistrationSettings.objects.filter(congress=congress).exists()


def test_the_page_shows_holds_that_pay_by_invoice(client, congress, regtype, alice):
    from registrations.models import BillingDetails

    waiting = hold(congress, regtype, address="192.0.2.9", seats=3)
    hold(congress, regtype, address="192.0.2.9")
    BillingDetails.objects.create(order=waiting, name="Town", address="Main St", country="PT")
    client.force_login(alice)
    url, _query = holds_url(congress)
    response = client.get(url, {"by": "address", "key": "192.0.2.9"})
    (row,) = response.context["rows"]
    assert (row["orders"], row["seats"], row["by_invoice"]) == (2, 4, 1)
    body = response.content.decode()
    assert "1 of them pays by invoice" in body
    assert body.count("pays by invoice") == 2  # the heading and the order's line
