"""Check-in rules: who may enter, once only, and codes that open nothing."""

import pytest

from badges import services
from badges.models import Badge, CheckIn, RevokedBadgeSecret
from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate


def test_paid_delegate_is_checked_in_once_with_who_and_when(congress, delegate, bob):
    badge = services.resolve_code(congress=congress, code=delegate.badge.secret)
    result = services.check_in(badge=badge, by=bob, desk="2")
    assert result.checked_in
    assert result.badge.checked_in_by == bob and result.badge.checked_in_desk == "2"
    assert result.badge.checked_in_at is not None
    assert AuditEntry.objects.filter(action="convene.checkin.checked_in").count() == 1

    again = services.check_in(badge=badge, by=bob, desk="3")
    assert again.already and not again.checked_in
    assert again.badge.checked_in_desk == "2"  # the first check-in stands
    assert CheckIn.objects.filter(badge=badge).count() == 1


@pytest.mark.parametrize(
    ("status", "cancelled", "code"),
    [
        (OrderStatus.PENDING_PAYMENT, False, "Not paid"),
        (OrderStatus.AWAITING_APPROVAL, False, "Awaiting approval"),
        (OrderStatus.CANCELLED, False, "Registration cancelled"),
        (OrderStatus.PAID, True, "Registration cancelled"),
    ],
)
def test_people_who_may_not_enter_are_flagged_not_checked_in(
    congress, bob, status, cancelled, code
):
    delegate = make_delegate(congress, status=status, is_cancelled=cancelled)
    badge = services.badge_for(delegate=delegate)
    with pytest.raises(services.NotAllowedToEnter) as error:
        services.check_in(badge=badge, by=bob)
    assert code in str(error.value)
    badge.refresh_from_db()
    assert badge.checked_in_at is None
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "not a code",
        "A" * 42,
        "A" * 44,
        "ORDER-1234",
        "<script>",
        "x" * 500,
        "A" * 42 + "!",
    ],
)
def test_malformed_codes_are_not_valid(congress, code):
    with pytest.raises(services.InvalidBadgeCode) as error:
        services.resolve_code(congress=congress, code=code)
    assert "Not a valid badge" in str(error.value)


def test_unknown_code_is_not_valid(congress, delegate):
    with pytest.raises(services.InvalidBadgeCode) as error:
        services.resolve_code(congress=congress, code="B" * 43)
    assert error.value.code == "badge_unknown"


def test_order_secret_or_delegate_secret_does_not_open_the_door(congress, delegate):
    for code in (delegate.secret, delegate.order.secret):
        with pytest.raises(services.InvalidBadgeCode):
            services.resolve_code(congress=congress, code=code)


def test_a_badge_of_another_congress_is_not_valid_here(congress, other_congress):
    stranger = make_delegate(other_congress)
    badge = services.badge_for(delegate=stranger)
    with pytest.raises(services.InvalidBadgeCode) as error:
        services.resolve_code(congress=congress, code=badge.secret)
    assert error.value.code == "badge_other_congress"


def test_reissued_badge_old_code_stops_working_and_is_audited(congress, delegate, alice):
    old = delegate.badge.secret
    badge = services.reissue_secret(badge=delegate.badge, by=alice, reason="lost")
    assert badge.secret != old and len(badge.secret) == 43
    with pytest.raises(services.InvalidBadgeCode) as error:
        services.resolve_code(congress=congress, code=old)
    assert error.value.code == "badge_revoked"
    assert services.resolve_code(congress=congress, code=badge.secret) == badge
    assert RevokedBadgeSecret.objects.get(secret=old).revoked_by == alice
    entry = AuditEntry.objects.get(action="convene.badge.secret_reissued")
    assert entry.actor == alice and entry.data["reason"] == "lost"
    assert old not in str(entry.data)


def test_issue_badges_is_idempotent_and_skips_cancelled(congress):
    make_delegate(congress)
    make_delegate(congress)
    make_delegate(congress, is_cancelled=True)
    assert services.issue_badges(congress=congress) == 2
    assert services.issue_badges(congress=congress) == 0
    secrets = list(Badge.objects.values_list("secret", flat=True))
    assert len(set(secrets)) == 2


def test_scanned_code_with_surrounding_whitespace_still_resolves(congress, delegate):
    code = f"  {delegate.badge.secret}\n"
    assert services.resolve_code(congress=congress, code=code) == delegate.badge
