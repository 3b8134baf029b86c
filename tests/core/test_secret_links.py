"""One lookup for every secret link (``events_site.congresses.secret_links``): by the indexed
unique column, anything else the link names compared in constant time, the same 404 for every
way of being wrong, and text that cannot be a secret refused before any query."""

import pytest
from django.urls import reverse

from events_site.congresses.secret_links import find_by_secret, get_by_secret_or_404
from registrations.models import Order
from sessions.models import PersonalAgenda
from tests.factories import DelegateFactory, OrderFactory

pytestmark = pytest.mark.django_db

NOT_SECRETS = ["", "x" * 65, "x" * 10_000, "a\x00b", "<script>", "abc def", "ÄÖÜ", "a\ud800"]


@pytest.fixture
def delegate(congress):
    return DelegateFactory(order=OrderFactory(congress=congress))


def test_the_secret_finds_its_row_and_the_named_parts_must_match(delegate):
    order = delegate.order
    orders = Order.objects.all()
    assert find_by_secret(orders, secret=order.secret) == order
    assert find_by_secret(orders, secret=order.secret, matching={"code": order.code}) == order
    assert find_by_secret(orders, secret=order.secret, matching={"code": "WRONG"}) is None
    assert find_by_secret(orders, secret=order.secret + "x") is None
    assert find_by_secret(orders.exclude(pk=order.pk), secret=order.secret) is None


@pytest.mark.parametrize("text", NOT_SECRETS, ids=range(len(NOT_SECRETS)))
def test_text_that_cannot_be_a_secret_finds_nothing_without_a_query(
    delegate, text, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert find_by_secret(Order.objects.all(), secret=text) is None
        assert find_by_secret(PersonalAgenda.objects.all(), secret=text, field="feed_token") is None


def test_not_found_is_a_404(delegate):
    from django.http import Http404

    with pytest.raises(Http404):
        get_by_secret_or_404(Order.objects.all(), secret="nope")


def _links(order, delegate, *, code, secret, delegate_secret, slug):
    base = {"congress_slug": slug, "code": code, "secret": secret}
    return [
        reverse("registrations:order", kwargs=base),
        reverse("registrations:order_pdf", kwargs=base),
        reverse("registrations:order_cancel", kwargs=base),
        reverse("registrations:delegate_edit", kwargs={**base, "delegate_secret": delegate_secret}),
        reverse(
            "registrations:delegate_cancel", kwargs={**base, "delegate_secret": delegate_secret}
        ),
        reverse("payments:order_payment", kwargs=base),
        reverse("payments:pay_by_invoice", kwargs=base),
        reverse(
            "agenda:personal", kwargs={"congress_slug": slug, "delegate_secret": delegate_secret}
        ),
    ]


def test_the_right_links_open(client, delegate):
    order = delegate.order
    base = {"congress_slug": order.congress.slug, "code": order.code, "secret": order.secret}
    assert client.get(reverse("registrations:order", kwargs=base)).status_code == 200
    assert client.get(reverse("payments:order_payment", kwargs=base)).status_code == 200
    edit = reverse(
        "registrations:delegate_edit", kwargs={**base, "delegate_secret": delegate.secret}
    )
    assert client.get(edit).status_code == 200


IN_URLS = [text for text in NOT_SECRETS[1:] if text != "a\ud800"]  # a URL cannot hold it


@pytest.mark.parametrize("wrong", ["secret", "code", "congress", "delegate", *IN_URLS])
def test_every_secret_link_answers_the_same_404_for_every_way_of_being_wrong(
    client, delegate, other_congress, wrong
):
    order = delegate.order
    other = DelegateFactory(order=OrderFactory(congress=order.congress))
    parts = {
        "code": order.code,
        "secret": order.secret,
        "delegate_secret": delegate.secret,
        "slug": order.congress.slug,
    }
    if wrong == "secret":
        parts["secret"] = other.order.secret  # a real secret, of another order
    elif wrong == "code":
        parts["code"] = other.order.code
    elif wrong == "congress":
        parts["slug"] = other_congress.slug
    elif wrong == "delegate":
        parts["delegate_secret"] = other.secret  # a real delegate, of another order
    else:
        parts["secret"] = parts["delegate_secret"] = wrong
    links = _links(order, delegate, **parts)
    if wrong == "delegate":  # only the links that name the delegate are wrong
        links = [link for link in links if "/delegates/" in link]
    elif wrong in ("secret", "code"):  # the agenda link names the delegate alone
        links = [link for link in links if "/my-agenda/" not in link]
    # A NUL anywhere in a path meets the site-wide clear 400 first (congresses/middleware.py).
    expected = 400 if "\x00" in wrong else 404
    for link in links:
        assert client.get(link).status_code == expected, link
