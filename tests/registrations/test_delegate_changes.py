"""Changing a delegate's registration type and adding a delegate to a placed order, from the
organisers' order page: the seat through the capacity lock, today's price, the difference
settled without touching an issued invoice (a new invoice for more, credit notes for less, the
refund offered), audited, refused over someone else's change, hostile input refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from events_site.congresses.edit_conflicts import EditConflict, fingerprint
from events_site.congresses.models import AuditEntry
from registrations.capacity import count_taken
from registrations.errors import OrderStateError, RegistrationError, SoldOut
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Invoice, Order, RegistrationSettings
from registrations.payments.enums import InvoiceKind
from registrations.payments.services import payments as payment_services
from registrations.payments.services.balances import balance_due
from registrations.payments.services.delegate_changes import (
    ORDER_FINGERPRINT_FIELDS,
    TYPE_FINGERPRINT_FIELDS,
    add_delegate,
    change_delegate_type,
)
from registrations.payments.services.invoicing import net_invoiced
from registrations.payments.services.refunds import request_refund
from registrations.services.orders import place_order
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory

from .conftest import order_kwargs, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(congress):
    return RegistrationTypeFactory(
        congress=congress, code="standard", name="Standard", regular_price=Decimal("450.00")
    )


@pytest.fixture
def workshop(congress):
    """Dearer, with two seats."""
    return RegistrationTypeFactory(
        congress=congress,
        code="workshop",
        name="Workshop",
        regular_price=Decimal("600.00"),
        capacity=2,
    )


@pytest.fixture
def student(congress):
    return RegistrationTypeFactory(
        congress=congress, code="student", name="Student", regular_price=Decimal("150.00")
    )


@pytest.fixture
def manager(congress):
    user = UserFactory(username="reg-manager")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


def _paid(congress, rtype, count=2) -> Order:
    """A delegation paid by bank transfer: invoiced (one invoice) and paid."""
    order = place_order(**order_kwargs(congress, rtype, count))
    payment_services.record_bank_transfer(
        order=order, amount=order.total, received_on=dt.date(2027, 1, 5), reference="T1"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def _first(order) -> Delegate:
    return Delegate.objects.filter(order=order).order_by("id").first()


def _invoices(order):
    return list(Invoice.objects.filter(order=order).order_by("issued_at", "id"))


# --- the service: a change of type ---------------------------------------------------------------


def test_a_dearer_type_on_a_paid_order_issues_an_invoice_for_the_difference_only(
    congress, standard, workshop, manager
):
    order = _paid(congress, standard)
    first_invoice = _invoices(order)[0]
    frozen = (first_invoice.gross, first_invoice.lines, first_invoice.full_number)

    change = change_delegate_type(delegate=_first(order), registration_type=workshop, by=manager)

    order.refresh_from_db()
    assert change.delegate.registration_type == workshop
    assert change.delegate.price == Decimal("600.00")
    assert order.total == Decimal("1050.00")
    assert order.status == OrderStatus.PAID  # the delegates still enter
    extra = change.settlement.invoice
    assert extra.kind == InvoiceKind.INVOICE and extra.gross == Decimal("150.00")
    assert extra.payment_instructions and extra.due_date is not None
    assert "Standard → Workshop" in extra.lines[0]["description"]
    first_invoice.refresh_from_db()
    assert (first_invoice.gross, first_invoice.lines, first_invoice.full_number) == frozen
    assert net_invoiced(order) == order.total
    assert balance_due(order) == Decimal("150.00")
    entry = AuditEntry.objects.get(action="convene.delegate.type_changed")
    assert entry.actor == manager
    assert entry.data["from"] == "standard" and entry.data["to"] == "workshop"
    assert entry.data["difference"] == "150.00"
    assert entry.data["invoice"] == extra.full_number


def test_the_registrants_page_shows_the_balance_of_a_dearer_type(
    client, congress, standard, workshop
):
    order = _paid(congress, standard)
    change_delegate_type(delegate=_first(order), registration_type=workshop)
    order.refresh_from_db()
    page = client.get(order.get_absolute_url())
    assert page.status_code == 200
    assert 'id="balance-due"' in page.text and "150.00" in page.text


def test_the_balance_of_a_dearer_type_is_paid_by_transfer(congress, standard, workshop):
    order = _paid(congress, standard)
    change_delegate_type(delegate=_first(order), registration_type=workshop)
    order.refresh_from_db()
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("150.00"), received_on=dt.date(2027, 1, 9), reference="T2"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert balance_due(order) == 0
    assert not order.needs_review


def test_a_cheaper_type_on_a_paid_order_issues_a_credit_note_and_offers_the_refund(
    congress, standard, student
):
    order = _paid(congress, standard)
    change = change_delegate_type(delegate=_first(order), registration_type=student)

    order.refresh_from_db()
    assert order.total == Decimal("600.00")
    [note] = change.settlement.credit_notes
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.gross == Decimal("-300.00")
    assert note.corrects == _invoices(order)[0]
    assert change.settlement.refundable == Decimal("300.00")
    assert order.needs_review and "300.00" in order.review_reason
    assert net_invoiced(order) == order.total

    # the existing refund service gives the difference back, with no second credit note
    request_refund(order=order, amount=Decimal("300.00"), reason="type change")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert net_invoiced(order) == order.total
    assert Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_an_unpaid_uninvoiced_order_only_changes_its_total(congress, standard, workshop):
    order = place_order(**order_kwargs(congress, standard, 2))
    change_delegate_type(delegate=_first(order), registration_type=workshop)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.total == Decimal("1050.00")
    assert not Invoice.objects.filter(order=order).exists()


def test_an_unpaid_invoiced_order_gets_a_credit_note_for_a_cheaper_type(
    congress, standard, student
):
    order = place_order(**order_kwargs(congress, standard, 2))
    payment_services.request_invoice_payment(
        order=order, billing={"name": "City of Lisbon", "address": "Praça", "country": "PT"}
    )
    change = change_delegate_type(delegate=_first(order), registration_type=student)
    order.refresh_from_db()
    assert [n.gross for n in change.settlement.credit_notes] == [Decimal("-300.00")]
    assert net_invoiced(order) == order.total == Decimal("600.00")
    assert change.settlement.refundable == 0


def test_the_new_types_capacity_is_respected(congress, standard, workshop):
    place_order(**order_kwargs(congress, workshop, 2))  # the workshop is full
    order = place_order(**order_kwargs(congress, standard, 1, email="other@city.example"))
    with pytest.raises(SoldOut):
        change_delegate_type(delegate=_first(order), registration_type=workshop)
    assert _first(order).registration_type == standard
    assert not AuditEntry.objects.filter(action="convene.delegate.type_changed").exists()


def test_a_full_congress_still_lets_a_delegate_move_to_a_type_with_room(
    congress, standard, student
):
    RegistrationSettings.objects.create(congress=congress, total_capacity=2)
    order = place_order(**order_kwargs(congress, standard, 2))
    change_delegate_type(delegate=_first(order), registration_type=student)
    assert count_taken(congress_id=congress.pk).total == 2


def test_a_change_over_someone_elses_change_is_refused(congress, standard, workshop, student):
    order = place_order(**order_kwargs(congress, standard, 2))
    delegate = _first(order)
    shown = fingerprint(delegate, TYPE_FINGERPRINT_FIELDS)
    change_delegate_type(delegate=delegate, registration_type=student)
    with pytest.raises(EditConflict):
        change_delegate_type(
            delegate=Delegate.objects.get(pk=delegate.pk), registration_type=workshop, shown=shown
        )
    assert Delegate.objects.get(pk=delegate.pk).registration_type == student


def test_a_cancelled_order_or_delegate_or_a_type_of_another_congress_is_refused(
    congress, other_congress, standard, workshop
):
    order = place_order(**order_kwargs(congress, standard, 2))
    foreign = RegistrationTypeFactory(congress=other_congress, regular_price=Decimal("1.00"))
    with pytest.raises(RegistrationError):
        change_delegate_type(delegate=_first(order), registration_type=foreign)
    with pytest.raises(RegistrationError):
        change_delegate_type(delegate=_first(order), registration_type=standard)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    with pytest.raises(OrderStateError):
        change_delegate_type(delegate=_first(order), registration_type=workshop)


# --- the service: an addition ---------------------------------------------------------------------


def test_adding_a_delegate_to_a_paid_order_takes_a_seat_and_invoices_the_addition(
    congress, standard, workshop, manager
):
    order = _paid(congress, standard)
    addition = add_delegate(order=order, registration_type=workshop, details=person(7), by=manager)
    order.refresh_from_db()
    assert order.delegates.filter(is_cancelled=False).count() == 3
    assert addition.delegate.price == Decimal("600.00")
    assert addition.delegate.search_text  # found by the registrations list
    assert order.total == Decimal("1500.00")
    assert addition.settlement.invoice.gross == Decimal("600.00")
    assert net_invoiced(order) == order.total
    assert count_taken(congress_id=congress.pk, type_ids=[workshop.pk]).total == 1
    entry = AuditEntry.objects.get(action="convene.delegate.added")
    assert entry.actor == manager and entry.data["price"] == "600.00"


def test_adding_a_delegate_is_refused_when_the_type_is_full(congress, standard, workshop):
    place_order(**order_kwargs(congress, workshop, 2))
    order = place_order(**order_kwargs(congress, standard, 1, email="x@city.example"))
    with pytest.raises(SoldOut):
        add_delegate(order=order, registration_type=workshop, details=person(3))
    assert order.delegates.count() == 1


def test_adding_a_delegate_over_the_per_order_limit_or_a_stale_form_is_refused(congress, standard):
    RegistrationSettings.objects.create(congress=congress, max_delegates_per_order=2)
    order = place_order(**order_kwargs(congress, standard, 2))
    with pytest.raises(RegistrationError):
        add_delegate(order=order, registration_type=standard, details=person(3))
    RegistrationSettings.objects.filter(congress=congress).update(max_delegates_per_order=5)
    shown = fingerprint(order, ORDER_FINGERPRINT_FIELDS)
    add_delegate(order=order, registration_type=standard, details=person(4))
    with pytest.raises(EditConflict):
        add_delegate(order=order, registration_type=standard, details=person(5), shown=shown)


def test_adding_a_delegate_with_an_unknown_field_is_refused(congress, standard):
    order = place_order(**order_kwargs(congress, standard, 1))
    with pytest.raises(RegistrationError):
        add_delegate(order=order, registration_type=standard, details={**person(2), "price": "0"})


# --- the pages ------------------------------------------------------------------------------------


def _url(name, order, **kwargs):
    return reverse(
        f"registrations:{name}",
        kwargs={"congress_slug": order.congress.slug, "code": order.code, **kwargs},
    )


def test_the_manager_changes_a_type_on_the_order_page_and_sees_the_new_invoice(
    client, congress, standard, workshop, manager
):
    order = _paid(congress, standard)
    delegate = _first(order)
    client.force_login(manager)
    page = client.get(_url("manage_order", order))
    assert _url("manage_order_delegate_type", order, delegate_id=delegate.pk) in page.text
    form_page = client.get(_url("manage_order_delegate_type", order, delegate_id=delegate.pk))
    assert form_page.status_code == 200
    assert "Workshop (€600.00)" in form_page.text or "Workshop (600.00" in form_page.text
    response = client.post(
        _url("manage_order_delegate_type", order, delegate_id=delegate.pk),
        {
            "registration_type": workshop.pk,
            "reason": "moved",
            "fingerprint": fingerprint(delegate, TYPE_FINGERPRINT_FIELDS),
        },
        follow=True,
    )
    assert response.status_code == 200
    extra = Invoice.objects.filter(order=order).order_by("-id").first()
    assert extra.gross == Decimal("150.00")
    assert extra.full_number in response.text
    assert 'id="balance-due"' in response.text


def test_a_stale_change_type_form_answers_400_with_the_conflict(
    client, congress, standard, workshop, student, manager
):
    order = place_order(**order_kwargs(congress, standard, 2))
    delegate = _first(order)
    shown = fingerprint(delegate, TYPE_FINGERPRINT_FIELDS)
    change_delegate_type(delegate=delegate, registration_type=student)
    client.force_login(manager)
    response = client.post(
        _url("manage_order_delegate_type", order, delegate_id=delegate.pk),
        {"registration_type": workshop.pk, "fingerprint": shown},
    )
    assert response.status_code == 400
    assert Delegate.objects.get(pk=delegate.pk).registration_type == student


REFUSED = ["\x00", "a\x07b", "x" * 10_000]
KEPT = ["<script>alert(1)</script>", "١٢٣ 証明書", "'; DROP TABLE registrations_delegate; --"]


@pytest.mark.parametrize("value", REFUSED + KEPT)
def test_hostile_input_on_the_change_type_form_changes_nothing(
    client, congress, standard, workshop, manager, value
):
    order = place_order(**order_kwargs(congress, standard, 2))
    delegate = _first(order)
    client.force_login(manager)
    url = _url("manage_order_delegate_type", order, delegate_id=delegate.pk)
    attempts = [
        {"registration_type": value},
        {"registration_type": workshop.pk, "fingerprint": value},
    ]
    if value in REFUSED:
        attempts.append({"registration_type": workshop.pk, "reason": value})
    for data in attempts:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert "<script>alert(1)</script>" not in response.text
    assert Delegate.objects.get(pk=delegate.pk).registration_type == standard


@pytest.mark.parametrize("value", KEPT)
def test_a_reason_in_markup_or_another_script_is_kept_as_text(
    client, congress, standard, workshop, manager, value
):
    order = place_order(**order_kwargs(congress, standard, 2))
    delegate = _first(order)
    client.force_login(manager)
    url = _url("manage_order_delegate_type", order, delegate_id=delegate.pk)
    response = client.post(url, {"registration_type": workshop.pk, "reason": value}, follow=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    entry = AuditEntry.objects.get(action="convene.delegate.type_changed")
    assert entry.data["reason"] == value


@pytest.mark.parametrize("value", [*REFUSED, "<script>alert(1)</script>"])
def test_hostile_input_on_the_add_delegate_form_adds_nobody(
    client, congress, standard, manager, value
):
    order = place_order(**order_kwargs(congress, standard, 1))
    client.force_login(manager)
    good = {
        "registration_type": standard.pk,
        "given_name": "Lea",
        "family_name": "Ng",
        "email": "lea@city.example",
        "language": "en",
        "country": "FR",
        "fingerprint": fingerprint(order, ORDER_FINGERPRINT_FIELDS),
    }
    url = _url("manage_order_add", order)
    fields = ["registration_type", "email", "country", "language", "fingerprint"]
    if value in REFUSED:
        fields.append("given_name")
    for name in fields:
        response = client.post(url, {**good, name: value})
        assert response.status_code == 400, name
        assert "<script>alert(1)</script>" not in response.text
    assert order.delegates.count() == 1


def test_the_manager_adds_a_delegate_from_the_order_page(client, congress, standard, manager):
    order = _paid(congress, standard, count=1)
    client.force_login(manager)
    assert client.get(_url("manage_order_add", order)).status_code == 200
    response = client.post(
        _url("manage_order_add", order),
        {
            "registration_type": standard.pk,
            "given_name": "Léa",
            "family_name": "نور",
            "email": "lea@city.example",
            "language": "fr",
            "country": "FR",
            "fingerprint": fingerprint(order, ORDER_FINGERPRINT_FIELDS),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert order.delegates.filter(family_name="نور").exists()
    assert Invoice.objects.filter(order=order, gross=Decimal("450.00")).count() == 2


def test_a_viewer_cannot_change_a_type_or_add_a_delegate(client, congress, standard, workshop):
    viewer = UserFactory(username="viewer")
    TeamMembershipFactory(congress=congress, user=viewer, role="viewer")
    order = place_order(**order_kwargs(congress, standard, 1))
    client.force_login(viewer)
    delegate = _first(order)
    url = _url("manage_order_delegate_type", order, delegate_id=delegate.pk)
    assert client.post(url, {"registration_type": workshop.pk}).status_code == 403
    assert client.post(_url("manage_order_add", order), {}).status_code == 403
