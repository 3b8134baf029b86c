"""The summary step (#17): every delegate, the total with its tax and the terms, and explicit
consent before an order is placed; a delegation's members need no address of their own."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from registrations.enums import OrderStatus
from registrations.models import BillingSettings, Delegate, Order, RegistrationSettings
from tests.factories import RegistrationTypeFactory

from .test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db


def review_data(regtype, count=2, **extra):
    data = form_data(regtype, count)
    data.pop("step"), data.pop("consent")
    return data | extra


def test_a_valid_form_shows_the_summary_and_places_nothing(client, congress, regtype):
    BillingSettings.objects.create(congress=congress, tax_rate=Decimal("21.00"), tax_label="VAT")
    response = client.post(details_url(congress), review_data(regtype, 2, step="review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert Order.objects.count() == 0
    assert "Given0 Family0" in html and "Given1 Family1" in html
    assert "€900.00" in html  # two delegates at 450
    assert "€156.20" in html  # the VAT inside 900 at 21 %
    assert 'name="consent"' in html and 'value="tok-1"' in html  # same order token goes along
    assert "Cancellation" in html and "Privacy" in html


def test_confirming_without_consent_is_refused_with_a_message_and_places_nothing(
    client, congress, regtype
):
    response = client.post(details_url(congress), review_data(regtype, 1, step="confirm"))
    assert response.status_code == 400
    assert 'id="consent-error"' in response.content.decode()
    assert Order.objects.count() == 0


def test_confirming_with_consent_places_the_order_once(client, congress, regtype):
    data = review_data(regtype, 1, step="confirm", consent="yes")
    first = client.post(details_url(congress), data)
    second = client.post(details_url(congress), data)  # the same summary sent twice
    assert first.status_code == second.status_code == 302
    assert Order.objects.count() == 1


def test_change_goes_back_to_the_form_with_what_was_typed(client, congress, regtype):
    response = client.post(details_url(congress), review_data(regtype, 1, step="edit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="registration-form"' in html and 'value="Given0"' in html
    assert Order.objects.count() == 0


def test_a_bad_voucher_is_refused_at_the_summary_and_counts_as_a_guess(
    client, congress, regtype, settings
):
    cache.clear()
    response = client.post(details_url(congress), review_data(regtype, 1, voucher="NOPE"))
    assert response.status_code == 400
    assert "voucher" in response.content.decode().lower()
    assert 'id="summary"' not in response.content.decode()
    assert Order.objects.count() == 0


def test_a_type_needing_approval_says_so_and_why_before_confirming(client, congress):
    rtype = RegistrationTypeFactory(
        congress=congress,
        code="partner",
        name="Partner",
        regular_price=Decimal("100.00"),
        requires_approval=True,
    )
    RegistrationSettings.objects.create(congress=congress, approval_payment_days=5)
    html = client.post(details_url(congress), review_data(rtype, 1)).content.decode()
    assert 'id="summary-approval"' in html and "Registration type needs approval." in html
    assert "5 days to pay" in html
    placed = client.post(details_url(congress), form_data(rtype, 1, token="tok-2"))
    order = Order.objects.get()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    page = client.get(placed["Location"]).content.decode()
    assert 'id="approval-next"' in page and "Registration type needs approval." in page
    assert "5 days to pay" in page


def test_markup_typed_into_a_name_is_shown_as_text_on_the_summary(client, congress, regtype):
    data = review_data(regtype, 1, **{"delegates-0-given_name": "<b>Ana</b>"})
    html = client.post(details_url(congress), data).content.decode()
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html and "<b>Ana</b>" not in html


def test_a_delegate_without_an_address_gets_the_contacts(client, congress, regtype):
    data = form_data(regtype, 2, **{"delegates-1-email": ""})
    assert client.post(details_url(congress), data).status_code == 302
    emails = dict(Delegate.objects.values_list("given_name", "email"))
    assert emails == {"Given0": "d0@city.example", "Given1": "ana@city.example"}


def test_required_fields_are_marked_before_submitting(client, congress, regtype):
    page = client.get(details_url(congress), {"registration_type": "member", "delegates": 1})
    html = page.content.decode()
    assert 'class="required" for="id_contact_name"' in html or (
        'for="id_contact_name" class="required"' in html
    )
    assert 'for="id_delegates-0-email" class="required"' not in html
    assert "Fields marked * are required." in html
