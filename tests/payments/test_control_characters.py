"""Finance exports and invoice PDFs with control characters stored before the text rule."""

import csv
import io
import subprocess

import pytest
from openpyxl import load_workbook

from registrations.models import BillingSettings, Order
from registrations.payments.services import payments as payment_services

from .conftest import make_order

pytestmark = pytest.mark.django_db

STORED = "Ana\x0bSilva\x1b[31m\x1f"
CLEAN = "AnaSilva[31m"
LONG = "ü" * 10_000


@pytest.fixture
def hostile(congress):
    order = make_order(congress)
    Order.objects.filter(pk=order.pk).update(
        contact_name=STORED, review_reason=f"\x0c=SUM(A1)\tnote\nnext {LONG}"
    )
    return order


def test_finance_xlsx_export_opens_with_stored_control_characters(client, alice, congress, hostile):
    client.force_login(alice)
    response = client.get(f"/{congress.slug}/manage/payments/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == CLEAN
    assert f"'=SUM(A1)\tnote\nnext {LONG}" in rows[1]


def test_finance_csv_export_has_no_control_characters(client, alice, congress, hostile):
    client.force_login(alice)
    response = client.get(f"/{congress.slug}/manage/payments/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == CLEAN
    assert f"'=SUM(A1)\tnote\nnext {LONG}" in rows[1]


def test_an_invoice_pdf_renders_a_buyer_name_with_control_characters(congress, tmp_path):
    BillingSettings.objects.create(
        congress=congress, seller_name="Assoc\x0b", seller_country="ES", invoice_prefix="T-"
    )
    order = make_order(congress)
    invoice = payment_services.request_invoice_payment(
        order=order,
        billing={"name": "Ville\x1b de Lyon\x1f", "address": "1 place\x0c", "country": "FR"},
    )
    from registrations.payments.invoices import render_invoice_pdf

    pdf = render_invoice_pdf(invoice)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Ville de Lyon" in text
    assert not any(c in text for c in "\x1b\x0b\x00")
