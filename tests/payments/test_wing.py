"""The payments wing as one piece: "paid, therefore invoiced and confirmed" is one service whose
callers leave the invoicing sweep nothing to do; the wing's admin, template tag, tasks and
e-mail attachments are reached explicitly, and no import goes round in a circle."""

from __future__ import annotations

import json
from decimal import Decimal

import grimp
import pytest
from django.contrib.admin import AdminSite
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks import default_task_backend

from registrations import tasks as registration_tasks
from registrations.enums import OrderStatus
from registrations.errors import SoldOut
from registrations.models import Invoice, Payment, StripeEvent
from registrations.payments import admin as payment_admin
from registrations.payments import tasks as payment_tasks
from registrations.payments import views as payment_views
from registrations.payments.services import invoicing as invoice_services
from registrations.payments.services import payments as payment_services
from registrations.payments.services.order_changes import cancel_delegate
from registrations.payments.services.settlement import settle_order_paid
from registrations.services import notifications
from registrations.services.orders import approve_order

from .conftest import make_order
from .test_card_payments import card_token
from .test_invoices import BILLING, billing_settings  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _sweep() -> dict:
    """The reconciliation's counts; ``invoiced`` is what the safety net had to fill in."""
    return payment_services.reconcile_payments()


def _invoiced_once(order) -> Invoice:
    (invoice,) = Invoice.objects.filter(order=order)
    return invoice


def test_settle_order_paid_marks_the_order_paid_and_issues_its_invoice_at_once(
    billing_settings,  # noqa: F811
    pending_order,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        settled = settle_order_paid(order=pending_order, actor_label="finance")
    assert settled.status == OrderStatus.PAID
    invoice = _invoiced_once(pending_order)
    assert invoice.paid_at_issue and invoice.gross == pending_order.total
    assert settle_order_paid(order=pending_order).status == OrderStatus.PAID  # idempotent
    assert _invoiced_once(pending_order) == invoice
    assert any(m.attachments and m.attachments[0][0] == invoice.filename for m in mail.outbox)


def test_settle_order_paid_changes_nothing_when_the_seats_are_gone(congress):
    order = make_order(congress, status=OrderStatus.EXPIRED)
    rtype = order.delegates.first().registration_type
    rtype.capacity = 0
    rtype.save()
    with pytest.raises(SoldOut):
        settle_order_paid(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert not Invoice.objects.filter(order=order).exists()


def test_the_invoicing_sweep_finds_nothing_after_the_normal_flows(
    stripe_on,
    billing_settings,  # noqa: F811
    congress,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        # By card, through the emulator.
        by_card = make_order(congress)
        payment = payment_services.start_card_payment(order=by_card)
        payment_services.confirm_card_payment_with_token(
            order=by_card, payment=payment, token=card_token(stripe_on)
        )
        # By bank transfer recorded by finance (the manual "mark paid").
        by_transfer = make_order(congress, total="300.00")
        payment_services.record_bank_transfer(
            order=by_transfer, amount=Decimal("300.00"), received_on=timezone.localdate()
        )
        # Paid by invoice, then the transfer arrives.
        by_invoice = make_order(congress, total="200.00")
        payment_services.request_invoice_payment(order=by_invoice, billing=BILLING)
        payment_services.record_bank_transfer(
            order=by_invoice, amount=Decimal("200.00"), received_on=timezone.localdate()
        )
        # Half received, then one of two delegates cancelled: what was received covers it.
        by_cancelling = make_order(congress, total="400.00", delegates=2)
        payment_services.record_bank_transfer(
            order=by_cancelling, amount=Decimal("200.00"), received_on=timezone.localdate()
        )
        cancel_delegate(delegate=by_cancelling.delegates.order_by("id").first())
        # A free order approved by the organisers.
        free = make_order(congress, total="0.00", status=OrderStatus.AWAITING_APPROVAL)
        approve_order(order=free)
    for order in (by_card, by_transfer, by_invoice, by_cancelling):
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID, order.code
        assert _invoiced_once(order).gross == order.total
    free.refresh_from_db()
    assert free.status == OrderStatus.PAID
    assert "invoiced" not in _sweep()


def test_the_sweep_still_invoices_a_paid_order_left_without_one(congress, billing_settings):  # noqa: F811
    order = make_order(congress, status=OrderStatus.PAID)
    assert _sweep()["invoiced"] == 1
    assert _invoiced_once(order).paid_at_issue


def test_the_payments_admin_registers_only_when_asked():
    site = AdminSite(name="empty")
    assert Payment not in site._registry
    payment_admin.register(site)
    assert set(payment_admin.MODEL_ADMINS) <= set(site._registry)
    assert isinstance(site._registry[StripeEvent], payment_admin.StripeEventAdmin)
    from django.contrib import admin  # the project's site: registered by registrations.admin

    assert isinstance(admin.site._registry[Payment], payment_admin.PaymentAdmin)


@override_settings(ROOT_URLCONF="tests.payments.urls_without_registration_pages")
def test_payment_pages_fall_back_to_their_own_page_when_the_order_page_is_not_mounted(
    pending_order,
):
    assert payment_views._order_page(pending_order) == (
        f"/{pending_order.congress.slug}/payments/{pending_order.code}/{pending_order.secret}/"
    )


def test_an_invoice_email_is_queued_with_plain_values_and_built_by_its_task(
    billing_settings,  # noqa: F811
    pending_order,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "emails", "batch"],
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        invoice = payment_services.request_invoice_payment(order=pending_order, billing=BILLING)
    (queued,) = default_task_backend.results
    assert queued.task.module_path.endswith("send_invoice_email_task")
    payload = queued.kwargs
    assert json.loads(json.dumps(payload)) == payload  # ids and strings only
    assert payload["invoice_id"] == invoice.pk and payload["to"] == [BILLING["email"]]
    assert not mail.outbox  # no PDF rendered before the worker runs
    invoice_services.send_invoice_email_task.call(**payload)
    (message,) = mail.outbox
    assert message.attachments[0][0] == invoice.filename
    assert message.attachments[0][1].startswith(b"%PDF")


def test_queue_tasks_live_beside_the_work_they_queue():
    assert registration_tasks.send_order_email_task is notifications.send_order_email_task
    assert payment_tasks.submit_refund_task.module_path.endswith(
        "services.refunds.submit_refund_task"
    )


def test_no_module_of_registrations_imports_in_a_circle():
    """Imports inside functions count too: a circle kept alive by one is still a circle."""
    graph = grimp.build_graph("registrations", "events_site")
    circles = sorted(
        (module, imported)
        for module in graph.modules
        if module.startswith("registrations")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("registrations")
        and graph.chain_exists(importer=imported, imported=module)
    )
    assert circles == []


def test_delegate_services_do_not_reach_into_the_payments_wing():
    graph = grimp.build_graph("registrations", "events_site")
    assert not graph.chain_exists(
        importer="registrations.services.delegates",
        imported="registrations.payments.services",
        as_packages=True,
    )
