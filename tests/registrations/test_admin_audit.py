"""Vouchers and questions edited in the Django admin leave audit entries."""

import pytest
from django.test import Client
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.models import Question, RegistrationSettings, Voucher
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(congress):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def voucher_form(congress, regtype, **extra) -> dict:
    return {
        "congress": congress.pk,
        "code": "WAIVE",
        "kind": "percentage",
        "value": "100",
        "max_uses": "10",
        "registration_types": [regtype.pk],
        "valid_until_0": "",
        "valid_until_1": "",
        "comment": "Low-income countries",
        "is_active": "on",
        **extra,
    }


def entries(action: str):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_creating_changing_and_deleting_a_voucher_is_audited(admin_client, congress, regtype):
    added = admin_client.post(
        reverse("admin:registrations_voucher_add"), voucher_form(congress, regtype)
    )
    assert added.status_code == 302, added.content[:2000]
    voucher = Voucher.objects.get(code="WAIVE")
    (created,) = entries("convene.voucher.created")
    assert created.congress == congress and created.actor.username == "root"
    assert created.target_id == str(voucher.pk)
    assert created.data["changed"]["value"][1] == "100"

    change_url = reverse("admin:registrations_voucher_change", args=[voucher.pk])
    changed = admin_client.post(
        change_url, voucher_form(congress, regtype, max_uses="3", registration_types=[])
    )
    assert changed.status_code == 302
    (updated,) = entries("convene.voucher.updated")
    assert updated.data["changed"]["max_uses"] == ["10", "3"]
    assert updated.data["changed"]["registration_types"] == [[str(regtype)], []]
    assert set(updated.data["changed"]) == {"max_uses", "registration_types"}

    # Saving without a change writes nothing.
    admin_client.post(
        change_url, voucher_form(congress, regtype, max_uses="3", registration_types=[])
    )
    assert len(entries("convene.voucher.updated")) == 1

    delete_url = reverse("admin:registrations_voucher_delete", args=[voucher.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    (deleted,) = entries("convene.voucher.deleted")
    assert deleted.data["object"] == "WAIVE" and not Voucher.objects.exists()


def test_a_bulk_delete_of_questions_audits_each_one(admin_client, congress):
    questions = [
        Question.objects.create(congress=congress, label=f"Question {n}", kind="text")
        for n in range(3)
    ]
    response = admin_client.post(
        reverse("admin:registrations_question_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [q.pk for q in questions],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Question.objects.exists()
    assert {e.target_id for e in entries("convene.question.deleted")} == {
        str(q.pk) for q in questions
    }


def test_a_refused_form_writes_no_audit_entry(admin_client, congress, regtype):
    response = admin_client.post(
        reverse("admin:registrations_voucher_add"),
        voucher_form(congress, regtype, value="not a number"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Voucher.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="convene.voucher").exists()


def settings_form(congress, **extra) -> dict:
    return {
        "congress": congress.pk,
        "total_capacity": "500",
        "hold_minutes": "",
        "approval_payment_days": "7",
        "max_delegates_per_order": "20",
        "edit_deadline_0": "",
        "edit_deadline_1": "",
        "cancellation_deadline_0": "",
        "cancellation_deadline_1": "",
        "cancellation_fee": "0.00",
        "waiting_list_enabled": "on",
        "waiting_list_offer_hours": "48",
        "reminder_after_hours": "24",
        "accept_card": "on",
        "accept_bank_transfer": "on",
        "last_seats_per_address": "4",
        **extra,
    }


def test_registration_settings_edited_in_the_admin_are_audited(admin_client, congress):
    added = admin_client.post(
        reverse("admin:registrations_registrationsettings_add"), settings_form(congress)
    )
    assert added.status_code == 302, added.content[:2000]
    row = RegistrationSettings.objects.get(congress=congress)
    (created,) = entries("convene.registration_settings.created")
    assert created.actor.username == "root" and created.congress == congress
    assert created.data["changed"]["total_capacity"] == ["", "500"]

    change_url = reverse("admin:registrations_registrationsettings_change", args=[row.pk])
    changed = admin_client.post(
        change_url, settings_form(congress, total_capacity="450", waiting_list_enabled="")
    )
    assert changed.status_code == 302, changed.content[:2000]
    (updated,) = entries("convene.registration_settings.updated")
    assert updated.actor.username == "root"
    assert updated.data["changed"] == {
        "total_capacity": ["500", "450"],
        "waiting_list_enabled": ["True", "False"],
    }
    row.refresh_from_db()
    assert (row.total_capacity, row.waiting_list_enabled) == (450, False)

    delete_url = reverse("admin:registrations_registrationsettings_delete", args=[row.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    (deleted,) = entries("convene.registration_settings.deleted")
    assert deleted.actor.username == "root" and deleted.congress == congress
    assert not RegistrationSettings.objects.exists()
