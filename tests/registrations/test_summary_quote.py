"""A quote asked for from the registration form itself: the summary step lets a public body
choose "get a quote first" instead of paying now; once the order is placed the quote page asks
for the billing details and issues the quote through ``quotes.create_quote``."""

import pytest
from django.urls import reverse

from registrations.enums import AfterPlacing, OrderStatus
from registrations.models import Order, Quote, RegistrationSettings
from tests.factories import RegistrationTypeFactory
from tests.payments.test_quote_pages import BILLING_FORM, billing_settings  # noqa: F401

from .test_summary_step import details_url, review_data

pytestmark = pytest.mark.django_db


def _quote_url(order):
    return reverse(
        "payments:request_quote",
        kwargs={"congress_slug": order.congress.slug, "code": order.code, "secret": order.secret},
    )


def test_the_summary_offers_a_quote_for_an_order_to_pay(client, congress, regtype):
    html = client.post(details_url(congress), review_data(regtype, 1, step="review")).content
    html = html.decode()
    assert 'id="after-placing"' in html
    assert 'value="quote"' in html and 'value="pay"' in html
    assert 'name="after" value="pay" id="id_after_0" checked' in html  # paying now by default


def test_no_quote_is_offered_for_a_free_order_or_without_bank_transfer(client, congress, regtype):
    free = RegistrationTypeFactory(congress=congress, code="guest", regular_price=0)
    html = client.post(details_url(congress), review_data(free, 1, step="review")).content
    assert b'id="after-placing"' not in html
    RegistrationSettings.objects.create(congress=congress, accept_bank_transfer=False)
    html = client.post(details_url(congress), review_data(regtype, 1, step="review")).content
    assert b'id="after-placing"' not in html


def test_choosing_a_quote_leads_to_the_quote_page_and_the_quote_service(
    client,
    congress,
    regtype,
    billing_settings,  # noqa: F811
):
    data = review_data(regtype, 1, step="confirm", consent="yes", after=AfterPlacing.QUOTE)
    response = client.post(details_url(congress), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == _quote_url(order)
    assert order.status == OrderStatus.PENDING_PAYMENT and not Quote.objects.exists()
    assert client.get(response["Location"]).status_code == 200
    issued = client.post(response["Location"], BILLING_FORM)
    assert issued.status_code == 302
    quote = Quote.objects.get(order=order)
    assert quote.requested_by_buyer and quote.gross == order.total
    assert quote.buyer["name"] == BILLING_FORM["name"]


def test_paying_now_or_no_choice_leads_to_the_order_page(client, congress, regtype):
    data = review_data(regtype, 1, step="confirm", consent="yes", after=AfterPlacing.PAY)
    response = client.post(details_url(congress), data)
    assert response["Location"] == Order.objects.get().get_absolute_url()
    other = review_data(regtype, 1, step="confirm", consent="yes", token="tok-2")
    response = client.post(details_url(congress), other)
    assert response["Location"] == Order.objects.get(idempotency_key="tok-2").get_absolute_url()


def test_a_free_order_asking_for_a_quote_goes_to_its_order_page(client, congress):
    free = RegistrationTypeFactory(congress=congress, code="guest", regular_price=0)
    data = review_data(free, 1, step="confirm", consent="yes", after=AfterPlacing.QUOTE)
    response = client.post(details_url(congress), data)
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert response["Location"] == order.get_absolute_url()


@pytest.mark.parametrize(
    "bad",
    ["invoice", "quote\x00", "a\x07b", "<script>alert(1)</script>", "q" * 10_000, "見積もり"],
    ids=["unknown", "nul", "control", "markup", "10kB", "script"],
)
def test_a_bad_choice_is_refused_on_the_summary_and_places_nothing(client, congress, regtype, bad):
    data = review_data(regtype, 1, step="confirm", consent="yes", after=bad)
    response = client.post(details_url(congress), data)
    assert response.status_code == 400
    assert not Order.objects.exists()
    html = response.content.decode()
    if "\x00" in bad:  # refused for the whole request before the view (a NUL in the body)
        assert "NUL character" in html
        return
    assert 'id="after-error"' in html and "<script>alert" not in html
    # the summary again, with what was typed and the consent to give again
    assert 'name="consent"' in html and 'value="Given0"' in html
