"""Payment methods per congress (card, bank transfer) and the finance team's payment settings
page: a method switched off is not offered and its URLs refuse it; the page saves billing and
methods together, validates IBAN and BIC, refuses crossing edits, and says how Stripe is set."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from events_site.congresses.models import AuditEntry
from registrations.models import BillingSettings, Invoice, Payment, RegistrationSettings
from registrations.payments.errors import PaymentMethodOff
from registrations.payments.services import invoicing as invoice_services
from registrations.payments.services import payments as payment_services
from registrations.services.setup import update_registration_settings
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db

BILLING = {
    "name": "Câmara Municipal de Lisboa",
    "address": "Praça do Município\nLisboa",
    "country": "PT",
    "is_business": "on",
}


def _order_url(order, rest=""):
    return f"/{order.congress.slug}/payments/{order.code}/{order.secret}/{rest}"


def _settings_url(congress):
    return f"/{congress.slug}/manage/payments/settings/"


def _partial(order) -> str:
    return Template('{% include "registrations/payments/order_payment.html" %}').render(
        Context({"order": order})
    )


def _member(congress, role):
    user = UserFactory(username=f"member-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


# --- the model and the delegate's side ----------------------------------------------------------


def test_both_methods_are_on_by_default(congress):
    reg = RegistrationSettings.for_congress(congress)
    assert reg.accept_card and reg.accept_bank_transfer


def test_switching_both_methods_off_is_refused(congress):
    with pytest.raises(ValidationError) as error:
        update_registration_settings(
            congress=congress, accept_card=False, accept_bank_transfer=False
        )
    assert "accept_bank_transfer" in error.value.message_dict
    assert not RegistrationSettings.objects.exists()


def test_with_card_off_the_page_offers_only_the_invoice(stripe_on, pending_order):
    update_registration_settings(congress=pending_order.congress, accept_card=False)
    html = _partial(pending_order)
    assert "/card/" not in html and "Pay by card" not in html
    assert "/invoice/" in html and "data-card-unavailable" not in html


def test_with_bank_transfer_off_the_page_offers_only_the_card(stripe_on, pending_order):
    update_registration_settings(congress=pending_order.congress, accept_bank_transfer=False)
    html = _partial(pending_order)
    assert "/card/" in html
    assert "/invoice/" not in html and "Get an invoice" not in html


def test_with_bank_transfer_off_and_no_stripe_the_page_says_whom_to_ask(stripe_off, pending_order):
    update_registration_settings(congress=pending_order.congress, accept_bank_transfer=False)
    html = _partial(pending_order)
    assert "/invoice/" not in html
    assert "Please contact the organisers to pay." in html


def test_the_card_url_refuses_when_card_is_off(client, stripe_on, pending_order):
    update_registration_settings(congress=pending_order.congress, accept_card=False)
    response = client.get(_order_url(pending_order, "card/"), follow=True)
    assert "does not take card payments" in response.content.decode()
    assert not Payment.objects.filter(order=pending_order).exists()


def test_the_card_confirm_url_refuses_when_card_was_switched_off_meanwhile(
    client, stripe_on, pending_order
):
    payment = payment_services.start_card_payment(order=pending_order)
    update_registration_settings(congress=pending_order.congress, accept_card=False)
    response = client.post(
        _order_url(pending_order, "card/confirm/"),
        json.dumps({"payment": payment.pk, "token": "tok_visa"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "does not take card payments" in response.json()["error"]


def test_the_card_service_refuses_when_card_is_off(stripe_on, pending_order):
    update_registration_settings(congress=pending_order.congress, accept_card=False)
    with pytest.raises(PaymentMethodOff):
        payment_services.start_card_payment(order=pending_order)


def test_the_invoice_url_refuses_when_bank_transfer_is_off(client, stripe_off, pending_order):
    update_registration_settings(
        congress=pending_order.congress, accept_bank_transfer=False, accept_card=True
    )
    for response in (
        client.get(_order_url(pending_order, "invoice/"), follow=True),
        client.post(_order_url(pending_order, "invoice/"), BILLING, follow=True),
    ):
        assert "does not take bank transfers" in response.content.decode()
    assert not Invoice.objects.exists()


def test_the_invoice_service_refuses_when_bank_transfer_is_off(pending_order):
    update_registration_settings(congress=pending_order.congress, accept_bank_transfer=False)
    with pytest.raises(PaymentMethodOff):
        payment_services.request_invoice_payment(
            order=pending_order, billing={"name": "X", "address": "Y", "country": "PT"}
        )


def test_finance_staff_still_record_a_transfer_with_bank_transfer_off(client, alice, congress):
    import datetime as dt
    from decimal import Decimal

    order = make_order(congress)
    update_registration_settings(congress=congress, accept_bank_transfer=False)
    payment = payment_services.record_bank_transfer(
        order=order, amount=Decimal("450"), received_on=dt.date(2027, 3, 1), by=alice
    )
    assert payment.pk


# --- the payment settings page ------------------------------------------------------------------


def _shown(client, congress) -> dict:
    form = client.get(_settings_url(congress)).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


@pytest.mark.parametrize("role", ["owner", "finance"])
def test_owners_and_finance_open_the_payment_settings(client, congress, role):
    client.force_login(_member(congress, role))
    assert client.get(_settings_url(congress)).status_code == 200


@pytest.mark.parametrize("role", ["registration", "checkin", "programme"])
def test_other_roles_are_refused_the_payment_settings(client, congress, role):
    client.force_login(_member(congress, role))
    assert client.get(_settings_url(congress)).status_code == 403
    assert client.post(_settings_url(congress), {"seller_name": "X"}).status_code == 403
    assert not BillingSettings.objects.exists()


def test_an_organiser_of_another_congress_is_refused(client, congress, charlie):
    client.force_login(charlie)
    assert client.get(_settings_url(congress)).status_code in (403, 404)


def test_the_page_names_the_stripe_environment_and_says_card_is_configured(
    client, alice, congress, stripe_on
):
    client.force_login(alice)
    page = client.get(_settings_url(congress)).content.decode()
    for variable in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert variable in page
    assert 'data-card-configured="yes"' in page
    assert "sk_test_convene" not in page  # the key itself is never shown


def test_the_page_says_when_card_is_not_configured(client, alice, congress, stripe_off):
    client.force_login(alice)
    page = client.get(_settings_url(congress)).content.decode()
    assert 'data-card-configured="no"' in page
    assert "Card payment is not configured on this server" in page


def test_a_save_stores_billing_and_methods_and_audits_both(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    data.update(
        seller_name="WACL",
        seller_country="ES",
        iban="es91 2100 0418 4502 0005 1332",
        bic="caix es bb xxx",
        tax_label="IVA",
        tax_rate="21",
        payment_terms_days="14",
    )
    data.pop("accept_card")
    response = client.post(_settings_url(congress), data)
    assert response.status_code == 302, response.context["form"].errors
    billing = BillingSettings.objects.get(congress=congress)
    assert (billing.iban, billing.bic) == ("ES9121000418450200051332", "CAIXESBBXXX")
    methods = RegistrationSettings.objects.get(congress=congress)
    assert (methods.accept_card, methods.accept_bank_transfer) == (False, True)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"convene.billing.settings_updated", "convene.registration_settings.created"} <= actions


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("iban", "ES91 2100 0418 4502 0005 1333"),  # one digit off: the checksum fails
        ("iban", "XX00 1234"),
        ("iban", "DE89<script>"),
        ("bic", "CAIXESB"),
        ("bic", "12345678"),
        ("seller_name", ""),
        ("seller_name", "x" * 10_000),
        ("seller_name", "WACL\x1b[31m"),
        ("footer", "y" * 10_000),
        ("tax_rate", "150"),
        ("payment_terms_days", "-1"),
        ("accept_card", None),  # with bank transfer off too: no way to pay
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_saved(
    client, alice, congress, field, value
):
    client.force_login(alice)
    data = _shown(client, congress)
    if value is None:
        data.pop("accept_card")
        data.pop("accept_bank_transfer")
        field = "accept_bank_transfer"
    else:
        data[field] = value
    response = client.post(_settings_url(congress), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert "<script>" not in response.content.decode()
    assert not BillingSettings.objects.exists()
    assert not RegistrationSettings.objects.exists()


def test_hostile_text_is_kept_and_escaped(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    name = "<img src=x onerror=alert(1)> جمعية 协会"
    data.update(seller_name=name, footer="‮evil‬ footer")
    assert client.post(_settings_url(congress), data).status_code == 302
    assert BillingSettings.objects.get(congress=congress).seller_name == name
    page = client.get(_settings_url(congress)).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_later_of_two_billing_edits_is_refused(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    invoice_services.update_billing_settings(congress=congress, seller_name="Someone else")
    data["seller_name"] = "Mine"
    response = client.post(_settings_url(congress), data)
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    assert BillingSettings.objects.get(congress=congress).seller_name == "Someone else"
    assert not RegistrationSettings.objects.exists()


def test_a_method_switched_meanwhile_refuses_the_whole_save(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    update_registration_settings(congress=congress, accept_card=False)
    data["seller_name"] = "Mine"
    response = client.post(_settings_url(congress), data)
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    assert not BillingSettings.objects.exists()  # the billing half was rolled back
    assert RegistrationSettings.objects.get(congress=congress).accept_card is False


def test_the_finance_nav_links_to_the_payment_settings(client, congress):
    client.force_login(_member(congress, "finance"))
    page = client.get(f"/{congress.slug}/manage/").content.decode()
    assert _settings_url(congress) in page
