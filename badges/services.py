"""Every state change of badges and check-in: issue, revoke, check in (print jobs: ``printing``).

Check-in is compare-and-set on ``checked_in_at IS NULL``: however many desks scan the same
badge at the same moment, exactly one update changes a row, and only that desk checks in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.secret_links import find_by_secret
from registrations.models import Delegate

from . import selectors
from .enums import CheckInChannel, EntryProblem, ScanRefusal
from .models import (
    SCANNED_TEXT_LENGTH,
    Badge,
    CheckIn,
    RefusedScan,
    RevokedBadgeSecret,
    new_badge_secret,
)

SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class InvalidBadgeCode(DomainError):
    """A scanned code that opens nothing: malformed, unknown, revoked or another congress's."""

    code = "badge_not_valid"


class NotAllowedToEnter(DomainError):
    code = "not_allowed_to_enter"
    status_code = 409


@dataclass(frozen=True)
class CheckInResult:
    badge: Badge
    checked_in: bool  # True: this call checked the person in; False: someone already had

    @property
    def already(self) -> bool:
        return not self.checked_in


# --- Badges and their secrets ----------------------------------------------------------------


def issue_badges(*, congress: Congress) -> int:
    """Create the missing badges (one per delegate not cancelled); idempotent, in bulk."""
    missing = Delegate.objects.filter(
        order__congress=congress, is_cancelled=False, badge__isnull=True
    ).values_list("pk", flat=True)
    badges = [Badge(delegate_id=pk, congress=congress, secret=new_badge_secret()) for pk in missing]
    Badge.objects.bulk_create(badges, batch_size=1000, ignore_conflicts=True)
    return len(badges)


def badge_for(*, delegate: Delegate) -> Badge:
    badge, _created = Badge.objects.get_or_create(
        delegate=delegate, defaults={"congress_id": delegate.order.congress_id}
    )
    return badge


def reissue_secret(*, badge: Badge, by, reason: str = "") -> Badge:
    """Revoke the badge's QR code and give it a new one (a lost badge). The old one stops
    working at once; the desk recognises it as revoked."""
    with transaction.atomic():
        badge = Badge.objects.select_for_update().get(pk=badge.pk)
        RevokedBadgeSecret.objects.create(
            badge=badge, secret=badge.secret, revoked_by=_user(by), reason=reason[:200]
        )
        badge.secret = new_badge_secret()
        badge.issued_at = timezone.now()
        badge.save(update_fields=["secret", "issued_at"])
        audit.record(
            action="convene.badge.secret_reissued",
            congress=badge.congress,
            actor=by,
            target=badge,
            data={"delegate": badge.delegate_id, "reason": reason[:200]},
        )
    return badge


def resolve_code(*, congress: Congress, code: str) -> Badge:
    """The badge a scanned QR code (or a typed secret) opens, or ``InvalidBadgeCode``."""
    code = (code or "").strip()
    if not SECRET_PATTERN.match(code):
        raise InvalidBadgeCode(_("Not a valid badge: this code is not a Convene badge code."))
    badge = find_by_secret(
        Badge.objects.select_related(
            "delegate", "delegate__order", "delegate__registration_type", "checked_in_by"
        ),
        secret=code,
    )
    if badge is None:
        revoked = find_by_secret(RevokedBadgeSecret.objects.select_related("badge"), secret=code)
        if revoked is not None and revoked.badge.congress_id == congress.pk:
            raise InvalidBadgeCode(
                _("Not a valid badge: this badge was revoked and replaced. Ask for ID."),
                code="badge_revoked",
            )
        raise InvalidBadgeCode(_("Not a valid badge: unknown code."), code="badge_unknown")
    if badge.congress_id != congress.pk:
        raise InvalidBadgeCode(
            _("Not a valid badge: this badge is for another congress."), code="badge_other_congress"
        )
    return badge


# --- Check-in --------------------------------------------------------------------------------


def _claim(*, badge_id: int, at, by, desk: str) -> bool:
    """Compare-and-set: True for exactly one caller per badge."""
    return (
        Badge.objects.filter(pk=badge_id, checked_in_at__isnull=True).update(
            checked_in_at=at, checked_in_by=by, checked_in_desk=desk
        )
        == 1
    )


def check_in(
    *, badge: Badge, by, desk: str = "", channel: str = CheckInChannel.DESK
) -> CheckInResult:
    """Check the badge's holder in, once. Refuses people who may not enter (unpaid, awaiting
    approval, cancelled); someone already checked in is reported, not checked in again."""
    delegate = Delegate.objects.select_related("order").get(pk=badge.delegate_id)
    problem = selectors.entry_problem(delegate)
    if problem:
        raise NotAllowedToEnter(
            _("%(name)s may not enter: %(problem)s. Send them to the registration desk.")
            % {"name": delegate.printed_name, "problem": EntryProblem(problem).label}
        )
    now = timezone.now()
    user = _user(by)
    with transaction.atomic():
        claimed = _claim(badge_id=badge.pk, at=now, by=user, desk=desk[:60])
        if claimed:
            CheckIn.objects.create(
                congress_id=badge.congress_id,
                badge_id=badge.pk,
                at=now,
                by=user,
                desk=desk[:60],
                channel=channel,
            )
            audit.record(
                action="convene.checkin.checked_in",
                congress=badge.congress,
                actor=by,
                target=badge,
                data={"delegate": badge.delegate_id, "desk": desk[:60], "channel": channel},
            )
    badge = Badge.objects.select_related("checked_in_by", "delegate").get(pk=badge.pk)
    return CheckInResult(badge=badge, checked_in=claimed)


# --- Scans at the desk: every refusal is recorded ----------------------------------------------

# A code that opens a badge (another congress's, or one refused at this door) still works
# somewhere, or will once paid: the log keeps only its first characters.
_LIVE_PREFIX = 4


def _scanned_text(code: str, *, live: bool) -> str:
    """What was scanned, as read, at most 200 characters (NUL, which PostgreSQL cannot store,
    becomes U+FFFD); a live secret only as its first characters."""
    text = (code or "").replace("\x00", "\ufffd")
    if live:
        return text.strip()[:_LIVE_PREFIX] + "…"
    return text[:SCANNED_TEXT_LENGTH]


def _record_refusal(
    *,
    congress: Congress,
    by,
    desk: str,
    channel: str,
    reason: str,
    scanned: str,
    badge: Badge | None = None,
    problem: str = "",
) -> RefusedScan:
    """One line of the desk's refusal log (who, which desk, what was scanned, why), and its
    entry in the audit log (the scanned text only as the refusal log keeps it)."""
    with transaction.atomic():
        refused = RefusedScan.objects.create(
            congress_id=congress.pk,
            at=timezone.now(),
            by=_user(by),
            desk=(desk or "").replace("\x00", "\ufffd")[:60],
            channel=channel,
            reason=reason,
            scanned=scanned,
            badge=badge,
            problem=problem,
        )
        audit.record(
            action="convene.checkin.scan_refused",
            congress=congress,
            actor=by,
            target=badge if badge is not None else refused,
            data={
                "refused_scan": refused.pk,
                "reason": str(reason),
                "problem": str(problem or ""),
                "desk": refused.desk,
                "channel": str(channel),
                "scanned": scanned,
                "delegate": badge.delegate_id if badge is not None else None,
            },
        )
    return refused


def scan_code(
    *, congress: Congress, code: str, by, desk: str = "", channel: str = CheckInChannel.DESK
) -> Badge:
    """``resolve_code`` for a code read at a desk: a code that opens nothing here (malformed,
    unknown, revoked, another congress's) is recorded as a refused scan, then raised."""
    try:
        return resolve_code(congress=congress, code=code)
    except InvalidBadgeCode as error:
        live = error.code == ScanRefusal.OTHER_CONGRESS
        _record_refusal(
            congress=congress,
            by=by,
            desk=desk,
            channel=channel,
            reason=ScanRefusal(error.code),
            scanned=_scanned_text(code, live=live),
        )
        raise


def _refuse_at_door(
    *, congress: Congress, badge: Badge, by, desk: str, channel: str, code: str
) -> str:
    """Record why this badge's holder may not come in now, if so; returns the reason or ""."""
    delegate = Delegate.objects.select_related("order").get(pk=badge.delegate_id)
    problem = selectors.entry_problem(delegate)
    if problem:
        reason = ScanRefusal.NOT_ALLOWED
    elif Badge.objects.filter(pk=badge.pk, checked_in_at__isnull=False).exists():
        reason = ScanRefusal.ALREADY_CHECKED_IN
    else:
        return ""
    _record_refusal(
        congress=congress,
        by=by,
        desk=desk,
        channel=channel,
        reason=reason,
        scanned=_scanned_text(code, live=True),
        badge=badge,
        problem=problem or "",
    )
    return reason


def look_up_scan(
    *, congress: Congress, code: str, by, desk: str = "", channel: str = CheckInChannel.DESK
) -> Badge:
    """The desk's lookup of a scanned code. Besides codes that open nothing, a scan of someone
    who may not enter or is already checked in is a refusal and is recorded."""
    badge = scan_code(congress=congress, code=code, by=by, desk=desk, channel=channel)
    _refuse_at_door(congress=congress, badge=badge, by=by, desk=desk, channel=channel, code=code)
    return badge


def check_in_scan(
    *, congress: Congress, code: str, by, desk: str = "", channel: str = CheckInChannel.API
) -> CheckInResult:
    """Check in the holder of a scanned code (a scanner app's one call); every refusal (code,
    may not enter, already checked in) is recorded."""
    badge = scan_code(congress=congress, code=code, by=by, desk=desk, channel=channel)
    try:
        result = check_in(badge=badge, by=by, desk=desk, channel=channel)
    except NotAllowedToEnter:
        _refuse_at_door(
            congress=congress, badge=badge, by=by, desk=desk, channel=channel, code=code
        )
        raise
    if not result.checked_in:
        _refuse_at_door(
            congress=congress, badge=badge, by=by, desk=desk, channel=channel, code=code
        )
    return result


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None
