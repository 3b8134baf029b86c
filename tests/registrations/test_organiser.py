"""Organiser side: the HTML list, exports, the API and the admin, with permissions."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from registrations.enums import OrderStatus
from registrations.models import MemberOrganisation, Order, Question, RegistrationType
from registrations.services.orders import NewDelegate, place_order
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory

from .conftest import order_kwargs, person

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"


def seed(congress, rtype, orders=3, per_order=2):
    for n in range(orders):
        place_order(
            **order_kwargs(congress, rtype, per_order, email=f"c{n}@x.example"),
        )


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def manage_url(name="manage_list", **kwargs):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": SLUG, **kwargs})


ORGANISER_URLS = [
    ("get", f"/{SLUG}/manage/registrations/"),
    ("get", f"/{SLUG}/manage/registrations/export.csv"),
    ("get", f"/{SLUG}/manage/registrations/export.xlsx"),
    ("get", f"/api/v1/congresses/{SLUG}/registration-types/"),
    ("post", f"/api/v1/congresses/{SLUG}/registration-types/"),
    ("get", f"/api/v1/congresses/{SLUG}/orders/"),
    ("get", f"/api/v1/congresses/{SLUG}/orders/{{code}}/"),
    ("patch", f"/api/v1/congresses/{SLUG}/orders/{{code}}/"),
    ("post", f"/api/v1/congresses/{SLUG}/orders/{{code}}/approve/"),
    ("post", f"/api/v1/congresses/{SLUG}/orders/{{code}}/cancel/"),
    ("get", f"/api/v1/congresses/{SLUG}/delegates/"),
    ("get", f"/api/v1/congresses/{SLUG}/delegates/{{delegate}}/"),
    ("patch", f"/api/v1/congresses/{SLUG}/delegates/{{delegate}}/"),
    ("post", f"/api/v1/congresses/{SLUG}/delegates/{{delegate}}/cancel/"),
    ("get", f"/api/v1/congresses/{SLUG}/delegates/export-csv/"),
    ("get", f"/api/v1/congresses/{SLUG}/delegates/export-xlsx/"),
    ("get", f"/api/v1/congresses/{SLUG}/registration-figures/"),
    ("get", f"/api/v1/congresses/{SLUG}/member-organisations/"),
    ("post", f"/api/v1/congresses/{SLUG}/member-organisations/import/"),
]


@pytest.mark.parametrize(("method", "url"), ORGANISER_URLS)
def test_unauthorized(client, congress, regtype, charlie, method, url):
    """Walk every organiser URL and endpoint as the outsider: 403 or 404, never data."""
    order = place_order(**order_kwargs(congress, regtype))
    url = url.format(code=order.code, delegate=order.delegates.get().pk)
    client.force_login(charlie)
    response = getattr(client, method)(url, content_type="application/json")
    assert response.status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    ("method", "url"), [entry for entry in ORGANISER_URLS if entry[0] != "get"]
)
def test_readers_cannot_change(client, congress, regtype, method, url):
    finance = UserFactory(username="fin")
    TeamMembershipFactory(congress=congress, user=finance, role="finance")
    order = place_order(**order_kwargs(congress, regtype))
    client.force_login(finance)
    url = url.format(code=order.code, delegate=order.delegates.get().pk)
    assert getattr(client, method)(url, {}, content_type="application/json").status_code == 403


def test_checkin_staff_cannot_see_registrations(client, congress, bob):
    client.force_login(bob)
    assert client.get(manage_url()).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, congress):
    assert client.get(manage_url()).status_code == 302


def test_list_page_searches_filters_and_shows_figures(client, congress, regtype, alice):
    seed(congress, regtype)
    client.force_login(alice)
    response = client.get(manage_url(), {"q": "Silva1", "status": "pending_payment"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert response.context["figures"]["by_status"]["pending_payment"] == 6


def test_list_page_query_count_does_not_grow_with_delegates(
    client, congress, regtype, alice, django_assert_max_num_queries
):
    seed(congress, regtype, orders=2)
    client.force_login(alice)
    with django_assert_max_num_queries(20) as small:
        client.get(manage_url())
    seed(congress, regtype, orders=20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(manage_url())


def test_csv_export_has_one_row_per_delegate_with_answers(client, congress, regtype, alice):
    question = Question.objects.create(congress=congress, label="Diet detail")
    place_order(
        **{
            **order_kwargs(congress, regtype),
            "delegates": [
                NewDelegate(
                    registration_type=regtype,
                    details=person(1, given_name="=HYPERLINK(1)"),
                    answers={question.pk: "vegan"},
                )
            ],
        }
    )
    client.force_login(alice)
    response = client.get(manage_url("manage_export", fmt="csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Diet detail"
    assert rows[1][-1] == "vegan"
    assert "'=HYPERLINK(1)" in rows[1]  # no formulas from delegates' input


def test_xlsx_export_opens(client, congress, regtype, alice):
    seed(congress, regtype, orders=2)
    client.force_login(alice)
    response = client.get(manage_url("manage_export", fmt="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 5
    assert client.get(manage_url("manage_export", fmt="pdf")).status_code == 404


def test_api_lists_delegates_with_search_and_filters(api, congress, regtype):
    seed(congress, regtype)
    other = RegistrationTypeFactory(congress=congress, code="press")
    place_order(**order_kwargs(congress, other))
    base = f"/api/v1/congresses/{SLUG}/delegates/"
    assert api.get(base).json()["count"] == 7
    assert api.get(base, {"type": "press"}).json()["count"] == 1
    assert api.get(base, {"search": "Silva0"}).json()["count"] == 4
    assert api.get(base, {"status": "paid"}).json()["count"] == 1  # the free one


def test_api_delegate_list_query_count_is_constant(
    api, congress, regtype, django_assert_max_num_queries
):
    seed(congress, regtype, orders=2)
    with django_assert_max_num_queries(12) as small:
        api.get(f"/api/v1/congresses/{SLUG}/delegates/")
    seed(congress, regtype, orders=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get(f"/api/v1/congresses/{SLUG}/delegates/")


def test_api_approves_and_cancels_orders(api, congress):
    press = RegistrationTypeFactory(congress=congress, requires_approval=True, regular_price=10)
    order = place_order(**order_kwargs(congress, press))
    base = f"/api/v1/congresses/{SLUG}/orders/{order.code}/"
    assert api.post(base + "approve/").json()["status"] == "pending_payment"
    again = api.post(base + "approve/")
    assert again.status_code == 400
    assert again.json()["code"] == "order_state"
    assert api.post(base + "cancel/", {"reason": "duplicate"}).json()["status"] == "cancelled"


def test_api_edits_a_delegate_and_rejects_bad_input_per_field(api, congress, regtype):
    delegate = place_order(**order_kwargs(congress, regtype)).delegates.get()
    url = f"/api/v1/congresses/{SLUG}/delegates/{delegate.pk}/"
    ok = api.patch(url, {"badge_name": "Dr Ana"}, format="json")
    assert ok.status_code == 200, ok.json()
    bad = api.patch(url, {"email": "nope", "country": "XX"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"email", "country"}
    ignored = api.patch(url, {"price": "0.00"}, format="json")
    assert ignored.status_code == 200
    delegate.refresh_from_db()
    assert delegate.price == Decimal("450.00")


def test_api_creates_registration_types_with_validation(api, congress):
    url = f"/api/v1/congresses/{SLUG}/registration-types/"
    ok = api.post(url, {"code": "ngo", "name": "NGO", "regular_price": "200.00"}, format="json")
    assert ok.status_code == 201, ok.json()
    dup = api.post(url, {"code": "ngo", "name": "NGO 2"}, format="json")
    assert dup.status_code == 400 and "code" in dup.json()
    bad = api.post(url, {"code": "eb", "name": "EB", "early_bird_price": "10.00"}, format="json")
    assert bad.status_code == 400 and "early_bird_until" in bad.json()
    assert RegistrationType.objects.filter(congress=congress).count() == 1


def test_api_figures(api, congress, regtype):
    seed(congress, regtype, orders=1)
    data = api.get(f"/api/v1/congresses/{SLUG}/registration-figures/").json()
    assert data["types"][0]["by_status"]["pending_payment"] == 2


def test_api_imports_the_member_list(api, congress):
    url = f"/api/v1/congresses/{SLUG}/member-organisations/import/"
    response = api.post(url, {"csv": "name\nCity of Lisbon\n"}, format="json")
    assert response.json() == {"added": 1, "updated": 0, "unchanged": 0, "removed": 0}
    upload = io.BytesIO(b"name\nVille de Paris\n")
    upload.name = "members.csv"
    assert api.post(url, {"file": upload}, format="multipart").status_code == 200
    bad = api.post(url, {"csv": "nom\nX\n"}, format="json")
    assert bad.status_code == 400
    assert MemberOrganisation.objects.count() == 2


def test_admin_pages_load_for_an_organiser(client, congress, regtype, alice):
    alice.is_staff = True
    alice.save()
    order = place_order(**order_kwargs(congress, regtype))
    client.force_login(alice)
    for name in (
        "order",
        "delegate",
        "registrationtype",
        "voucher",
        "question",
        "memberorganisation",
        "waitinglistentry",
    ):
        assert client.get(reverse(f"admin:registrations_{name}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:registrations_order_change", args=[order.pk])).status_code == 200
    )
    # The one-step import is the superuser's; organisers import on the member list's page.
    assert client.get(reverse("admin:registrations_memberorganisation_import")).status_code == 403


def test_admin_hides_other_congresses(client, congress, other_congress, regtype, charlie):
    charlie.is_staff = True
    charlie.save()
    order = place_order(**order_kwargs(congress, regtype))
    client.force_login(charlie)
    response = client.get(reverse("admin:registrations_order_changelist"))
    assert order.code not in response.content.decode()


def test_admin_action_approves_through_the_service(client, congress, alice):
    alice.is_staff = True
    alice.save()
    press = RegistrationTypeFactory(congress=congress, requires_approval=True, regular_price=0)
    order = place_order(**order_kwargs(congress, press))
    client.force_login(alice)
    client.post(
        reverse("admin:registrations_order_changelist"),
        {"action": "approve_selected", "_selected_action": [order.pk]},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Order.objects.count() == 1


def test_list_links_order_codes_to_the_order_page_never_to_the_admin(
    client, congress, regtype, alice
):
    seed(congress, regtype, orders=1, per_order=1)
    order = Order.objects.get()
    order_page = reverse(
        "registrations:manage_order", kwargs={"congress_slug": SLUG, "code": order.code}
    )
    client.force_login(alice)
    html = client.get(manage_url()).content.decode()
    assert f'href="{order_page}"' in html
    assert "/admin/" not in html
    for role in ("registration", "finance"):  # everyone who sees registrations
        member = UserFactory()
        TeamMembershipFactory(congress=congress, user=member, role=role)
        client.force_login(member)
        html = client.get(manage_url()).content.decode()
        assert f'href="{order_page}"' in html
