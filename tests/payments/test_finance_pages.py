"""Finance pages, exports and API: who may see them, what they show, what bad input gets."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from openpyxl import load_workbook
from rest_framework.test import APIClient

from registrations.enums import OrderStatus
from registrations.models import Invoice, Payment
from registrations.payments.services import invoicing as invoice_services
from registrations.payments.services import payments as payment_services
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_user(congress):
    user = UserFactory(username="fiona")
    TeamMembershipFactory(congress=congress, user=user, role="finance")
    return user


@pytest.fixture
def orders(congress, alice):
    pending = make_order(congress, contact_name="Ana Pending")
    paid = make_order(congress, contact_name="Ben Paid")
    payment_services.record_bank_transfer(
        order=paid, amount=Decimal("450"), received_on=dt.date(2027, 3, 1), by=alice
    )
    overdue = make_order(congress, contact_name="Olga Overdue")
    invoice_services.issue_invoice(order=overdue, send=False)
    Invoice.objects.filter(order=overdue).update(due_date=dt.date(2020, 1, 1))
    review = make_order(congress, contact_name='=HYPERLINK("http://evil")')
    type(review).objects.filter(pk=review.pk).update(needs_review=True, review_reason="mismatch")
    return {"pending": pending, "paid": paid, "overdue": overdue, "review": review}


def _manage(congress, rest=""):
    return f"/{congress.slug}/manage/payments/{rest}"


@pytest.mark.parametrize(
    ("view", "expected", "absent"),
    [
        ("pending", "Ana Pending", "Ben Paid"),
        ("paid", "Ben Paid", "Ana Pending"),
        ("overdue", "Olga Overdue", "Ana Pending"),
        ("review", "HYPERLINK", "Ben Paid"),
    ],
)
def test_finance_overview_filters_by_view(client, alice, congress, orders, view, expected, absent):
    client.force_login(alice)
    html = client.get(_manage(congress), {"view": view}).content.decode()
    assert expected in html and absent not in html


def test_finance_overview_runs_a_fixed_number_of_queries(
    client, alice, congress, orders, django_assert_max_num_queries
):
    for _ in range(10):
        make_order(congress)
    client.force_login(alice)
    with django_assert_max_num_queries(15):
        assert client.get(_manage(congress), {"view": "all"}).status_code == 200


def test_finance_role_may_open_the_overview(client, finance_user, congress):
    client.force_login(finance_user)
    assert client.get(_manage(congress)).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_other_roles_and_outsiders_are_refused(client, congress, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_manage(congress)).status_code == 403
    assert client.get(_manage(congress, "export.csv")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, congress):
    assert client.get(_manage(congress)).status_code == 302


def test_csv_export_lists_orders_and_neutralises_formulas(client, alice, congress, orders):
    client.force_login(alice)
    response = client.get(_manage(congress, "export.csv"))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert orders["paid"].code in text and "Ben Paid" in text
    assert "'=HYPERLINK" in text


def test_xlsx_export_opens_with_one_row_per_order(client, alice, congress, orders):
    client.force_login(alice)
    response = client.get(_manage(congress, "export.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert len(rows) == 1 + 4


def test_unknown_export_format_is_not_found(client, alice, congress):
    client.force_login(alice)
    assert client.get(_manage(congress, "export.pdf")).status_code == 404


def test_recording_a_transfer_through_the_page(client, alice, congress, orders):
    client.force_login(alice)
    order = orders["pending"]
    response = client.post(
        _manage(congress, f"orders/{order.code}/transfers/"),
        {"amount": "450.00", "received_on": "2027-03-02", "reference": "SEPA-9"},
        follow=True,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert "Transfer recorded" in response.content.decode()


def test_bad_transfer_input_is_shown_not_saved(client, alice, congress, orders):
    client.force_login(alice)
    order = orders["pending"]
    response = client.post(
        _manage(congress, f"orders/{order.code}/transfers/"),
        {"amount": "-3", "received_on": "not a date"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Payment.objects.filter(order=order).exists()


def test_a_refund_over_the_paid_amount_is_refused_on_the_page(client, alice, congress, orders):
    client.force_login(alice)
    order = orders["paid"]
    response = client.post(
        _manage(congress, f"orders/{order.code}/refunds/"), {"amount": "999"}, follow=True
    )
    assert "at most €450.00" in response.content.decode()


def test_billing_settings_page_saves_and_audits(client, alice, congress):
    client.force_login(alice)
    form = client.get(_manage(congress, "settings/")).context["form"]
    response = client.post(
        _manage(congress, "settings/"),
        {
            "fingerprint": form["fingerprint"].value(),
            "methods_fingerprint": form["methods_fingerprint"].value(),
            "accept_card": "on",
            "accept_bank_transfer": "on",
            "seller_name": "WACL",
            "seller_country": "ES",
            "iban": "es91 2100 0418 4502 0005 1332",
            "tax_label": "IVA",
            "tax_rate": "21",
            "payment_terms_days": "14",
        },
    )
    assert response.status_code == 302
    congress.refresh_from_db()
    assert congress.billing_settings.iban == "ES9121000418450200051332"
    assert congress.billing_settings.payment_terms_days == 14


def test_organiser_downloads_an_invoice_pdf(client, alice, congress, orders):
    client.force_login(alice)
    invoice = Invoice.objects.get(order=orders["overdue"])
    response = client.get(_manage(congress, f"invoices/{invoice.full_number}.pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_order_detail_page_shows_payments_and_invoices(client, alice, congress, orders):
    client.force_login(alice)
    order = orders["paid"]
    html = client.get(_manage(congress, f"orders/{order.code}/")).content.decode()
    assert "Bank transfer" in html and Invoice.objects.get(order=order).full_number in html


# --- the delegate's partial -----------------------------------------------------------------


def _partial(order) -> str:
    return Template('{% include "registrations/payments/order_payment.html" %}').render(
        Context({"order": order})
    )


def test_order_page_offers_card_and_invoice_when_stripe_is_configured(stripe_on, pending_order):
    html = _partial(pending_order)
    assert "/card/" in html and "/invoice/" in html and "data-card-unavailable" not in html


def test_without_stripe_keys_card_is_shown_unavailable_and_invoice_still_offered(
    stripe_off, pending_order
):
    html = _partial(pending_order)
    assert "data-card-unavailable" in html and "Card payment is not available" in html
    assert "/card/" not in html and "/invoice/" in html


def test_pay_by_invoice_works_without_stripe(client, stripe_off, pending_order):
    order = pending_order
    url = f"/{order.congress.slug}/payments/{order.code}/{order.secret}/invoice/"
    response = client.post(
        url,
        {
            "name": "Câmara Municipal de Lisboa",
            "address": "Praça do Município\nLisboa",
            "country": "PT",
            "purchase_order": "PO 77",
            "is_business": "on",
        },
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get(order=order)
    assert invoice.buyer["purchase_order"] == "PO 77"
    page = client.get(f"/{order.congress.slug}/payments/{order.code}/{order.secret}/")
    assert invoice.full_number in page.content.decode()
    pdf = client.get(
        f"/{order.congress.slug}/payments/{order.code}/{order.secret}/invoices/"
        f"{invoice.full_number}.pdf"
    )
    assert pdf.content.startswith(b"%PDF")


def test_once_an_invoice_is_issued_the_page_points_to_it_instead_of_offering_another(
    stripe_off, pending_order
):
    order = pending_order
    assert "Get an invoice" in _partial(order)
    invoice = invoice_services.issue_invoice(order=order, send=False)
    html = _partial(order)
    assert "Get an invoice" not in html and "/invoice/" not in html
    assert "data-open-invoice" in html and invoice.full_number in html
    assert f"/invoices/{invoice.full_number}.pdf" in html


def test_pay_by_invoice_form_shows_field_errors(client, stripe_off, pending_order):
    order = pending_order
    url = f"/{order.congress.slug}/payments/{order.code}/{order.secret}/invoice/"
    response = client.post(url, {"name": "", "address": "", "country": "XX"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Invoice.objects.exists()


def test_paid_order_shows_paid_and_its_invoice(congress, alice):
    order = make_order(congress)
    payment_services.record_bank_transfer(
        order=order, amount=Decimal("450"), received_on=dt.date(2027, 3, 1), by=alice
    )
    order.refresh_from_db()
    html = _partial(order)
    assert "Paid" in html and Invoice.objects.get(order=order).full_number in html
    assert "/card/" not in html


def test_an_invoice_of_another_order_is_not_found(client, congress):
    mine, theirs = make_order(congress), make_order(congress)
    invoice = invoice_services.issue_invoice(order=theirs, send=False)
    url = f"/{congress.slug}/payments/{mine.code}/{mine.secret}/invoices/{invoice.full_number}.pdf"
    assert client.get(url).status_code == 404


# --- API --------------------------------------------------------------------------------------


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _api_url(congress, rest=""):
    return f"/api/v1/congresses/{congress.slug}/payments/{rest}"


def test_api_lists_orders_by_view(alice, congress, orders):
    response = _api(alice).get(_api_url(congress, "orders/"), {"view": "overdue"})
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == [orders["overdue"].code]


def test_api_summary_counts_each_view(alice, congress, orders):
    counts = _api(alice).get(_api_url(congress, "orders/summary/")).json()
    assert counts["paid"] == 1 and counts["overdue"] == 1 and counts["review"] == 1


def test_api_records_a_transfer_and_refunds_it(alice, congress, orders):
    order = orders["pending"]
    api = _api(alice)
    created = api.post(
        _api_url(congress, f"orders/{order.code}/transfers/"),
        {"amount": "450.00", "received_on": "2027-03-01", "reference": "X1"},
        format="json",
    )
    assert created.status_code == 201
    refund = api.post(
        _api_url(congress, f"orders/{order.code}/refunds/"), {"amount": "50"}, format="json"
    )
    assert refund.status_code == 201 and refund.json()[0]["state"] == "succeeded"
    detail = api.get(_api_url(congress, f"orders/{order.code}/")).json()
    assert detail["status"] == "partially_refunded"
    assert {i["kind"] for i in detail["invoices"]} == {"invoice", "credit_note"}


def test_api_refuses_an_over_refund_with_a_clear_400(alice, congress, orders):
    response = _api(alice).post(
        _api_url(congress, f"orders/{orders['paid'].code}/refunds/"),
        {"amount": "451"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "refund_refused"


def test_api_rejects_malformed_input(alice, congress, orders):
    response = _api(alice).post(
        _api_url(congress, f"orders/{orders['pending'].code}/transfers/"),
        {"amount": "lots"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.json() and "received_on" in response.json()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_api_refuses_other_roles_and_outsiders(congress, orders, persona, request):
    api = _api(request.getfixturevalue(persona))
    assert api.get(_api_url(congress, "orders/")).status_code == 403
    assert api.get(_api_url(congress, "invoices/")).status_code == 403
    response = api.post(
        _api_url(congress, f"orders/{orders['paid'].code}/refunds/"), {"amount": "1"}
    )
    assert response.status_code == 403


def test_api_lists_invoices_and_credit_notes(alice, congress, orders):
    response = _api(alice).get(_api_url(congress, "invoices/"))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_api_order_list_query_count_is_flat(alice, congress, orders, django_assert_max_num_queries):
    for _ in range(10):
        make_order(congress)
    with django_assert_max_num_queries(10):
        assert _api(alice).get(_api_url(congress, "orders/")).status_code == 200


def test_asking_for_a_second_invoice_points_to_the_first(client, stripe_off, pending_order):
    order = pending_order
    first = invoice_services.issue_invoice(order=order, send=False)
    url = f"/{order.congress.slug}/payments/{order.code}/{order.secret}/invoice/"
    response = client.get(url, follow=True)
    assert f"Invoice {first.full_number} was already issued" in response.content.decode()
    assert Invoice.objects.filter(order=order).count() == 1
