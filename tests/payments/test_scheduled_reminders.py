"""Dunning on a schedule: off by default; switched on in a congress's payment settings, the
scheduler's job reminds each overdue order once per the congress's interval (and never twice
within 24 hours, the rule of the bulk reminders), in the order's language, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from events_site.scheduler.schedule import load_schedule
from registrations.models import BillingSettings, InvoiceReminder, Order
from registrations.payments.services import dunning
from registrations.payments.tasks import send_scheduled_reminders_task

from .test_finance_list import _invoices, _orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(congress):
    orders = _orders(congress, 2, total="120.00", language="fr")
    _invoices(congress, orders)
    (not_due,) = _orders(congress, 1)
    _invoices(congress, [not_due], due=dt.date(2099, 1, 1), start=10)
    return orders


def _switch_on(congress, days=7):
    BillingSettings.objects.update_or_create(
        congress=congress,
        defaults={
            "seller_name": "WCG",
            "reminders_on_schedule": True,
            "reminder_interval_days": days,
        },
    )


def test_the_job_is_on_the_schedule():
    names = {job.task_path: job for job in load_schedule()}
    assert "registrations.payments.tasks.send_scheduled_reminders_task" in names


def test_off_by_default_nobody_is_reminded(congress, overdue):
    BillingSettings.objects.create(congress=congress, seller_name="WCG")
    assert dunning.send_scheduled_reminders() == {}
    assert not InvoiceReminder.objects.exists()
    assert BillingSettings._meta.get_field("reminders_on_schedule").default is False


def test_switched_on_each_overdue_order_is_reminded_once_per_interval(
    congress, other_congress, overdue, django_capture_on_commit_callbacks
):
    _switch_on(congress, days=3)
    (foreign,) = _orders(other_congress, 1)
    _invoices(other_congress, [foreign], start=50)  # its congress did not switch it on
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert dunning.send_scheduled_reminders(now=start) == {congress.slug: 2}
        assert dunning.send_scheduled_reminders(now=start + dt.timedelta(hours=1)) == {}
        assert dunning.send_scheduled_reminders(now=start + dt.timedelta(days=2)) == {}
        later = dunning.send_scheduled_reminders(now=start + dt.timedelta(days=3, hours=1))
    assert later == {congress.slug: 2}
    assert len(mail.outbox) == 4
    assert "Bonjour" in mail.outbox[0].body
    assert not InvoiceReminder.objects.filter(order=foreign).exists()
    entry = AuditEntry.objects.filter(action=dunning.SCHEDULED).first()
    assert entry.actor_label == "scheduler" and entry.data["sent"] == 2


def test_the_24_hour_rule_holds_after_a_bulk_reminder_by_hand(congress, overdue, finance_user):
    _switch_on(congress, days=1)
    dunning.send_invoice_reminders(congress=congress, order_ids=[overdue[0].pk], by=finance_user)
    sent = dunning.send_scheduled_reminders(now=timezone.now() + dt.timedelta(hours=2))
    assert sent == {congress.slug: 1}  # only the other one
    assert InvoiceReminder.objects.filter(order=overdue[0]).count() == 1


def test_a_paid_order_is_not_reminded(congress, overdue):
    _switch_on(congress)
    Order.objects.filter(pk=overdue[0].pk).update(status="paid")
    assert dunning.send_scheduled_reminders() == {congress.slug: 1}


def test_the_task_runs_the_service(congress, overdue):
    _switch_on(congress)
    result = send_scheduled_reminders_task.enqueue()
    assert result.return_value == {congress.slug: 2}


def test_the_payment_settings_page_switches_it_on(client, alice, congress):
    client.force_login(alice)
    page = client.get(f"/{congress.slug}/manage/payments/settings/")
    form = page.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, bool)
    }
    data.update(
        seller_name="WCG",
        tax_label="VAT",
        tax_rate="0",
        payment_terms_days="30",
        accept_bank_transfer="on",
        reminders_on_schedule="on",
        reminder_interval_days="5",
    )
    response = client.post(f"/{congress.slug}/manage/payments/settings/", data)
    assert response.status_code == 302, response.context["form"].errors
    saved = BillingSettings.objects.get(congress=congress)
    assert saved.reminders_on_schedule and saved.reminder_interval_days == 5
    bad = client.post(
        f"/{congress.slug}/manage/payments/settings/",
        {**data, "reminder_interval_days": "0", "fingerprint": "", "methods_fingerprint": ""},
    )
    assert bad.status_code == 400
