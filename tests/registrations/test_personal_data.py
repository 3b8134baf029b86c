"""The delegate's personal-data export: what it holds, what it never holds, and its link."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.services.orders import update_delegate
from registrations.services.personal_data import FORMAT, personal_data
from tests.factories import DelegateFactory, OrderFactory
from tests.registrations.personal_data_setup import two_delegate_order

pytestmark = pytest.mark.django_db


def _export_url(delegate):
    return reverse(
        "registrations:my_data_export",
        kwargs={"congress_slug": delegate.order.congress.slug, "delegate_secret": delegate.secret},
    )


def _download(delegate):
    response = Client().get(_export_url(delegate))
    assert response.status_code == 200
    return response, json.loads(response.content.decode("utf-8"))


def test_export_holds_the_person_answers_order_payments_invoices_agenda_and_badge(congress):
    order, ana, bea, invoice = two_delegate_order(congress)
    response, data = _download(ana)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert data["format"] == FORMAT
    assert data["person"]["given_name"] == "Ana"
    assert data["person"]["dietary_needs"] == "vegan"
    assert data["person"]["accessibility_needs"] == "wheelchair"
    assert {a["question"]: a["value"] for a in data["answers"]} == {
        "Passport number": "P-ANA-123",
        "T-shirt size": "M",
    }
    assert data["order"]["code"] == order.code
    assert data["order"]["your_line"]["price"] == "450.00"
    assert data["order"]["you_placed_it"] is True
    assert data["order"]["billing_details"]["address"] == "Rua 1\nLisboa"
    assert data["payments"][0]["amount"] == "900.00"
    assert data["invoices"][0]["number"] == invoice.full_number
    assert data["invoices"][0]["gross"] == "900.00"
    assert data["sections"]["agenda"]["personal_agenda"]["sessions"] == []
    assert data["sections"]["badge"]["badge"]["print_count"] == 0
    assert data["consents"] == {"listed_in_delegate_list": False}


def test_export_of_one_delegate_holds_nothing_of_the_other_delegate_of_the_order(congress):
    order, ana, bea, _invoice = two_delegate_order(congress)
    update_delegate(delegate=bea, changes={"city": "Porto"}, actor_label="delegate")
    _response, data = _download(ana)
    text = json.dumps(data)
    for value in (
        "Bea",
        "Costa",
        "bea@city.example",
        "halal",
        "hearing loop",
        "P-BEA-456",
        "Porto",
    ):
        assert value not in text
    assert bea.secret not in text and ana.secret not in text and order.secret not in text


def test_a_delegate_who_did_not_place_the_order_sees_neither_contact_nor_billing(congress):
    _order, ana, bea, _invoice = two_delegate_order(congress)
    _response, data = _download(bea)
    assert data["order"]["you_placed_it"] is False
    assert "contact" not in data["order"] and "billing_details" not in data["order"]
    text = json.dumps(data)
    assert "Ana" not in text and "Rua 1" not in text and "P-ANA-123" not in text


def test_audit_entries_about_the_delegate_are_exported_without_organiser_accounts(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    update_delegate(delegate=ana, changes={"city": "Braga"}, by=alice)
    _response, data = _download(ana)
    updated = [entry for entry in data["audit"] if entry["action"] == "convene.delegate.updated"]
    assert updated[0]["by"] == "organiser"
    assert updated[0]["data"]["changed"]["city"][1] == "Braga"
    assert "alice" not in json.dumps(data)


def test_the_download_is_audited(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    _download(ana)
    entry = AuditEntry.objects.get(action="convene.personal_data.exported")
    assert entry.target_id == str(ana.pk) and entry.actor_label == "delegate"


HOSTILE = [
    "\x00nul",
    "bell\x07 and escape \x1b[31m",
    "<script>alert(1)</script>&amp;\"'",
    "مرحبا \u202eRTL override\u202c שלום",
    "x" * 10_000,
    "line\u2028separator",
    "😀 emoji and \ud7ff",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_the_data_is_exported_as_valid_json(congress, value):
    from django.db import connection

    if "\x00" in value and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL stores no NUL in text, so none can be exported (SQLite can)")
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    type(ana).objects.filter(pk=ana.pk).update(accessibility_needs=value[:300], city=value[:120])
    ana.answers.filter(question__label="T-shirt size").update(value=value)
    response = Client().get(_export_url(ana))
    raw = response.content.decode("utf-8")  # valid UTF-8
    assert "\x00" not in raw and "\x07" not in raw and "\x1b" not in raw  # escaped
    data = json.loads(raw)
    assert data["person"]["accessibility_needs"] == value[:300]
    assert {a["question"]: a["value"] for a in data["answers"]}["T-shirt size"] == value


def test_keys_are_stable_and_sorted(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    first = Client().get(_export_url(ana)).content.decode()
    keys = list(json.loads(first))
    assert keys == sorted(keys)
    assert keys == [
        "answers",
        "audit",
        "congress",
        "consents",
        "emails",
        "erasure_requests",
        "format",
        "generated_at",
        "invoices",
        "order",
        "payments",
        "person",
        "refunds",
        "sections",
    ]


@pytest.mark.parametrize(
    "secret", ["wrong-secret", "", "x" * 65, "bad\x00secret", "<script>", "ü" * 10]
)
def test_wrong_secrets_are_refused_with_404(congress, secret):
    two_delegate_order(congress)
    base = f"/{congress.slug}/my-data/{secret}/"
    # A NUL is refused before routing (400); every other wrong secret is a plain 404.
    expected = {400} if "\x00" in secret else {404}
    for url in (base, f"{base}export.json", f"{base}erase/"):
        assert Client().get(url).status_code in expected


def test_a_secret_of_another_congress_is_404(congress, other_congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    url = f"/{other_congress.slug}/my-data/{ana.secret}/export.json"
    assert Client().get(url).status_code == 404


def test_the_old_link_of_an_erased_delegate_is_404(congress):
    from registrations.services.personal_data import erase_delegate

    _order, ana, _bea, _invoice = two_delegate_order(congress)
    old = _export_url(ana)
    erase_delegate(delegate=ana)
    assert Client().get(old).status_code == 404


def test_guessing_secrets_is_rate_limited(congress, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "secret_lookup": "5/h"}
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    client = Client()
    statuses = [
        client.get(f"/{congress.slug}/my-data/guess{n}/export.json").status_code for n in range(8)
    ]
    assert statuses[:5] == [404] * 5
    assert set(statuses[5:]) == {429}
    assert client.get(_export_url(ana)).status_code == 429  # even the right one, from there


def test_the_order_page_links_each_delegate_to_their_personal_data(congress):
    order, ana, bea, _invoice = two_delegate_order(congress)
    page = Client().get(order.get_absolute_url()).content.decode()
    for delegate in (ana, bea):
        assert f"/{congress.slug}/my-data/{delegate.secret}/" in page


def test_the_page_offers_download_and_erasure(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    page = Client().get(f"/{congress.slug}/my-data/{ana.secret}/")
    assert page.status_code == 200
    assert _export_url(ana) in page.content.decode()
    assert "noindex" in page.content.decode()


def test_export_queries_do_not_grow_with_orders_payments_and_answers(
    congress, django_assert_max_num_queries
):
    from decimal import Decimal

    from django.utils import timezone

    from registrations.models import Answer, Payment, Question
    from registrations.payments.enums import PaymentProvider, PaymentState

    _order, ana, _bea, _invoice = two_delegate_order(congress)
    for _n in range(50):
        DelegateFactory(order=OrderFactory(congress=congress), email=ana.email)
    for n in range(20):
        question = Question.objects.create(congress=congress, label=f"Q{n}")
        Answer.objects.create(delegate=ana, question=question, value=f"A{n}")
        Payment.objects.create(
            order=ana.order,
            provider=PaymentProvider.BANK_TRANSFER,
            amount=Decimal("1.00"),
            currency="EUR",
            state=PaymentState.SUCCEEDED,
            succeeded_at=timezone.now(),
        )
        update_delegate(delegate=ana, changes={"city": f"City {n}"}, actor_label="delegate")
    with django_assert_max_num_queries(16):  # 15, and one for the e-mail log
        data = personal_data(delegate=ana)
    assert len(data["answers"]) == 22 and len(data["payments"]) == 21
    assert len([e for e in data["audit"] if e["action"] == "convene.delegate.updated"]) == 20


# --- organisers' export ----------------------------------------------------------------------


def _organiser_export(congress, delegate):
    return reverse(
        "registrations:manage_personal_data_export",
        kwargs={"congress_slug": congress.slug, "delegate_id": delegate.pk},
    )


def test_an_organiser_downloads_a_delegates_export_after_recent_sign_in(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    client = Client()
    client.force_login(alice)
    response = client.get(_organiser_export(congress, ana))
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["given_name"] == "Ana"
    entry = AuditEntry.objects.get(action="convene.personal_data.exported")
    assert entry.actor == alice


def test_an_organiser_export_asks_for_the_password_again_when_the_sign_in_is_old(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    client = Client()
    client.force_login(alice)
    session = client.session
    del session["convene_reauth_at"]
    session.save()
    response = client.get(_organiser_export(congress, ana))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="convene.personal_data.exported").exists()
