"""Scanning delegates into a session's room (sessions with ``attendance_scanning``): a badge
scanned at the door records one ``SessionAttendance`` per delegate and session; a session with
a sign-up capacity lets in only delegates with a seat. The attendance list is what
certificates of attendance will read.

The badge's QR code is read through the function the setting ``ATTENDANCE_BADGE_LOOKUP``
names (the badges app's), since the agenda and badges apps do not import each other."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from registrations import lifecycle
from registrations.models import Delegate

from ..enums import DoorRefusal, SignupStatus
from ..models import AttendanceRefusal, Session, SessionAttendance, SessionSignup


class AttendanceVerdict(enum.StrEnum):
    CAME_IN = "came_in"
    ALREADY_IN = "already_in"
    REFUSED = "refused"


class AttendanceRefused(DomainError):
    code = "attendance_refused"
    status_code = 409


@dataclass(frozen=True)
class AttendanceResult:
    verdict: AttendanceVerdict
    delegate: Delegate | None
    attendance: SessionAttendance | None = None
    reason: str = ""


NOT_ADMITTED = _("May not enter the congress: send them to the registration desk.")
NO_SEAT = _("No seat in this session: only delegates who signed up come in.")


@cache
def _badge_lookup():
    return import_string(settings.ATTENDANCE_BADGE_LOOKUP)


# A badge code's shape (badges.services.SECRET_PATTERN): one is never logged whole.
_BADGE_CODE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _scanned_text(code: str, *, badge: bool) -> str:
    text = (code or "").replace("\x00", "\ufffd")
    if badge or _BADGE_CODE.match(text.strip()):
        return text.strip()[:4] + "…"
    return text[:200]


def _refuse(
    *, session: Session, code: str, by, why: DoorRefusal, message, delegate=None
) -> AttendanceResult:
    """Say no at the door, and log it (the organiser reads it beside the attendance list)."""
    with transaction.atomic():
        refusal = AttendanceRefusal.objects.create(
            session=session,
            delegate=delegate,
            at=timezone.now(),
            by=by if getattr(by, "is_authenticated", False) else None,
            reason=why,
            scanned=_scanned_text(code, badge=delegate is not None),
        )
        audit.record(
            action="convene.agenda.attendance_refused",
            congress=session.congress,
            actor=by,
            target=refusal,
            data={
                "session": session.code,
                "reason": str(why),
                "delegate": delegate.pk if delegate is not None else None,
                "scanned": refusal.scanned,
            },
        )
    return AttendanceResult(AttendanceVerdict.REFUSED, delegate, reason=str(message))


def scan_into_session(*, session: Session, code: str, by) -> AttendanceResult:
    """Let the holder of a scanned badge into the session's room, once; refused: a code that
    opens nothing, someone who may not enter the congress, or without a seat when the session
    limits its sign-ups."""
    if not session.attendance_scanning:
        raise AttendanceRefused(_("This session does not scan delegates into the room."))
    try:
        delegate_id = _badge_lookup()(congress=session.congress, code=code)
    except DomainError as error:
        return _refuse(
            session=session, code=code, by=by, why=DoorRefusal.NOT_VALID, message=error.message
        )
    delegate = Delegate.objects.select_related("order", "registration_type").get(pk=delegate_id)
    if not lifecycle.may_enter(delegate):
        return _refuse(
            session=session,
            code=code,
            by=by,
            why=DoorRefusal.NOT_ADMITTED,
            message=NOT_ADMITTED,
            delegate=delegate,
        )
    if (
        session.requires_seat
        and not SessionSignup.objects.filter(
            session=session, delegate=delegate, status=SignupStatus.SEAT
        ).exists()
    ):
        return _refuse(
            session=session,
            code=code,
            by=by,
            why=DoorRefusal.NO_SEAT,
            message=NO_SEAT,
            delegate=delegate,
        )
    existing = SessionAttendance.objects.filter(session=session, delegate=delegate).first()
    if existing is not None:
        return AttendanceResult(AttendanceVerdict.ALREADY_IN, delegate, existing)
    try:
        with transaction.atomic():
            attendance = SessionAttendance.objects.create(
                session=session,
                delegate=delegate,
                at=timezone.now(),
                by=by if getattr(by, "is_authenticated", False) else None,
            )
            audit.record(
                action="convene.agenda.attendance_scanned",
                congress=session.congress,
                actor=by,
                target=attendance,
                data={"session": session.code, "delegate": delegate.pk},
            )
    except IntegrityError:  # two doors scanned the same badge at once: the other one counted
        existing = SessionAttendance.objects.get(session=session, delegate=delegate)
        return AttendanceResult(AttendanceVerdict.ALREADY_IN, delegate, existing)
    return AttendanceResult(AttendanceVerdict.CAME_IN, delegate, attendance)
