"""Control characters typed by a registrant: refused where they come in (the public form, the
API, the member CSV import, the admin), and harmless in every export for rows stored before."""

import csv
import io
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from registrations.errors import RegistrationError
from registrations.models import Delegate, MemberOrganisation, Order, Question
from registrations.services.members import import_member_organisations
from registrations.services.orders import place_order

from .conftest import order_kwargs
from .test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db

ESC, VT, FF = "\x1b", "\x0b", "\x0c"
LONG = "Ω" * 10_000


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_the_public_form_refuses_esc_in_a_given_name_and_vt_in_the_contact_name(
    client, congress, regtype
):
    data = form_data(regtype, contact_name=f"Ana{VT}Silva")
    data["delegates-0-given_name"] = f"Ana{ESC}[31m"
    response = client.post(details_url(congress), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "“Your name” contains an invisible control character (U+000B)" in body
    assert "contains an invisible control character (U+001B)" in body
    assert not Order.objects.exists() and not Delegate.objects.exists()


def test_the_public_form_keeps_tab_lf_markup_rtl_cjk_and_long_text(client, congress, regtype):
    data = form_data(regtype, contact_name="عبد الله\tبن محمد")
    data["delegates-0-given_name"] = "山田 <b>健二</b>"
    data["delegates-0-dietary_needs"] = "Line one\r\nLine two"
    response = client.post(details_url(congress), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    delegate = order.delegates.get()
    assert order.contact_name == "عبد الله\tبن محمد"
    assert delegate.given_name == "山田 <b>健二</b>"
    assert delegate.dietary_needs == "Line one\nLine two"


def test_an_answer_to_an_organisers_question_follows_the_rule(client, congress, regtype):
    Question.objects.create(congress=congress, label="Arrival city", kind="text")
    question = Question.objects.get()
    data = form_data(regtype)
    data[f"delegates-0-q_{question.pk}"] = f"Lis{FF}bon"
    response = client.post(details_url(congress), data)
    assert response.status_code == 400
    assert "“Arrival city” contains an invisible control character (U+000C)" in (
        response.content.decode()
    )


def test_the_api_refuses_the_same_names(api, congress, regtype):
    delegate = place_order(**order_kwargs(congress, regtype)).delegates.get()
    url = f"/api/v1/congresses/{congress.slug}/delegates/{delegate.pk}/"
    response = api.patch(url, {"given_name": f"Ana{ESC}", "badge_name": f"A{VT}"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "U+001B" in errors["given_name"][0] and "U+000B" in errors["badge_name"][0]
    delegate.refresh_from_db()
    assert delegate.given_name == "Ana0"


def test_the_member_csv_import_reports_the_row_and_imports_nothing(congress):
    csv_text = f"name,country\nCity of Lisbon,PT\nVille{VT} de Paris,FR\nRoma\x00,IT\n"
    with pytest.raises(RegistrationError) as caught:
        import_member_organisations(congress=congress, csv_text=csv_text)
    message = str(caught.value.message)
    assert "“line 3, column name” contains an invisible control character (U+000B)" in message
    assert "line 4, column name" in message and "U+0000" in message
    assert not MemberOrganisation.objects.exists()


def test_the_member_csv_import_reads_crlf_files_and_every_script(congress):
    csv_text = 'name,country\r\n"Ville de Lyon",FR\r\n東京都,JP\r\n'
    assert import_member_organisations(congress=congress, csv_text=csv_text)["added"] == 2


def test_the_member_csv_import_through_the_api_and_the_admin_refuses_the_row(
    api, client, congress, alice
):
    url = f"/api/v1/congresses/{congress.slug}/member-organisations/import/"
    upload = io.BytesIO(f"name\nVille{ESC} de Paris\n".encode())
    upload.name = "members.csv"
    response = api.post(url, {"file": upload}, format="multipart")
    assert response.status_code == 400 and "U+001B" in response.json()["detail"]
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    upload = io.BytesIO(f"name\nVille{ESC} de Paris\n".encode())
    upload.name = "members.csv"
    response = client.post(
        reverse("admin:registrations_memberorganisation_import"),
        {"congress": congress.pk, "file": upload},
    )
    assert response.status_code == 200 and "U+001B" in response.content.decode()
    assert not MemberOrganisation.objects.exists()


def test_the_admin_refuses_control_characters(client, congress, regtype, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:registrations_question_add")
    response = client.post(
        url,
        {"congress": congress.pk, "label": f"Arrival{ESC}", "kind": "text", "position": 0},
    )
    assert response.status_code == 200
    assert "contains an invisible control character (U+001B)" in response.content.decode()
    assert not Question.objects.exists()


# --- rows stored before the rule: every export still opens ----------------------------------


@pytest.fixture
def hostile(congress, regtype):
    """An order stored directly (bypassing every entry point) with control characters."""
    order = place_order(**order_kwargs(congress, regtype))
    Order.objects.filter(pk=order.pk).update(contact_name=f"Ana{VT}Silva\x1f")
    delegate = order.delegates.get()
    Delegate.objects.filter(pk=delegate.pk).update(
        given_name=f"{ESC}=cmd|' /C calc'!A0",
        family_name=f"Silva{FF}\x7f\x85",
        organisation_name="山田\tCity\nof <b>Lisbon</b>",
        dietary_needs=f"Vegan{VT}",
        city="القاهرة",
    )
    question = Question.objects.create(congress=congress, label=f"Arrival{VT}", kind="text")
    delegate.answers.create(question=question, value=f"Lis{ESC}bon {LONG}")  # a TextField
    return order


def _assert_clean(values):
    for value in values:
        if isinstance(value, str):
            assert not any(c in value for c in (ESC, VT, FF, "\x00", "\x7f", "\x85")), value


def _check_xlsx(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    flat = [v for row in rows for v in row]
    _assert_clean(flat)
    assert "'=cmd|' /C calc'!A0" in flat
    assert "山田\tCity\nof <b>Lisbon</b>" in flat and "القاهرة" in flat and "Vegan" in flat
    assert "Arrival" in flat and f"Lisbon {LONG}" in flat


def _check_csv(content: bytes):
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    flat = [v for row in rows for v in row]
    _assert_clean(flat)
    assert "'=cmd|' /C calc'!A0" in flat
    assert "山田\tCity\nof <b>Lisbon</b>" in flat and f"Lisbon {LONG}" in flat


def test_the_organiser_xlsx_and_csv_exports_open_with_stored_control_characters(
    client, alice, congress, hostile
):
    client.force_login(alice)

    def url(fmt):
        return reverse(
            "registrations:manage_export", kwargs={"congress_slug": congress.slug, "fmt": fmt}
        )

    xlsx = client.get(url("xlsx"))
    assert xlsx.status_code == 200
    _check_xlsx(xlsx.content)
    csv_response = client.get(url("csv"))
    assert csv_response.status_code == 200
    _check_csv(csv_response.content)


def test_the_api_xlsx_and_csv_exports_open_with_stored_control_characters(api, congress, hostile):
    xlsx = api.get(f"/api/v1/congresses/{congress.slug}/delegates/export-xlsx/")
    assert xlsx.status_code == 200
    _check_xlsx(xlsx.content)
    csv_response = api.get(f"/api/v1/congresses/{congress.slug}/delegates/export-csv/")
    assert csv_response.status_code == 200
    _check_csv(csv_response.content)


def test_the_confirmation_pdf_renders_names_with_control_characters(
    client, congress, hostile, tmp_path
):
    from registrations.services.orders import mark_order_paid

    mark_order_paid(order=hostile)
    url = reverse(
        "registrations:order_pdf",
        kwargs={"congress_slug": congress.slug, "code": hostile.code, "secret": hostile.secret},
    )
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "confirmation.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Silva" in text
    assert not any(c in text for c in (ESC, VT, "\x00", "\x7f", "\x85"))


def test_a_member_csv_row_with_more_cells_than_the_header_is_reported_not_a_500(
    api, congress, alice
):
    csv_text = "name,country\nCity of Lisbon,PT\nVille de Paris,FR,extra,cells\n"
    with pytest.raises(RegistrationError) as caught:
        import_member_organisations(congress=congress, csv_text=csv_text)
    assert "Line 3 has more cells than the header row." in str(caught.value.message)
    url = f"/api/v1/congresses/{congress.slug}/member-organisations/import/"
    upload = io.BytesIO(csv_text.encode())
    upload.name = "members.csv"
    response = api.post(url, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "Line 3 has more cells" in response.json()["detail"]
    assert not MemberOrganisation.objects.exists()
