"""The check-in desk offline: the desk list a phone keeps (delta by a change counter) and the
check-ins it queued while the network was down, applied once each when it returns.

The change counter does not trust timestamps: every write path (orders paid or cancelled in
bulk, badges reissued, delegates deleted, check-ins at other desks) changes what a desk row
*is*, so :func:`refresh_desk_list` compares each row's fingerprint with the last one seen and
gives a new number to each row that changed, appeared or went away. A desk asks for the rows
numbered above its cursor, a page at a time.

Conflicts resolve to the earliest check-in (docs/badges.md, "Offline desk"): a delegate checked
in earlier elsewhere stays so (the desk is told where and when); a check-in this desk made
offline before the one on record moves the record to this desk's earlier time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.text import printable
from registrations import lifecycle
from registrations.models import Delegate
from registrations.names import full_name

from . import selectors, services
from .enums import CheckInChannel, EntryProblem, OfflineOutcome, ScanRefusal
from .models import (
    NONCE_LENGTH,
    SCANNED_TEXT_LENGTH,
    Badge,
    CheckIn,
    DeskListState,
    DeskRow,
    OfflineCheckIn,
    RevokedBadgeSecret,
)

PAGE_SIZE = 250  # rows per answer of the desk list: ~50 kB of JSON
MAX_QUEUE_ITEMS = 100  # queued check-ins per sync request
# A desk's clock is believed within this window before the sync; outside it, clamped.
CLOCK_WINDOW = dt.timedelta(hours=24)

NONCE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SECRET_HASH = re.compile(r"^[0-9a-f]{64}$")
# A name in Latin letters, if the delegate model has one (the registration asks for it when a
# name is written in another script).
LATIN_NAME_FIELDS = ("latin_name", "name_latin", "romanised_name", "name_in_latin")


class OfflineQueueRefused(DomainError):
    """A sync request that is not a list of queued check-ins the desk could have made."""

    code = "offline_queue_refused"
    status_code = 400


def secret_hash(secret: str) -> str:
    """What the desk keeps of a badge secret: SHA-256, enough to recognise a scanned code,
    useless to make a badge (the secret has 256 random bits)."""
    return hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()


def _latin_field() -> str | None:
    names = {field.name for field in Delegate._meta.get_fields()}
    return next((name for name in LATIN_NAME_FIELDS if name in names), None)


_ROW_FIELDS = (
    "id",
    "given_name",
    "family_name",
    "country",
    "name_order",
    "badge_name",
    "organisation_name",
    "registration_type__name",
    "order__status",
    "order__admitted_on_invoice",
    "is_cancelled",
    "badge__secret",
    "badge__checked_in_at",
    "badge__checked_in_desk",
)


def _problem(row: dict) -> str:
    standing = lifecycle.delegate_standing(
        SimpleNamespace(
            order=SimpleNamespace(
                status=row["order__status"],
                admitted_on_invoice=row["order__admitted_on_invoice"],
            ),
            **row,
        )
    )
    return str(selectors.ENTRY_PROBLEMS[standing])


def _desk_rows(congress: Congress, ids: list[int] | None = None) -> dict[int, dict]:
    """Every desk row of the congress (or of ``ids``), as the desk keeps it: two queries."""
    latin = _latin_field()
    fields = (*_ROW_FIELDS, latin) if latin else _ROW_FIELDS
    delegates = Delegate.objects.filter(order__congress=congress)
    revoked = RevokedBadgeSecret.objects.filter(badge__congress=congress)
    if ids is not None:
        delegates = delegates.filter(pk__in=ids)
        revoked = revoked.filter(badge__delegate_id__in=ids)
    revoked_of: dict[int, list[str]] = {}
    for delegate_id, secret in revoked.values_list("badge__delegate_id", "secret").order_by("pk"):
        revoked_of.setdefault(delegate_id, []).append(secret_hash(secret))
    rows = {}
    for row in delegates.values(*fields).order_by():
        checked_in_at = row["badge__checked_in_at"]
        rows[row["id"]] = {
            "id": row["id"],
            "name": row["badge_name"]
            or full_name(
                row["given_name"],
                row["family_name"],
                country=row["country"] or "",
                order=row["name_order"],
            ),
            "given": row["given_name"],
            "family": row["family_name"],
            "latin": (row.get(latin) or "") if latin else "",
            "org": row["organisation_name"],
            "type": row["registration_type__name"],
            "problem": _problem(row),
            "badge": secret_hash(row["badge__secret"]) if row["badge__secret"] else None,
            "revoked": revoked_of.get(row["id"], []),
            "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
            "desk": row["badge__checked_in_desk"] or "",
        }
    return rows


def _digest(row: dict) -> str:
    text = json.dumps(row, sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def refresh_desk_list(*, congress: Congress, force: bool = False) -> DeskListState:
    """Number every desk row that changed since the last refresh (at most one refresh per
    ``BADGES_DESK_REFRESH_SECONDS`` unless ``force``); a constant number of queries plus one
    per thousand rows written."""
    every = dt.timedelta(seconds=settings.BADGES_DESK_REFRESH_SECONDS)
    state, _created = DeskListState.objects.get_or_create(congress=congress)
    if not force and state.refreshed_at and timezone.now() - state.refreshed_at < every:
        return state
    with transaction.atomic():
        state = DeskListState.objects.select_for_update().get(pk=state.pk)
        now = timezone.now()
        if not force and state.refreshed_at and now - state.refreshed_at < every:
            return state  # another desk refreshed while this one waited for the lock
        current = {pk: _digest(row) for pk, row in _desk_rows(congress).items()}
        known = {
            delegate_id: (pk, digest, removed)
            for pk, delegate_id, digest, removed in DeskRow.objects.filter(
                congress=congress
            ).values_list("pk", "delegate_id", "digest", "removed")
        }
        seq = state.seq
        new, changed = [], []
        for delegate_id in sorted(current):
            digest = current[delegate_id]
            seen = known.get(delegate_id)
            if seen is None:
                seq += 1
                new.append(
                    DeskRow(congress=congress, delegate_id=delegate_id, digest=digest, seq=seq)
                )
            elif seen[2] or seen[1] != digest:
                seq += 1
                changed.append(DeskRow(pk=seen[0], digest=digest, seq=seq, removed=False))
        for delegate_id in sorted(set(known) - set(current)):
            pk, _digest_seen, removed = known[delegate_id]
            if not removed:
                seq += 1
                changed.append(DeskRow(pk=pk, digest="", seq=seq, removed=True))
        DeskRow.objects.bulk_create(new, batch_size=1000)
        DeskRow.objects.bulk_update(changed, ["digest", "seq", "removed"], batch_size=500)
        state.seq = seq
        state.refreshed_at = now
        state.save(update_fields=["seq", "refreshed_at"])
    return state


def _public(row: dict) -> dict:
    """A desk row as sent: the problem's label in the request's language beside its code."""
    problem = row["problem"]
    return {**row, "problem_label": str(EntryProblem(problem).label) if problem else ""}


def desk_list_page(*, congress: Congress, since: int) -> dict[str, Any]:
    """The desk rows changed after ``since`` (0: all), a page at a time, and the cursor to ask
    with next. ``reset``: the cursor is not this server's, start again from 0."""
    state = refresh_desk_list(congress=congress)
    if since > state.seq:
        return {"reset": True, "cursor": 0, "more": True, "rows": [], "removed": []}
    numbered = list(
        DeskRow.objects.filter(congress=congress, seq__gt=since)
        .order_by("seq")
        .values_list("delegate_id", "seq", "removed")[: PAGE_SIZE + 1]
    )
    more = len(numbered) > PAGE_SIZE
    numbered = numbered[:PAGE_SIZE]
    live = [delegate_id for delegate_id, _seq, removed in numbered if not removed]
    data = _desk_rows(congress, ids=live) if live else {}
    rows, removed_ids = [], []
    for delegate_id, _seq, removed in numbered:
        if removed or delegate_id not in data:
            removed_ids.append(delegate_id)
        else:
            rows.append(_public(data[delegate_id]))
    last = numbered[-1][1] if numbered else since
    cursor = last if more else max(since, state.seq, last)
    return {"reset": False, "cursor": cursor, "more": more, "rows": rows, "removed": removed_ids}


# --- The queue a desk made offline ------------------------------------------------------------


def _invalid(nonce: Any, message: str) -> dict[str, Any]:
    shown = nonce if isinstance(nonce, str) and NONCE.match(nonce) else None
    return {"nonce": shown, "status": "invalid", "message": message}


def _answer(record: OfflineCheckIn, *, replayed: bool = False) -> dict[str, Any]:
    badge = record.badge
    standing = None
    if badge is not None and badge.checked_in_at:
        standing = {
            "at": badge.checked_in_at.isoformat(),
            "desk": badge.checked_in_desk,
            "by": badge.checked_in_by.get_username() if badge.checked_in_by_id else "",
        }
    return {
        "nonce": record.nonce,
        "delegate": record.delegate_id,
        "status": record.outcome,
        "message": record.message,
        "checked_in": standing,
        "replayed": replayed,
    }


def _parse_at(value: Any, now: dt.datetime) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        at = parse_datetime(value)
    except ValueError:
        return None
    if at is None or timezone.is_naive(at):
        return None
    return min(max(at, now - CLOCK_WINDOW), now)  # a wrong clock never wins "earliest"


def _matches(candidate: str, secret: str) -> bool:
    return hmac.compare_digest(candidate, secret_hash(secret))


def _scan_refusal(badge: Badge, scanned_hash: str) -> str:
    """Why the code the desk scanned offline no longer opens this badge, or ""."""
    if _matches(scanned_hash, badge.secret):
        return ""
    for secret in badge.revoked_secrets.values_list("secret", flat=True):
        if _matches(scanned_hash, secret):
            return _(
                "This badge was revoked and replaced while the desk was offline: the check-in "
                "was not made. Ask for ID and print the new badge."
            )
    return _("The scanned code is not this delegate's badge: the check-in was not made.")


def _move_earlier(*, badge: Badge, at: dt.datetime, by, desk: str) -> bool:
    """Earliest wins: if the check-in on record is later than ``at``, it becomes this one."""
    user = by if getattr(by, "is_authenticated", False) else None
    before = Badge.objects.filter(pk=badge.pk).values("checked_in_at", "checked_in_desk").get()
    moved = (
        Badge.objects.filter(pk=badge.pk, checked_in_at__gt=at).update(
            checked_in_at=at, checked_in_by=user, checked_in_desk=desk
        )
        == 1
    )
    if moved:
        CheckIn.objects.filter(badge_id=badge.pk).update(
            at=at, by=user, desk=desk, channel=CheckInChannel.OFFLINE
        )
        audit.record(
            action="convene.checkin.moved_earlier",
            congress=badge.congress,
            actor=by,
            target=badge,
            data={
                "delegate": badge.delegate_id,
                "desk": desk,
                "at": at.isoformat(),
                "was_at": before["checked_in_at"].isoformat(),
                "was_desk": before["checked_in_desk"],
            },
        )
    return moved


def _apply(
    *, congress: Congress, nonce: str, delegate_id: int, at: dt.datetime, desk: str, scanned, by
) -> OfflineCheckIn:
    delegate = (
        Delegate.objects.filter(order__congress=congress, pk=delegate_id)
        .select_related("order")
        .first()
    )
    record = OfflineCheckIn(
        nonce=nonce,
        congress=congress,
        delegate_id=delegate_id,
        at=at,
        by=by if getattr(by, "is_authenticated", False) else None,
        desk=desk,
        outcome=OfflineOutcome.REFUSED,
    )
    with transaction.atomic():
        if delegate is None:
            record.message = _("No such delegate in this congress.")
            record.save()
            return record
        badge = services.badge_for(delegate=delegate)
        record.badge = badge
        refusal = _scan_refusal(badge, scanned) if scanned else ""
        if refusal:
            record.message = refusal
        else:
            try:
                result = services.check_in(
                    badge=badge, by=by, desk=desk, channel=CheckInChannel.OFFLINE, at=at
                )
            except services.NotAllowedToEnter as error:
                record.message = str(error.message)
            else:
                if result.checked_in:
                    record.outcome = OfflineOutcome.CHECKED_IN
                elif _move_earlier(badge=badge, at=at, by=by, desk=desk):
                    record.outcome = OfflineOutcome.EARLIER
                else:
                    record.outcome = OfflineOutcome.ALREADY
        record.message = record.message[:300]
        record.save()
    return record


def apply_queue(*, congress: Congress, items: Any, by) -> list[dict[str, Any]]:
    """Apply a desk's queued check-ins, each exactly once (its nonce is unique: a replay gets
    the first answer back), through :func:`services.check_in` at the desk's time."""
    if not isinstance(items, list):
        raise OfflineQueueRefused(_("Send the queued check-ins as a list."))
    if len(items) > MAX_QUEUE_ITEMS:
        raise OfflineQueueRefused(
            _("At most %(count)s check-ins per request.") % {"count": MAX_QUEUE_ITEMS}
        )
    answers = []
    for item in items:
        answers.append(_apply_one(congress=congress, item=item, by=by))
    return answers


# What a desk can say no to offline: a code its list does not know, a revoked badge, someone
# who may not enter, someone already checked in (the same refusals the online desk logs).
OFFLINE_REFUSALS = frozenset(
    {
        ScanRefusal.MALFORMED,
        ScanRefusal.UNKNOWN,
        ScanRefusal.REVOKED,
        ScanRefusal.NOT_ALLOWED,
        ScanRefusal.ALREADY_CHECKED_IN,
    }
)


def _log_refusal(*, congress: Congress, nonce: str, item: dict, by) -> dict[str, Any]:
    """A scan the desk refused offline, written to the refused-scans log once (its nonce)."""
    now = timezone.now()
    at = _parse_at(item.get("at"), now)
    if at is None:
        return _invalid(nonce, _("A queued check-in needs its time, with its zone."))
    reason, problem = item.get("reason"), item.get("problem") or ""
    if not isinstance(reason, str) or reason not in OFFLINE_REFUSALS:
        return _invalid(nonce, _("Not a reason the desk refuses a scan for."))
    if not isinstance(problem, str) or (problem and problem not in EntryProblem.values):
        return _invalid(nonce, _("Not a reason the desk refuses a scan for."))
    scanned, desk = item.get("scanned") or "", item.get("desk") or ""
    if not isinstance(scanned, str) or not isinstance(desk, str):
        return _invalid(nonce, _("Not a scanned badge code."))
    delegate_id, badge = item.get("delegate"), None
    if delegate_id is not None:
        if isinstance(delegate_id, bool) or not isinstance(delegate_id, int):
            return _invalid(nonce, _("A queued check-in needs a delegate number."))
        if not 0 < delegate_id < 2**53:
            return _invalid(nonce, _("A queued check-in needs a delegate number."))
        badge = Badge.objects.filter(congress=congress, delegate_id=delegate_id).first()
    if OfflineCheckIn.objects.filter(nonce=nonce).exists():
        return _invalid(nonce, _("This nonce was already used."))
    refused, made = services.record_offline_refusal(
        congress=congress,
        nonce=nonce,
        at=at,
        by=by,
        desk=printable(desk[:200]).strip()[:60],
        reason=reason,
        scanned=scanned[:SCANNED_TEXT_LENGTH],
        badge=badge,
        problem=problem if reason == ScanRefusal.NOT_ALLOWED else "",
    )
    if refused.congress_id != congress.pk:
        return _invalid(nonce, _("This nonce was already used."))
    return {
        "nonce": nonce,
        "delegate": badge.delegate_id if badge is not None else None,
        "status": "logged",
        "message": "",
        "checked_in": None,
        "replayed": not made,
    }


def _apply_one(*, congress: Congress, item: Any, by) -> dict[str, Any]:
    if not isinstance(item, dict):
        return _invalid(None, _("Not a queued check-in."))
    nonce, delegate_id = item.get("nonce"), item.get("delegate")
    if not isinstance(nonce, str) or len(nonce) != NONCE_LENGTH or not NONCE.match(nonce):
        return _invalid(None, _("A queued check-in needs its nonce (a UUID)."))
    if item.get("kind") == "refusal":
        return _log_refusal(congress=congress, nonce=nonce, item=item, by=by)
    if isinstance(delegate_id, bool) or not isinstance(delegate_id, int):
        return _invalid(nonce, _("A queued check-in needs a delegate number."))
    if not 0 < delegate_id < 2**53:
        return _invalid(nonce, _("A queued check-in needs a delegate number."))
    now = timezone.now()
    at = _parse_at(item.get("at"), now)
    if at is None:
        return _invalid(nonce, _("A queued check-in needs its time, with its zone."))
    scanned = item.get("badge")
    if scanned is not None and (not isinstance(scanned, str) or not SECRET_HASH.match(scanned)):
        return _invalid(nonce, _("Not a scanned badge code."))
    desk = item.get("desk") or ""
    if not isinstance(desk, str):
        return _invalid(nonce, _("The desk is a short label."))
    desk = printable(desk[:200]).strip()[:60]
    seen = OfflineCheckIn.objects.filter(nonce=nonce).select_related("badge").first()
    if seen is None:
        try:
            seen = _apply(
                congress=congress,
                nonce=nonce,
                delegate_id=delegate_id,
                at=at,
                desk=desk,
                scanned=scanned,
                by=by,
            )
        except IntegrityError:  # the same nonce, applied at this very moment by a retry
            seen = OfflineCheckIn.objects.filter(nonce=nonce).select_related("badge").first()
            if seen is None:
                raise
        else:
            seen = OfflineCheckIn.objects.select_related("badge", "badge__checked_in_by").get(
                pk=seen.pk
            )
            return _answer(seen)
    if seen.congress_id != congress.pk:
        return _invalid(nonce, _("This nonce was already used."))
    return _answer(seen, replayed=True)
