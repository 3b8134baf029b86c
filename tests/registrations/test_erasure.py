"""Erasure: what the law requires stays (invoices, payments, money, seats), the person goes."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from badges import printing
from badges.models import Badge, RevokedBadgeSecret
from badges.selectors import badges_for_printing
from events_site.congresses.errors import DomainError
from events_site.congresses.models import AuditEntry
from registrations.capacity import count_taken
from registrations.enums import ErasureRequestStatus, OrderStatus
from registrations.models import (
    Answer,
    BillingDetails,
    Delegate,
    ErasureRequest,
    Invoice,
    Order,
    Payment,
)
from registrations.services.orders import update_delegate
from registrations.services.personal_data import (
    ERASED_EMAIL_DOMAIN,
    PersonalDataError,
    erase_delegate,
    request_erasure,
)
from sessions.models import PersonalAgenda
from tests.factories import TeamMembershipFactory, UserFactory
from tests.registrations.personal_data_setup import two_delegate_order

pytestmark = pytest.mark.django_db


def _money_and_invoices(order):
    return (
        Order.objects.values("status", "total", "paid_at", "code").get(pk=order.pk),
        list(Payment.objects.filter(order=order).values("amount", "state", "succeeded_at")),
        list(Invoice.objects.filter(order=order).values()),
        list(Delegate.objects.filter(order=order).values("price", "is_cancelled")),
    )


def test_erasure_keeps_invoices_payments_and_money_and_removes_the_rest(congress):
    order, ana, bea, invoice = two_delegate_order(congress)
    update_delegate(delegate=ana, changes={"title": "Mayor"}, actor_label="delegate")
    before = _money_and_invoices(order)
    taken = count_taken(congress_id=congress.pk)
    old_secret, old_order_secret = ana.secret, order.secret
    old_badge = Badge.objects.get(delegate=ana).secret

    result = erase_delegate(delegate=ana)

    assert _money_and_invoices(order) == before  # amounts, numbers, issued buyer unchanged
    assert Invoice.objects.get(pk=invoice.pk).buyer["name"] == "Ana Silva"  # as issued
    assert count_taken(congress_id=congress.pk) == taken
    ana.refresh_from_db()
    assert ana.given_name == "Erased delegate" and len(ana.family_name) == 6
    assert ana.printed_name == f"Erased delegate {ana.family_name}"
    assert ana.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")
    assert (ana.dietary_needs, ana.accessibility_needs, ana.title) == ("", "", "")
    assert ana.erased_at is not None and ana.secret != old_secret
    assert not Answer.objects.filter(delegate=ana).exists()
    assert not PersonalAgenda.objects.filter(delegate=ana).exists()
    assert Badge.objects.get(delegate=ana).secret != old_badge
    assert RevokedBadgeSecret.objects.filter(secret=old_badge).exists()
    # Ana placed the order: the contact goes too, and the order's link changes.
    order.refresh_from_db()
    assert order.contact_name.startswith("Erased contact") and order.secret != old_order_secret
    assert order.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")
    billing = BillingDetails.objects.get(order=order)
    assert billing.address == "" and billing.name.startswith("Erased contact")
    # The other delegate keeps everything.
    bea.refresh_from_db()
    assert (bea.given_name, bea.dietary_needs) == ("Bea", "halal")
    assert Answer.objects.filter(delegate=bea).count() == 1
    assert result.counts["answers"] == 2 and result.counts["personal_agendas"] == 1


def test_erasure_is_audited_with_counts_and_not_the_values(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    erase_delegate(delegate=ana, by=alice)
    entry = AuditEntry.objects.get(action="convene.personal_data.erased")
    assert entry.actor == alice
    assert entry.data["counts"]["answers"] == 2
    text = str(entry.data)
    assert "Ana" not in text and "vegan" not in text and "P-ANA" not in text


def test_values_copied_into_the_audit_log_are_redacted(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    update_delegate(delegate=ana, changes={"city": "Braga"}, actor_label="delegate")
    erase_delegate(delegate=ana)
    entry = AuditEntry.objects.get(action="convene.delegate.updated", target_id=str(ana.pk))
    assert entry.data == {"changed": {"city": ["[erased]", "[erased]"]}}


def test_erasure_is_idempotent(congress):
    order, ana, _bea, _invoice = two_delegate_order(congress)
    first = erase_delegate(delegate=ana)
    ana.refresh_from_db()
    snapshot = Delegate.objects.filter(pk=ana.pk).values().get()
    order_snapshot = Order.objects.filter(pk=order.pk).values().get()
    second = erase_delegate(delegate=ana)
    assert not first.already_erased and second.already_erased and second.counts == {}
    assert Delegate.objects.filter(pk=ana.pk).values().get() == snapshot
    assert Order.objects.filter(pk=order.pk).values().get() == order_snapshot
    assert AuditEntry.objects.filter(action="convene.personal_data.erased").count() == 1


def test_a_delegate_who_did_not_place_the_order_leaves_the_contact_alone(congress):
    order, ana, bea, _invoice = two_delegate_order(congress)
    erase_delegate(delegate=bea)
    order.refresh_from_db()
    assert order.contact_name == "Ana Contact" and order.email == "ana@city.example"
    assert BillingDetails.objects.get(order=order).address == "Rua 1\nLisboa"
    ana.refresh_from_db()
    assert ana.given_name == "Ana"


def test_a_business_buyers_billing_details_stay(congress):
    order, ana, _bea, _invoice = two_delegate_order(congress)
    BillingDetails.objects.filter(order=order).update(is_business=True, name="City of Lisbon")
    erase_delegate(delegate=ana)
    billing = BillingDetails.objects.get(order=order)
    assert (billing.name, billing.address) == ("City of Lisbon", "Rua 1\nLisboa")


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT])
def test_cancelled_and_unpaid_orders_keep_their_status_and_seats(congress, status):
    order, ana, _bea, _invoice = two_delegate_order(congress)
    Order.objects.filter(pk=order.pk).update(status=status, hold_expires_at=timezone.now())
    taken = count_taken(congress_id=congress.pk)
    erase_delegate(delegate=ana)
    order.refresh_from_db()
    assert order.status == status and order.total == Decimal("900.00")
    assert count_taken(congress_id=congress.pk) == taken


def test_an_erased_delegates_badge_is_not_printed_again(congress, alice):
    _order, ana, bea, _invoice = two_delegate_order(congress)
    erase_delegate(delegate=ana)
    printable = set(badges_for_printing(congress).values_list("delegate_id", flat=True))
    assert printable == {bea.pk}
    with pytest.raises(DomainError):
        printing.print_at_desk(badge=Badge.objects.get(delegate=ana), by=alice)


def test_the_delegate_asks_once_and_the_deadline_is_one_month(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    first = request_erasure(delegate=ana)
    again = request_erasure(delegate=ana)
    assert first.pk == again.pk
    assert 29 <= (first.due_at - first.requested_at).days <= 30
    erase_delegate(delegate=ana)
    first.refresh_from_db()
    assert first.status == ErasureRequestStatus.DONE
    ana.refresh_from_db()
    with pytest.raises(PersonalDataError):
        request_erasure(delegate=ana)


# --- the delegate's page ---------------------------------------------------------------------


def _erase_url(delegate):
    return f"/{delegate.order.congress.slug}/my-data/{delegate.secret}/erase/"


def test_the_delegate_asks_for_erasure_with_a_confirm_step(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    client = Client()
    assert client.get(_erase_url(ana)).status_code == 200
    refused = client.post(_erase_url(ana), {})
    assert refused.status_code == 400 and not ErasureRequest.objects.exists()
    response = client.post(_erase_url(ana), {"confirm": "on"})
    assert response.status_code == 302
    request = ErasureRequest.objects.get()
    assert request.delegate == ana and request.status == ErasureRequestStatus.OPEN
    ana.refresh_from_db()
    assert ana.given_name == "Ana"  # nothing erased until an organiser carries it out
    assert AuditEntry.objects.filter(action="convene.personal_data.erasure_requested").exists()


def test_asking_is_not_possible_with_a_get(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    Client().get(_erase_url(ana) + "?confirm=on")
    assert not ErasureRequest.objects.exists()


# --- the organisers' page --------------------------------------------------------------------


def _manage(congress):
    return reverse("registrations:manage_personal_data", kwargs={"congress_slug": congress.slug})


def _manage_erase(congress, delegate):
    return reverse(
        "registrations:manage_erase",
        kwargs={"congress_slug": congress.slug, "delegate_id": delegate.pk},
    )


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_organiser_page_lists_requests_with_their_deadline(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    request = request_erasure(delegate=ana)
    page = _signed_in(alice).get(_manage(congress))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Silva" in html and _manage_erase(congress, ana) in html
    assert str(request.due_at.astimezone(congress.tz).year) in html


def test_an_organiser_carries_out_a_request(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    request_erasure(delegate=ana)
    client = _signed_in(alice)
    assert client.get(_manage_erase(congress, ana)).status_code == 200
    assert client.post(_manage_erase(congress, ana), {}).status_code == 400
    response = client.post(_manage_erase(congress, ana), {"confirm": "on"})
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.erased_at is not None
    request = ErasureRequest.objects.get()
    assert request.status == ErasureRequestStatus.DONE and request.done_by == alice


def test_a_registration_manager_may_erase_directly(congress):
    manager = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    _order, _ana, bea, _invoice = two_delegate_order(congress)
    client = _signed_in(manager)
    found = client.get(_manage(congress), {"q": "Costa"}).content.decode()
    assert _manage_erase(congress, bea) in found
    assert client.post(_manage_erase(congress, bea), {"confirm": "on"}).status_code == 302
    bea.refresh_from_db()
    assert bea.erased_at is not None


def test_erasing_asks_for_the_password_again_when_the_sign_in_is_old(congress, alice):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    client = _signed_in(alice)
    session = client.session
    del session["convene_reauth_at"]
    session.save()
    response = client.post(_manage_erase(congress, ana), {"confirm": "on"})
    assert response.status_code == 302 and "reauth" in response["Location"]
    ana.refresh_from_db()
    assert ana.erased_at is None


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_narrower_roles_and_outsiders_get_403(congress, who, request):
    user = request.getfixturevalue(who)
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    client = _signed_in(user)
    assert client.get(_manage(congress)).status_code == 403
    assert client.post(_manage_erase(congress, ana), {"confirm": "on"}).status_code == 403
    url = reverse(
        "registrations:manage_personal_data_export",
        kwargs={"congress_slug": congress.slug, "delegate_id": ana.pk},
    )
    assert client.get(url).status_code == 403
    ana.refresh_from_db()
    assert ana.erased_at is None


def test_another_congresss_delegate_is_404_for_its_organiser(congress, other_congress, charlie):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    request_erasure(delegate=ana)
    client = _signed_in(charlie)
    assert client.get(_manage_erase(other_congress, ana)).status_code == 404
    assert client.post(_manage_erase(other_congress, ana), {"confirm": "on"}).status_code == 404
    url = reverse(
        "registrations:manage_personal_data_export",
        kwargs={"congress_slug": other_congress.slug, "delegate_id": ana.pk},
    )
    assert client.get(url).status_code == 404
    assert "Silva" not in client.get(_manage(other_congress)).content.decode()
    ana.refresh_from_db()
    assert ana.erased_at is None


def test_anonymous_visitors_are_sent_to_sign_in(congress):
    assert Client().get(_manage(congress)).status_code == 302


def test_the_page_of_an_erased_delegate_says_so_and_offers_no_second_request(congress):
    _order, ana, _bea, _invoice = two_delegate_order(congress)
    erase_delegate(delegate=ana)
    ana.refresh_from_db()
    page = Client().get(f"/{congress.slug}/my-data/{ana.secret}/").content.decode()
    assert "already erased" in page and "erase-link" not in page
    response = Client().post(_erase_url(ana), {"confirm": "on"})
    assert response.status_code == 400 and not ErasureRequest.objects.exists()


def test_erasing_a_delegate_clears_the_organisers_notes_that_name_them(congress):
    from registrations.models import OrderNote
    from registrations.services.personal_data import ERASED_TEXT

    order, ana, bea = two_delegate_order(congress)[:3]
    about_bea = OrderNote.objects.create(order=order, text="Bea COSTA asked for a quiet room")
    other = OrderNote.objects.create(order=order, text="Invoice sent to the city's office")
    Order.objects.filter(pk=order.pk).update(decision_reason="Press card checked")
    result = erase_delegate(delegate=bea)
    assert result.counts["order_notes"] == 1
    about_bea.refresh_from_db()
    other.refresh_from_db()
    assert (about_bea.text, other.text) == (ERASED_TEXT, "Invoice sent to the city's office")
    assert Order.objects.get(pk=order.pk).decision_reason == "Press card checked"


def test_erasing_the_orders_contact_clears_every_note_and_the_decision_reason(congress):
    from registrations.models import OrderNote
    from registrations.services.personal_data import ERASED_TEXT

    order, ana, bea = two_delegate_order(congress)[:3]
    OrderNote.objects.create(order=order, text="Called Ana on her mobile +351 912 345 678")
    Order.objects.filter(pk=order.pk).update(decision_reason="Ana Silva is not on the list")
    erase_delegate(delegate=ana)
    assert set(OrderNote.objects.filter(order=order).values_list("text", flat=True)) == {
        ERASED_TEXT
    }
    assert Order.objects.get(pk=order.pk).decision_reason == ERASED_TEXT
