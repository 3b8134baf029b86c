"""Invoices, credit notes, confirmations, payment and finance pages write amounts the way the
reader's language writes money (a PDF: the document's language), with the currency's decimals."""

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from registrations.models import BillingSettings
from registrations.payments.invoices import render_invoice_pdf
from registrations.payments.services import invoicing as invoice_services
from registrations.payments.services import payments as payment_services
from registrations.pdf import confirmation_pdf
from tests.factories import CongressFactory, TeamMembershipFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
NBSP = "\xa0"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def spaces_plain(text: str) -> str:
    """pdftotext and the PDF's fonts may write either no-break space as a plain one."""
    return text.replace(NNBSP, " ").replace(NBSP, " ")


def billing(congress, **extra):
    fields = {
        "seller_name": "World Association of Cities",
        "seller_address": "Carrer Avinyó 15\n08002 Barcelona",
        "seller_country": "ES",
        "iban": "ES9121000418450200051332",
        "bic": "CAIXESBBXXX",
        "tax_rate": Decimal("10.00"),
        "invoice_prefix": "INV-",
    }
    return BillingSettings.objects.create(congress=congress, **(fields | extra))


@pytest.fixture
def yen_congress(db):
    congress = CongressFactory(slug="tokyo-2027", currency="JPY", time_zone="Asia/Tokyo")
    billing(congress)
    return congress


def test_a_french_invoice_writes_euros_the_french_way(congress, tmp_path):
    billing(congress)
    order = make_order(congress, total="1320.00", language="fr")
    invoice = invoice_services.issue_invoice(order=order, send=False)
    text = spaces_plain(pdf_text(render_invoice_pdf(invoice), tmp_path))
    assert "1 320,00 €" in text  # the total and the line
    assert "1 200,00 €" in text and "120,00 €" in text  # net and 10 % tax
    assert "1320.00" not in text and "1320,00" not in text


def test_the_invoice_html_carries_the_no_break_spaces_babel_writes(congress):
    from registrations.payments.invoices import invoice_html

    billing(congress)
    order = make_order(congress, total="1320.00", language="fr")
    html = invoice_html(invoice_services.issue_invoice(order=order, send=False))
    assert f"1{NNBSP}320,00{NBSP}€" in html


def test_a_yen_invoice_has_no_decimals(yen_congress, tmp_path):
    order = make_order(yen_congress, total="55000", delegates=1)
    invoice = invoice_services.issue_invoice(order=order, send=False)
    text = pdf_text(render_invoice_pdf(invoice), tmp_path)
    assert "¥55,000" in text  # the line and the total
    assert "¥50,000" in text and "¥5,000" in text  # net and 10 % tax
    assert ".00" not in text


def test_a_spanish_credit_note_writes_negative_euros_the_spanish_way(congress, tmp_path):
    billing(congress)
    order = make_order(congress, total="1320.00", language="es")
    invoice = invoice_services.issue_invoice(order=order, send=False)
    note = invoice_services.issue_credit_note(
        invoice=invoice, amount=Decimal("1320.00"), reason="Cancelled"
    )
    text = spaces_plain(pdf_text(render_invoice_pdf(note), tmp_path))
    assert "-1.320,00 €" in text


def test_the_confirmation_pdf_is_in_the_orders_language(congress, tmp_path):
    order = make_order(congress, total="1320.00", language="fr", delegates=2)
    data = confirmation_pdf(order=order, delegates=list(order.delegates.all()))
    text = spaces_plain(pdf_text(data, tmp_path))
    assert "1 320,00 €" in text and "660,00 €" in text
    assert "EUR" not in text


def test_the_delegates_payment_page_shows_yen_without_decimals(client, yen_congress):
    order = make_order(yen_congress, total="55000")
    html = client.get(order.get_absolute_url()).content.decode()
    assert "¥55,000" in html
    assert "55000.00" not in html


def test_the_finance_pages_show_yen_without_decimals(client, yen_congress):
    user = TeamMembershipFactory(congress=yen_congress, role="finance").user
    order = make_order(yen_congress, total="55000")
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("20000"), received_on=dt.date(2027, 3, 1), by=user
    )
    client.force_login(user)
    base = f"/{yen_congress.slug}/manage/payments/"
    overview = client.get(base).content.decode()
    assert "¥55,000" in overview and "¥20,000" in overview
    detail = client.get(f"{base}orders/{order.code}/").content.decode()
    assert "¥55,000" in detail and "¥20,000" in detail
    assert "55000.00" not in overview + detail and "20000.00" not in overview + detail


def test_a_refused_refund_names_the_limit_in_the_readers_money(yen_congress):
    user = TeamMembershipFactory(congress=yen_congress, role="finance").user
    order = make_order(yen_congress, total="55000")
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("55000"), received_on=dt.date(2027, 3, 1), by=user
    )
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        f"/api/v1/congresses/{yen_congress.slug}/payments/orders/{order.code}/refunds/",
        {"amount": "60000"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f"55{NNBSP}000{NBSP}JPY" in detail, detail


def test_the_invoice_email_is_in_the_recipients_money(
    congress, mailoutbox, django_capture_on_commit_callbacks
):
    billing(congress)
    order = make_order(congress, total="1320.00", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        invoice_services.issue_invoice(order=order)
    (message,) = mailoutbox
    assert f"1{NNBSP}320,00{NBSP}€" in message.body
    assert "1320.00" not in message.body and "EUR" not in message.body


def test_payments_and_refunds_name_their_amount_as_money(congress):
    order = make_order(congress, total="1320.00")
    payment = payment_services.record_bank_transfer(
        order=order, amount=Decimal("1320.00"), received_on=dt.date(2027, 3, 1)
    )
    assert str(payment) == f"{order.code} €1,320.00 (Succeeded)"


def test_a_french_reverse_charge_invoice_has_no_english_words(congress, tmp_path):
    """The default tax label and reverse-charge note, the rate, the total and the dates are all
    written in French; a label the organiser typed themselves is kept as typed."""
    billing(congress)
    order = make_order(congress, total="380.00", language="fr", delegates=1)
    lyon = {"name": "Ville de Lyon", "address": "1 place de la Comédie\n69001 Lyon"}
    lyon |= {"country": "FR", "vat_number": "FR12345678901", "is_business": True}
    invoice = payment_services.request_invoice_payment(order=order, billing=lyon)
    assert invoice.reverse_charge
    text = spaces_plain(pdf_text(render_invoice_pdf(invoice), tmp_path))
    for english in ("VAT", "Total EUR", "Reverse charge", "Article 196,", "380.00", "0%"):
        assert english not in text, english
    # the date of issue is the date in the congress's zone, not the server's (UTC)
    assert "TVA 0 %" in text and "Autoliquidation" in text and "380,00 €" in text
    issued = invoice.issued_at.astimezone(congress.tz)
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"]
    months += ["septembre", "octobre", "novembre", "décembre"]
    assert f"{issued.day} {months[issued.month - 1]} {issued.year}" in text


def test_a_spanish_invoice_writes_its_rate_and_label_in_spanish(congress, tmp_path):
    billing(congress, tax_label="VAT")
    order = make_order(congress, total="1320.00", language="es")
    invoice = invoice_services.issue_invoice(order=order, send=False)
    text = spaces_plain(pdf_text(render_invoice_pdf(invoice), tmp_path))
    assert "IVA 10 %" in text and "VAT" not in text


def test_a_label_the_organiser_wrote_is_printed_as_written(congress, tmp_path):
    billing(congress, tax_label="MwSt", tax_rate=Decimal("7.50"))
    order = make_order(congress, total="1075.00", language="fr")
    invoice = invoice_services.issue_invoice(order=order, send=False)
    text = spaces_plain(pdf_text(render_invoice_pdf(invoice), tmp_path))
    assert "MwSt 7,5 %" in text
