"""Finance marks a flagged order as reviewed from its payments page: the flag and its reasons
are cleared, the audit keeps them with what was done; a reason added since the page was read,
an order awaiting approval, another congress's order and other roles are refused."""

from __future__ import annotations

import re

import pytest

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from registrations.models import Order
from registrations.payments.services import balances
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db

HOSTILE_NOTE = "Refunded by bank\x00 <script>alert(1)</script> مراجعة " + "é" * 300


@pytest.fixture
def flagged(congress, alice):
    order = make_order(congress, contact_name="Ben Flagged")
    balances.flag_for_review(order, "Overpaid by €50.00 after a change: refund it.")
    order.refresh_from_db()
    assert order.needs_review
    return order


def _page(congress, order):
    return f"/{congress.slug}/manage/payments/orders/{order.code}/"


def _fingerprint(html: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', html).group(1)


def test_finance_marks_a_flagged_order_reviewed_and_the_audit_keeps_the_reasons(
    client, congress, finance_user, flagged
):
    client.force_login(finance_user)
    html = client.get(_page(congress, flagged)).content.decode()
    assert 'id="resolve-review"' in html and "Overpaid by €50.00" in html
    response = client.post(
        _page(congress, flagged) + "reviewed/",
        {"note": "Refunded by bank transfer", "fingerprint": _fingerprint(html)},
        follow=True,
    )
    assert "Marked as reviewed." in response.content.decode()
    flagged.refresh_from_db()
    assert not flagged.needs_review and flagged.review_reason == ""
    entry = AuditEntry.objects.get(action="convene.payment.review_resolved")
    assert entry.actor == finance_user and entry.data["note"] == "Refunded by bank transfer"
    assert "Overpaid by €50.00" in entry.data["reasons"]
    # nothing left to review: a second post is told so and changes nothing
    again = client.post(
        _page(congress, flagged) + "reviewed/", {"fingerprint": _fingerprint(html)}, follow=True
    )
    assert "not flagged for review" in again.content.decode()
    assert AuditEntry.objects.filter(action="convene.payment.review_resolved").count() == 1
    # and the finance list's "For review" view no longer has it
    listed = client.get(f"/{congress.slug}/manage/payments/", {"view": "review"})
    assert flagged.code not in listed.content.decode()


def test_a_reason_added_since_the_page_was_read_is_not_cleared_unread(
    client, congress, finance_user, flagged
):
    client.force_login(finance_user)
    html = client.get(_page(congress, flagged)).content.decode()
    balances.flag_for_review(flagged, "Card payment of €450.00 after the order was cancelled.")
    response = client.post(
        _page(congress, flagged) + "reviewed/",
        {"fingerprint": _fingerprint(html)},
        follow=True,
    )
    assert "Someone else changed this" in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.needs_review and "after the order was cancelled" in flagged.review_reason
    # a forged post without the fingerprint is refused the same way
    client.post(_page(congress, flagged) + "reviewed/", {"note": "x"})
    flagged.refresh_from_db()
    assert flagged.needs_review


def test_an_order_awaiting_approval_is_decided_not_marked_reviewed(client, congress, finance_user):
    order = make_order(congress, contact_name="Awaiting")
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.AWAITING_APPROVAL, needs_review=True, review_reason="approval"
    )
    order.refresh_from_db()
    client.force_login(finance_user)
    html = client.get(_page(congress, order)).content.decode()
    assert 'id="resolve-review"' not in html
    response = client.post(
        _page(congress, order) + "reviewed/", {"fingerprint": _fingerprint_of(order)}, follow=True
    )
    assert "awaits approval" in response.content.decode()
    order.refresh_from_db()
    assert order.needs_review


def _fingerprint_of(order):
    from events_site.congresses.edit_conflicts import fingerprint

    return fingerprint(order, balances.REVIEW_FINGERPRINT_FIELDS)


def test_hostile_notes_are_kept_as_text_or_refused_with_a_message(
    client, congress, finance_user, flagged
):
    client.force_login(finance_user)
    url = _page(congress, flagged) + "reviewed/"
    too_long = client.post(
        url, {"note": "x" * 10_000, "fingerprint": _fingerprint_of(flagged)}, follow=True
    )
    assert "at most 500 characters" in too_long.content.decode()
    flagged.refresh_from_db()
    assert flagged.needs_review
    with_nul = client.post(
        url, {"note": HOSTILE_NOTE[:500], "fingerprint": _fingerprint_of(flagged)}, follow=True
    )
    assert "contains a NUL character" in with_nul.content.decode()
    flagged.refresh_from_db()
    assert flagged.needs_review
    note = HOSTILE_NOTE.replace("\x00", "")[:500]
    response = client.post(
        url, {"note": note, "fingerprint": _fingerprint_of(flagged)}, follow=True
    )
    body = response.content.decode()
    assert "Marked as reviewed." in body and "<script>alert(1)" not in body
    kept = AuditEntry.objects.get(action="convene.payment.review_resolved").data["note"]
    assert kept == note and "مراجعة" in kept


@pytest.mark.parametrize("role", ["programme", "checkin", "registration"])
def test_other_roles_may_not_mark_reviewed(client, congress, flagged, role):
    user = UserFactory(username=f"u-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    response = client.post(
        _page(congress, flagged) + "reviewed/", {"fingerprint": _fingerprint_of(flagged)}
    )
    assert response.status_code in (403, 404)
    flagged.refresh_from_db()
    assert flagged.needs_review


def test_another_congresss_order_is_a_404(client, congress, other_congress, finance_user):
    theirs = make_order(other_congress, contact_name="Elsewhere")
    balances.flag_for_review(theirs, "mismatch")
    client.force_login(finance_user)
    response = client.post(
        f"/{congress.slug}/manage/payments/orders/{theirs.code}/reviewed/",
        {"fingerprint": _fingerprint_of(theirs)},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.needs_review


def test_the_registrations_order_page_links_finance_to_the_review(client, congress, alice, flagged):
    client.force_login(alice)
    html = client.get(f"/{congress.slug}/manage/registrations/orders/{flagged.code}/")
    assert html.status_code == 200
    assert f"/manage/payments/orders/{flagged.code}/#review" in html.content.decode()
