"""Waiting list, self-service cancellation, reminders, expiry, delegate edits, member import."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from registrations.enums import OrderStatus, WaitingListStatus
from registrations.errors import DeadlinePassed, OfferInvalid, RegistrationError, SoldOut
from registrations.models import MemberOrganisation, Order, RegistrationSettings, WaitingListEntry
from registrations.services.members import import_member_organisations
from registrations.services.orders import (
    NewDelegate,
    cancel_order,
    cancel_own_order,
    cancellation_terms,
    expire_stale_holds,
    mark_order_paid,
    place_order,
    send_payment_reminders,
    update_own_delegate,
)
from registrations.services.waiting_list import join_waiting_list, live_offer
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_seat(congress):
    return RegistrationTypeFactory(congress=congress, capacity=1, regular_price=Decimal("100"))


def join(congress, rtype, name="Wen"):
    return join_waiting_list(
        congress=congress,
        registration_type=rtype,
        name=name,
        email=f"{name.lower()}@x.example",
        language="fr",
    )


def test_freed_seat_is_offered_to_the_first_in_line_by_email(
    congress, one_seat, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(**order_kwargs(congress, one_seat))
    first, second = join(congress, one_seat, "Wen"), join(congress, one_seat, "Li")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitingListStatus.OFFERED
    assert second.status == WaitingListStatus.WAITING
    offer_mail = [m for m in mail.outbox if m.to == ["wen@x.example"]]
    assert len(offer_mail) == 1
    assert f"?offer={first.token}" in offer_mail[0].body
    # the reserved seat is not for sale to the public
    with pytest.raises(SoldOut):
        place_order(**order_kwargs(congress, one_seat))


def test_the_offered_person_can_register_with_the_reserved_seat(congress, one_seat):
    order = place_order(**order_kwargs(congress, one_seat))
    entry = join(congress, one_seat)
    cancel_order(order=order)
    entry.refresh_from_db()
    taken = place_order(
        **order_kwargs(congress, one_seat), offer=live_offer(congress=congress, token=entry.token)
    )
    entry.refresh_from_db()
    assert entry.status == WaitingListStatus.REDEEMED
    assert entry.order == taken
    with pytest.raises(OfferInvalid):
        live_offer(congress=congress, token=entry.token)


def test_a_lapsed_offer_passes_the_seat_to_the_next_person(congress, one_seat):
    order = place_order(**order_kwargs(congress, one_seat))
    first, second = join(congress, one_seat, "Wen"), join(congress, one_seat, "Li")
    cancel_order(order=order)
    expire_stale_holds(now=timezone.now() + dt.timedelta(days=3))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitingListStatus.EXPIRED
    assert second.status == WaitingListStatus.OFFERED


def test_an_expired_hold_offers_its_seat_too(congress, one_seat):
    order = place_order(**order_kwargs(congress, one_seat))
    entry = join(congress, one_seat)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    assert expire_stale_holds() == 1
    entry.refresh_from_db()
    assert entry.status == WaitingListStatus.OFFERED


def test_joining_twice_keeps_one_place(congress, one_seat):
    assert join(congress, one_seat).pk == join(congress, one_seat).pk
    assert WaitingListEntry.objects.count() == 1


def test_waiting_list_can_be_switched_off(congress, one_seat):
    RegistrationSettings.objects.create(congress=congress, waiting_list_enabled=False)
    with pytest.raises(RegistrationError):
        join(congress, one_seat)


def test_self_service_cancellation_records_the_fee_for_paid_orders(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, cancellation_fee=Decimal("50"))
    order = mark_order_paid(order=place_order(**order_kwargs(congress, regtype, 2)))
    assert cancellation_terms(order=order)["fee"] == Decimal("100.00")
    cancelled = cancel_own_order(order=order)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancellation_fee == Decimal("100.00")


def test_unpaid_orders_cancel_without_fee(congress, regtype):
    RegistrationSettings.objects.create(congress=congress, cancellation_fee=Decimal("50"))
    order = cancel_own_order(order=place_order(**order_kwargs(congress, regtype)))
    assert order.cancellation_fee == 0


def test_self_service_cancellation_after_the_deadline_is_refused(congress, regtype):
    RegistrationSettings.objects.create(
        congress=congress, cancellation_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    order = place_order(**order_kwargs(congress, regtype))
    with pytest.raises(DeadlinePassed):
        cancel_own_order(order=order)


def test_delegate_edits_details_until_the_deadline(congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    delegate = order.delegates.get()
    update_own_delegate(delegate=delegate, changes={"badge_name": "Dr Ana"})
    delegate.refresh_from_db()
    assert delegate.badge_name == "Dr Ana"
    RegistrationSettings.objects.create(
        congress=congress, edit_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    congress.__dict__.pop("_registration_settings", None)
    delegate.order.congress.__dict__.pop("_registration_settings", None)
    with pytest.raises(DeadlinePassed):
        update_own_delegate(delegate=delegate, changes={"badge_name": "X"})


def test_delegate_edit_cannot_touch_price_or_type(congress, regtype):
    delegate = place_order(**order_kwargs(congress, regtype)).delegates.get()
    with pytest.raises(RegistrationError):
        update_own_delegate(delegate=delegate, changes={"price": Decimal("0")})


def test_payment_reminder_goes_once_after_the_delay(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(**order_kwargs(congress, regtype))
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=30),
        hold_expires_at=timezone.now() + dt.timedelta(days=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_payment_reminders() == 1
        assert send_payment_reminders() == 0
    assert [m.subject for m in mail.outbox if "reminder" in m.subject]


def test_emails_go_out_in_the_contacts_language(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        place_order(**order_kwargs(congress, regtype, language="fr"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["contact@city.example"]


def test_member_list_import_adds_and_replaces(congress):
    result = import_member_organisations(
        congress=congress, csv_text="name,country\nCity of Lisbon,PT\nVille de Paris,FR\n"
    )
    assert result == {"added": 2, "updated": 0, "unchanged": 0, "removed": 0}
    again = import_member_organisations(
        congress=congress, csv_text="name\ncity of  LISBON\nCiudad de México\n", replace=True
    )
    # Lisbon is matched (the file's spelling is taken), Paris removed, Mexico City added.
    assert again == {"added": 1, "updated": 1, "unchanged": 0, "removed": 1}
    assert set(MemberOrganisation.objects.values_list("name", flat=True)) == {
        "city of  LISBON",
        "Ciudad de México",
    }


@pytest.mark.parametrize(
    "text", ["organisation\nX\n", "name,country\n,PT\n", "name,country\nX,Portugal\n"]
)
def test_member_list_import_rejects_bad_files_whole(congress, text):
    with pytest.raises(RegistrationError):
        import_member_organisations(congress=congress, csv_text=text)
    assert not MemberOrganisation.objects.exists()


def test_import_command_reads_a_csv_file(congress, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("name,reference\nCity of Lisbon,M-1\n", encoding="utf-8")
    out = StringIO()
    call_command("import_member_organisations", congress.slug, str(path), stdout=out)
    assert "1 added" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_member_organisations", "nope", str(path))


def test_expire_holds_command_and_task(congress, regtype):
    from registrations.tasks import expire_holds

    order = place_order(**order_kwargs(congress, regtype))
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now())
    out = StringIO()
    call_command("expire_holds", stdout=out)
    assert "1 order(s) expired" in out.getvalue()
    assert expire_holds.enqueue().return_value == 0


def test_delegation_keeps_one_answer_per_question(congress, regtype):
    order = place_order(
        **{
            **order_kwargs(congress, regtype),
            "delegates": [NewDelegate(registration_type=regtype, details=person(1))],
        }
    )
    assert order.delegates.count() == 1


def test_each_delegate_gets_a_confirmation_in_their_own_language(
    congress, regtype, mailoutbox, django_capture_on_commit_callbacks
):
    order = place_order(
        **{
            **order_kwargs(congress, regtype),
            "delegates": [
                NewDelegate(registration_type=regtype, details=person(1, language="fr")),
                NewDelegate(
                    registration_type=regtype, details=person(2, email="contact@city.example")
                ),
            ],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        mark_order_paid(order=order)
    personal = [m for m in mail.outbox if m.to == ["ana1@city.example"]]
    assert len(personal) == 1
    assert "confirm" in personal[0].subject.lower()
    delegate = order.delegates.get(email="ana1@city.example")
    agenda = reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
    )
    assert agenda in personal[0].body
    assert not [m for m in mail.outbox if m.to == ["ana2@city.example"]]
    assert len([m for m in mail.outbox if m.to == ["contact@city.example"]]) == 1
