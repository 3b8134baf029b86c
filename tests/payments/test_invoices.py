"""Bank transfer against an invoice; invoice numbering, immutability, tax, credit notes, PDF."""

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from registrations.enums import OrderStatus
from registrations.errors import OrderStateError
from registrations.models import BillingSettings, Invoice
from registrations.payments.errors import InvoiceError, PaymentError
from registrations.payments.invoices import invoice_html, render_invoice_pdf
from registrations.payments.services import invoicing as invoice_services
from registrations.payments.services import payments as payment_services

from .conftest import make_order

pytestmark = pytest.mark.django_db

BILLING = {
    "name": "Ville de Lyon – Direction des finances",
    "address": "1 place de la Comédie\n69001 Lyon",
    "country": "FR",
    "vat_number": "FR12345678901",
    "purchase_order": "PO-2027-0042",
    "is_business": True,
    "email": "finances@lyon.example",
}


@pytest.fixture
def billing_settings(congress):
    return BillingSettings.objects.create(
        congress=congress,
        seller_name="World Association of Cities",
        seller_address="Carrer Avinyó 15\n08002 Barcelona",
        seller_country="ES",
        seller_vat_id="ESG12345678",
        bank_name="Banco Ejemplo",
        iban="ES9121000418450200051332",
        bic="CAIXESBBXXX",
        tax_rate=Decimal("21.00"),
        payment_terms_days=30,
        invoice_prefix="WCG27-",
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_pay_by_invoice_issues_an_invoice_with_instructions_and_holds_seats_until_due(
    billing_settings, pending_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = payment_services.request_invoice_payment(order=pending_order, billing=BILLING)
    pending_order.refresh_from_db()
    assert invoice.full_number == "WCG27-00001"
    assert invoice.payment_instructions and not invoice.paid_at_issue
    assert invoice.buyer["purchase_order"] == "PO-2027-0042"
    assert invoice.due_date == timezone.localdate(
        timezone=pending_order.congress.tz
    ) + dt.timedelta(days=30)
    assert pending_order.hold_expires_at.astimezone(pending_order.congress.tz).date() == (
        invoice.due_date + dt.timedelta(days=1)
    )
    assert pending_order.status == OrderStatus.PENDING_PAYMENT
    (message,) = mail.outbox
    assert message.to == ["finances@lyon.example"]
    assert message.attachments[0][0] == "WCG27-00001.pdf"


def test_invoice_pdf_carries_reference_bank_details_and_purchase_order(
    billing_settings, pending_order, tmp_path
):
    invoice = payment_services.request_invoice_payment(order=pending_order, billing=BILLING)
    text = pdf_text(render_invoice_pdf(invoice), tmp_path)
    assert "WCG27-00001" in text
    assert pending_order.code in text
    assert "ES9121000418450200051332" in text
    assert "PO-2027-0042" in text
    assert "Ville de Lyon" in text
    assert "450.00" in text


def test_domestic_buyer_pays_tax_included_in_the_price(billing_settings, congress):
    order = make_order(congress, total="121.00")
    invoice = payment_services.request_invoice_payment(
        order=order, billing={**BILLING, "country": "ES", "vat_number": "ESB0000000"}
    )
    assert (invoice.net, invoice.tax, invoice.gross) == (
        Decimal("100.00"),
        Decimal("21.00"),
        Decimal("121.00"),
    )
    assert not invoice.reverse_charge


def test_business_buyer_abroad_with_vat_number_gets_reverse_charge_note(
    billing_settings, pending_order, tmp_path
):
    invoice = payment_services.request_invoice_payment(order=pending_order, billing=BILLING)
    assert invoice.reverse_charge and invoice.tax == Decimal("0.00")
    assert "Reverse charge" in pdf_text(render_invoice_pdf(invoice), tmp_path)


def test_private_buyer_abroad_pays_tax(billing_settings, pending_order):
    invoice = payment_services.request_invoice_payment(
        order=pending_order, billing={**BILLING, "is_business": False}
    )
    assert not invoice.reverse_charge and invoice.tax > 0


def test_finance_records_a_partial_then_the_rest_and_the_order_becomes_paid(
    billing_settings, pending_order, alice
):
    payment_services.request_invoice_payment(order=pending_order, billing=BILLING)
    payment_services.record_bank_transfer(
        order=pending_order, amount=Decimal("200.00"), received_on=dt.date(2027, 3, 1), by=alice
    )
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PENDING_PAYMENT
    assert payment_services.amount_outstanding(pending_order) == Decimal("250.00")
    payment_services.record_bank_transfer(
        order=pending_order,
        amount=Decimal("250.00"),
        received_on=dt.date(2027, 3, 5),
        reference="SEPA 123",
        by=alice,
    )
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PAID
    assert Invoice.objects.filter(order=pending_order).count() == 1  # the same invoice


def test_an_overpayment_is_recorded_and_flagged(billing_settings, pending_order, alice):
    payment_services.record_bank_transfer(
        order=pending_order, amount=Decimal("500.00"), received_on=dt.date(2027, 3, 1), by=alice
    )
    pending_order.refresh_from_db()
    assert pending_order.status == OrderStatus.PAID
    assert pending_order.needs_review and "Overpaid by €50.00" in pending_order.review_reason


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), None])
def test_a_transfer_without_a_positive_amount_is_refused(pending_order, alice, amount):
    with pytest.raises(PaymentError):
        payment_services.record_bank_transfer(
            order=pending_order, amount=amount, received_on=dt.date(2027, 3, 1), by=alice
        )


def test_a_transfer_for_a_cancelled_order_is_refused(congress, alice):
    order = make_order(congress, status=OrderStatus.CANCELLED)
    with pytest.raises(OrderStateError, match="cancelled"):
        payment_services.record_bank_transfer(
            order=order, amount=Decimal("450"), received_on=dt.date(2027, 3, 1), by=alice
        )


def test_pay_by_invoice_for_an_already_paid_order_is_refused(congress):
    order = make_order(congress, status=OrderStatus.PAID)
    with pytest.raises(OrderStateError, match="already paid"):
        payment_services.request_invoice_payment(order=order, billing=BILLING)


def test_invoice_numbers_are_sequential_per_congress_and_series(
    billing_settings, congress, other_congress
):
    numbers = [
        invoice_services.issue_invoice(order=make_order(congress), send=False).number
        for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    assert invoice_services.issue_invoice(order=make_order(other_congress), send=False).number == 1
    note = invoice_services.issue_credit_note(
        invoice=Invoice.objects.get(congress=congress, number=2), amount=Decimal("10"), reason="x"
    )
    assert (note.number, note.full_number) == (1, "WCG27-C00001")


def test_issuing_twice_returns_the_same_invoice(billing_settings, pending_order):
    first = invoice_services.issue_invoice(order=pending_order, send=False)
    assert invoice_services.issue_invoice(order=pending_order, send=False) == first


def test_an_issued_invoice_cannot_be_changed_or_deleted(billing_settings, pending_order):
    invoice = invoice_services.issue_invoice(order=pending_order, send=False)
    invoice.gross = Decimal("1.00")
    with pytest.raises(ValidationError):
        invoice.save()
    with pytest.raises(ValidationError):
        invoice.delete()
    invoice.refresh_from_db()
    assert invoice.gross == Decimal("450.00")


def test_a_correction_is_a_credit_note_plus_a_new_invoice(billing_settings, pending_order):
    original = payment_services.request_invoice_payment(order=pending_order, billing=BILLING)
    invoice_services.save_billing_details(order=pending_order, name="Métropole de Lyon")
    note, replacement = invoice_services.correct_invoice(invoice=original, reason="New buyer name")
    original.refresh_from_db()
    assert original.buyer["name"].startswith("Ville de Lyon")  # unchanged
    assert note.corrects == original and note.gross == Decimal("-450.00")
    assert replacement.buyer["name"] == "Métropole de Lyon"
    assert replacement.number == original.number + 1
    assert invoice_services.current_invoice(pending_order) == replacement
    assert invoice_services.net_invoiced(pending_order) == Decimal("450.00")
    with pytest.raises(InvoiceError):
        invoice_services.correct_invoice(invoice=original, reason="again")


def test_a_credit_note_larger_than_the_invoice_is_refused(billing_settings, pending_order):
    invoice = invoice_services.issue_invoice(order=pending_order, send=False)
    with pytest.raises(InvoiceError):
        invoice_services.issue_credit_note(invoice=invoice, amount=Decimal("450.01"), reason="x")


def test_credit_note_pdf_shows_what_it_corrects(billing_settings, pending_order, tmp_path):
    invoice = invoice_services.issue_invoice(order=pending_order, send=False)
    note = invoice_services.issue_credit_note(invoice=invoice, amount=Decimal("50"), reason="Fee")
    text = pdf_text(render_invoice_pdf(note), tmp_path)
    assert "Credit note" in text and "WCG27-C00001" in text and "WCG27-00001" in text
    assert "-€50.00" in text


def test_invoices_render_in_the_order_language(billing_settings, congress):
    order = make_order(congress, language="fr")
    invoice = invoice_services.issue_invoice(order=order, send=False)
    assert 'lang="fr"' in invoice_html(invoice)


def test_buyer_text_is_escaped_in_the_invoice(billing_settings, pending_order):
    invoice_services.save_billing_details(
        order=pending_order,
        name='<img src="http://evil.example/x.png">',
        address="<script>x</script>",
        country="FR",
    )
    html = invoice_html(invoice_services.issue_invoice(order=pending_order, send=False))
    assert '<img src="http://evil' not in html and "&lt;script&gt;" in html


def test_jpy_invoices_have_no_fractional_tax(billing_settings, congress):
    congress.currency = "JPY"
    congress.save()
    billing_settings.seller_country = "JP"
    billing_settings.tax_rate = Decimal("10")
    billing_settings.save()
    invoice = invoice_services.issue_invoice(
        order=make_order(congress, total="33000", currency="JPY"), send=False
    )
    assert (invoice.net, invoice.tax) == (Decimal("30000"), Decimal("3000"))


def test_without_billing_settings_the_organisation_is_the_seller(pending_order):
    invoice = invoice_services.issue_invoice(order=pending_order, send=False)
    assert invoice.seller["name"] == pending_order.congress.organisation.name
    assert invoice.full_number == f"{pending_order.congress.slug.upper()}-00001"


def test_nothing_to_invoice_on_a_free_order(congress):
    with pytest.raises(InvoiceError):
        invoice_services.issue_invoice(order=make_order(congress, total="0.00"), send=False)
