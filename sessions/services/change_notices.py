"""Change notices: when a published version cancels, withdraws, moves or re-rooms sessions that
delegates chose, each of those delegates gets one e-mail listing their affected sessions.

``publish_schedule`` queues the task after its transaction commits; the worker renders each
e-mail in the delegate's language. A run stores whom it e-mailed (a ``ChangeNotice`` per delegate
and version) and a later run for the same version skips them, so running the task twice e-mails
nobody twice. The audit entry reports the run; no decision reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.mail import send_templated_emails
from events_site.congresses.models import Congress
from registrations.models import Delegate

from ..enums import ChangeKind, SessionStatus
from ..models import AgendaItem, ChangeNotice, ScheduleVersion, SessionSignup
from .personal import delegate_may_sign_up, personal_agenda_url

ACTION = "convene.agenda.changes_notified"
TEMPLATE = "agenda/emails/programme_changed"
# Changelog kinds a delegate who chose the session is told about.
NOTICE_KINDS = frozenset(
    {ChangeKind.CANCELLED, ChangeKind.REMOVED, ChangeKind.MOVED, ChangeKind.ROOM_CHANGED}
)


@dataclass(frozen=True)
class SessionChange:
    """What one published session looked like before and after the version (times in UTC)."""

    code: str
    title: str
    cancelled: bool
    withdrawn: bool
    old_start: dt.datetime
    old_end: dt.datetime
    new_start: dt.datetime
    new_end: dt.datetime
    old_room: str
    new_room: str

    @property
    def time_changed(self) -> bool:
        return (self.old_start, self.old_end) != (self.new_start, self.new_end)

    @property
    def room_changed(self) -> bool:
        return self.old_room != self.new_room


@dataclass(frozen=True)
class NoticeRun:
    notified: int
    without_email: int
    already_notified: int
    sessions: int


def needs_notices(version: ScheduleVersion) -> bool:
    """Only a version after the first, whose changelog cancels, withdraws or moves something."""
    return version.number > 1 and any(
        c["kind"] in NOTICE_KINDS and c.get("what") != "break" for c in version.changelog
    )


def queue_change_notices(*, version: ScheduleVersion) -> None:
    """Call inside the publishing transaction: the task is queued only once it commits."""
    if not needs_notices(version):
        return
    version_id = version.pk
    transaction.on_commit(lambda: send_change_notices_task.enqueue(version_id=version_id))


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def session_changes(version: ScheduleVersion, previous: dict) -> list[SessionChange]:
    """The sessions of ``version``'s changelog delegates must hear about, read from the two
    snapshots (old and new times and rooms). A session cancelled earlier and moved now is left
    out: its delegates were already told it is cancelled."""
    kinds: dict[str, set[str]] = {}
    for entry in version.changelog:
        if entry["kind"] in NOTICE_KINDS and entry.get("what") != "break":
            kinds.setdefault(entry["code"], set()).add(entry["kind"])
    before = {s["code"]: s for s in previous.get("sessions", [])}
    after = {s["code"]: s for s in version.snapshot.get("sessions", [])}
    old_rooms = {r["id"]: r["name"] for r in previous.get("rooms", [])}
    new_rooms = {r["id"]: r["name"] for r in version.snapshot.get("rooms", [])}
    changes = []
    for code, found in kinds.items():
        old = before.get(code)
        if old is None:
            continue
        new = after.get(code, old)
        cancelled = ChangeKind.CANCELLED in found
        withdrawn = ChangeKind.REMOVED in found
        if not (cancelled or withdrawn) and new["status"] == SessionStatus.CANCELLED:
            continue
        changes.append(
            SessionChange(
                code=code,
                title=new["title"],
                cancelled=cancelled,
                withdrawn=withdrawn,
                old_start=_moment(old["starts_at"]),
                old_end=_moment(old["ends_at"]),
                new_start=_moment(new["starts_at"]),
                new_end=_moment(new["ends_at"]),
                old_room=old_rooms.get(old["room"], ""),
                new_room=new_rooms.get(new["room"], old_rooms.get(new["room"], "")),
            )
        )
    return sorted(changes, key=lambda c: (c.old_start, c.code))


def choosers(
    congress: Congress, codes: list[str], *, version: ScheduleVersion | None = None
) -> list[tuple[Delegate, list[str]]]:
    """Every delegate with a valid registration who has one of ``codes`` in their personal
    agenda (marked, or a seat or waiting place), with those codes; with ``version``, each says
    whether it was already told about that version (``already_notified``). Three queries,
    whatever the number of delegates."""
    marked = AgendaItem.objects.filter(agenda__congress=congress, session__code__in=codes)
    signed_up = SessionSignup.objects.filter(session__congress=congress, session__code__in=codes)
    chosen: dict[int, set[str]] = {}
    for delegate_id, code in [
        *marked.values_list("agenda__delegate_id", "session__code"),
        *signed_up.values_list("delegate_id", "session__code"),
    ]:
        chosen.setdefault(delegate_id, set()).add(code)
    delegates = (
        Delegate.objects.filter(
            Q(pk__in=marked.values("agenda__delegate_id"))
            | Q(pk__in=signed_up.values("delegate_id"))
        )
        .select_related("order")
        .order_by("pk")
    )
    if version is not None:
        sent = ChangeNotice.objects.filter(version=version, delegate=OuterRef("pk"))
        delegates = delegates.annotate(already_notified=Exists(sent))
    return [(d, sorted(chosen[d.pk])) for d in delegates if delegate_may_sign_up(d)]


def send_change_notices(*, version: ScheduleVersion) -> NoticeRun:
    """E-mail every delegate who chose a session this version cancels, withdraws, moves or
    re-rooms: one message each, listing all of theirs. Holds the version's row lock, so two
    runs for one version never e-mail the same delegate; the e-mails leave after commit."""
    congress = version.congress
    with transaction.atomic():
        ScheduleVersion.objects.select_for_update().filter(pk=version.pk).values_list("pk").first()
        previous = (
            ScheduleVersion.objects.filter(congress=congress, number__lt=version.number)
            .order_by("-number")
            .values_list("snapshot", flat=True)
            .first()
        )
        if previous is None:
            return NoticeRun(notified=0, without_email=0, already_notified=0, sessions=0)
        changes = {c.code: c for c in session_changes(version, previous)}
        recipients = choosers(congress, list(changes), version=version) if changes else []
        notified, without_email, skipped = [], 0, 0
        notices: list[dict] = []
        for delegate, codes in recipients:
            if delegate.already_notified:
                skipped += 1
                continue
            if not delegate.email:
                without_email += 1
                continue
            mine = sorted((changes[code] for code in codes), key=lambda c: (c.old_start, c.code))
            notices.append(
                {
                    "to": [delegate.email],
                    "template": TEMPLATE,
                    "context": {
                        "delegate_name": delegate.printed_name,
                        "congress_name": congress.name,
                        "changes": mine,
                        "time_zone": congress.time_zone,
                        "agenda_url": personal_agenda_url(congress, delegate),
                    },
                    "language": delegate.language or None,
                    "log": {
                        "congress_id": congress.pk,
                        "order_id": delegate.order_id,
                        "delegate_id": delegate.pk,
                        "kind": "agenda_change_notice",
                    },
                }
            )
            notified.append(delegate.pk)
        send_templated_emails(messages=notices)
        ChangeNotice.objects.bulk_create(
            [ChangeNotice(version=version, delegate_id=pk) for pk in notified]
        )
        run = NoticeRun(
            notified=len(notified),
            without_email=without_email,
            already_notified=skipped,
            sessions=len(changes),
        )
        audit.record(
            action=ACTION,
            congress=congress,
            actor_label="system",
            target=version,
            data={
                "version": version.number,
                "sessions": run.sessions,
                "notified": run.notified,
                "without_email": run.without_email,
                "already_notified": run.already_notified,
                "delegate_ids": notified,
            },
        )
    return run


@task(queue_name="emails")
def send_change_notices_task(*, version_id: int) -> int:
    """Tell the delegates who chose sessions this version cancels or moves (idempotent). Defined
    beside the service it calls (``sessions.tasks`` names it too), so the two never import each
    other."""
    version = ScheduleVersion.objects.select_related("congress").filter(pk=version_id).first()
    if version is None:
        return 0
    return send_change_notices(version=version).notified


def preview_recipients(
    congress: Congress, changes: list[dict], *, first: bool
) -> list[tuple[Delegate, list[str]]]:
    """Who publishing ``changes`` now would e-mail, with their affected sessions (the publish
    page lists them): nobody for a first version, as ``needs_notices`` says."""
    if first:
        return []
    codes = sorted(
        {c["code"] for c in changes if c["kind"] in NOTICE_KINDS and c.get("what") != "break"}
    )
    return choosers(congress, codes) if codes else []
