"""Every state change of badges and check-in: issue, revoke, check in (print jobs: ``printing``).

Check-in is compare-and-set on ``checked_in_at IS NULL``: however many desks scan the same
badge at the same moment, exactly one update changes a row, and only that desk checks in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.secret_links import find_by_secret
from events_site.congresses.text import printable
from registrations.models import Delegate
from registrations.services import certificates

from . import selectors
from .enums import CheckInChannel, EntryProblem, ScanRefusal
from .models import (
    SCANNED_TEXT_LENGTH,
    Badge,
    CheckIn,
    PrintStation,
    RefusedScan,
    RevokedBadgeSecret,
    StationPrint,
    new_badge_secret,
)

SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class InvalidBadgeCode(DomainError):
    """A scanned code that opens nothing: malformed, unknown, revoked or another congress's."""

    code = "badge_not_valid"


class NotAllowedToEnter(DomainError):
    code = "not_allowed_to_enter"
    status_code = 409


class CannotUndoCheckIn(DomainError):
    code = "cannot_undo_check_in"
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


def badge_codes(delegate_ids: list[int]) -> dict[int, str]:
    """Delegate id -> the QR code of their badge, making the missing badges (idempotent): the
    registration confirmation prints it (``CONFIRMATION_BADGE_CODES`` names this function)."""
    codes = dict(
        Badge.objects.filter(delegate_id__in=delegate_ids).values_list("delegate_id", "secret")
    )
    missing = [pk for pk in delegate_ids if pk not in codes]
    if missing:
        rows = Delegate.objects.filter(pk__in=missing).values_list("pk", "order__congress_id")
        Badge.objects.bulk_create(
            [Badge(delegate_id=pk, congress_id=c, secret=new_badge_secret()) for pk, c in rows],
            ignore_conflicts=True,
        )
        codes.update(
            Badge.objects.filter(delegate_id__in=missing).values_list("delegate_id", "secret")
        )
    return codes


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


def delegate_id_for_code(*, congress: Congress, code: str) -> int:
    """The delegate a badge code opens (``InvalidBadgeCode`` otherwise). Named by the setting
    ``ATTENDANCE_BADGE_LOOKUP``: the agenda's room scanning reads badges through it, since the
    agenda and badges apps do not import each other."""
    return resolve_code(congress=congress, code=code).delegate_id


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
    *, badge: Badge, by, desk: str = "", channel: str = CheckInChannel.DESK, at=None
) -> CheckInResult:
    """Check the badge's holder in, once. Refuses people who may not enter (unpaid, awaiting
    approval, cancelled); someone already checked in is reported, not checked in again.
    ``at``: when it happened, if not now (a desk's offline queue, ``offline.apply_queue``)."""
    delegate = Delegate.objects.select_related("order").get(pk=badge.delegate_id)
    problem = selectors.entry_problem(delegate)
    if problem:
        raise NotAllowedToEnter(
            _("%(name)s may not enter: %(problem)s. Send them to the registration desk.")
            % {"name": delegate.printed_name, "problem": EntryProblem(problem).label}
        )
    now = at or timezone.now()
    user = _user(by)
    with transaction.atomic():
        claimed = _claim(badge_id=badge.pk, at=now, by=user, desk=desk[:60])
        if claimed:
            record = CheckIn.objects.create(
                congress_id=badge.congress_id,
                badge_id=badge.pk,
                at=now,
                by=user,
                desk=desk[:60],
                channel=channel,
            )
            queue_at_print_stations(check_in=record)
            audit.record(
                action="convene.checkin.checked_in",
                congress=badge.congress,
                actor=by,
                target=badge,
                data={"delegate": badge.delegate_id, "desk": desk[:60], "channel": channel},
            )
    if claimed:  # what the compare-and-set wrote, without reading the row back
        badge.checked_in_at, badge.checked_in_by, badge.checked_in_desk = now, user, desk[:60]
        if not Badge.delegate.is_cached(badge):
            badge.delegate = delegate
    else:  # someone else's check-in: who, when, where
        badge = Badge.objects.select_related("checked_in_by", "delegate").get(pk=badge.pk)
    return CheckInResult(badge=badge, checked_in=claimed)


def queue_at_print_stations(*, check_in: CheckIn) -> int:
    """Queue the badge at every print station of the congress serving the check-in's desk
    (inside the check-in's transaction); returns how many stations will print it."""
    stations = [
        s
        for s in PrintStation.objects.filter(congress_id=check_in.congress_id)
        if s.serves(check_in.desk)
    ]
    StationPrint.objects.bulk_create(
        StationPrint(
            station=station,
            badge_id=check_in.badge_id,
            check_in=check_in,
            desk=check_in.desk,
            queued_at=check_in.at,
        )
        for station in stations
    )
    return len(stations)


UNDO_REASON_LENGTH = 200


def undo_check_in(*, badge: Badge, by, reason: str) -> Badge:
    """Undo a check-in made by mistake (the wrong person, the wrong badge): the badge is no
    longer checked in, so its holder can check in again; the check-in row keeps who undid it,
    when and why, and the audit log says so. Badges still waiting at a print station are taken
    out of its queue."""
    reason = " ".join(printable(reason or "").split())[:UNDO_REASON_LENGTH]
    if not reason:
        raise CannotUndoCheckIn(_("Say why the check-in is undone."), code="reason_required")
    now = timezone.now()
    user = _user(by)
    with transaction.atomic():
        locked = Badge.objects.select_for_update().get(pk=badge.pk)
        if locked.checked_in_at is None:
            raise CannotUndoCheckIn(_("This person is not checked in."), code="not_checked_in")
        undone = Badge.objects.filter(pk=locked.pk, checked_in_at=locked.checked_in_at).update(
            checked_in_at=None, checked_in_by=None, checked_in_desk=""
        )
        if not undone:  # pragma: no cover - the row lock above rules it out
            raise CannotUndoCheckIn(_("This person is not checked in."), code="not_checked_in")
        live = CheckIn.objects.filter(badge_id=locked.pk, undone_at__isnull=True)
        ids = list(live.values_list("pk", flat=True))
        live.update(undone_at=now, undone_by=user, undo_reason=reason)
        StationPrint.objects.filter(check_in_id__in=ids, printed_at__isnull=True).delete()
        audit.record(
            action="convene.checkin.undone",
            congress=locked.congress,
            actor=by,
            target=locked,
            data={
                "delegate": locked.delegate_id,
                "checked_in_at": locked.checked_in_at.isoformat(),
                "desk": locked.checked_in_desk,
                "reason": reason,
            },
        )
        # A certificate of attendance resting on this check-in no longer stands.
        certificates.revoke_unsupported(
            delegate=locked.delegate, by=by, reason=f"check-in undone: {reason}"
        )
    return Badge.objects.select_related("delegate").get(pk=badge.pk)


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
    at=None,
    nonce: str | None = None,
) -> RefusedScan:
    """One line of the desk's refusal log (who, which desk, what was scanned, why), and its
    entry in the audit log (the scanned text only as the refusal log keeps it)."""
    with transaction.atomic():
        refused = RefusedScan.objects.create(
            congress_id=congress.pk,
            at=at or timezone.now(),
            nonce=nonce,
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
                **({"nonce": nonce, "at": refused.at.isoformat()} if nonce else {}),
            },
        )
    return refused


def record_offline_refusal(
    *,
    congress: Congress,
    nonce: str,
    at,
    by,
    desk: str,
    reason: str,
    scanned: str,
    badge: Badge | None = None,
    problem: str = "",
) -> tuple[RefusedScan, bool]:
    """A refusal a desk made offline, logged as the desk's online refusals are, exactly once per
    nonce: returns the row and whether this call made it (a replay gets the first one back).
    A full badge code in ``scanned`` is cut to its first characters, as online."""
    seen = RefusedScan.objects.filter(nonce=nonce).first()
    if seen is not None:
        return seen, False
    text = (scanned or "").strip()
    try:
        refused = _record_refusal(
            congress=congress,
            by=by,
            desk=desk,
            channel=CheckInChannel.OFFLINE,
            reason=reason,
            scanned=_scanned_text(text, live=bool(SECRET_PATTERN.match(text))),
            badge=badge,
            problem=problem,
            at=at,
            nonce=nonce,
        )
    except IntegrityError:  # the same nonce, logged at this very moment by a retry
        return RefusedScan.objects.get(nonce=nonce), False
    return refused, True


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
    badge.congress = congress  # resolve_code checked it is this congress's (no second read)
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
