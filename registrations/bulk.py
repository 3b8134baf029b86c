"""Bulk actions on the organisers' registrations list and approval queue: a selection (ticked
rows, or every delegate a filter matches) is planned (what qualifies, what is skipped and why,
what follows), then recorded as a :class:`BulkJob` and run item by item on the "batch" queue
through the same services as the order page, each of which audits its own change.

Guarantees: only items of the job's congress are ever touched; one item's failure never stops
the others and is kept with its reason; a confirmation submitted twice (the same nonce) finds
the job it made instead of making another; a job runs once (claimed queued -> running), and the
services refuse an order no longer in the state a decision needs, so nothing is applied twice.
It lives above the payments wing (cancelling one delegate is a wing service), beside the pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress

from . import lifecycle, selectors
from .enums import BulkItemOutcome, BulkJobStatus, BulkKind
from .errors import RegistrationError
from .lifecycle import OrderStatus
from .models import BulkJob, BulkJobItem, Delegate, Order
from .payments.services.order_changes import cancel_delegate
from .services.orders import approve_order, cancel_order, reject_order
from .services.orders.deciding import REASON_MAX

logger = logging.getLogger(__name__)

# The confirmation page names at most this many of the items it will skip.
SKIPPED_SHOWN = 50
CANCEL_REASON_MAX = 500
ORDER_KINDS = (BulkKind.APPROVE, BulkKind.REJECT, BulkKind.CANCEL_ORDERS)


class BulkRefused(RegistrationError):
    code = "bulk_refused"


@dataclass(frozen=True)
class Selection:
    """What the organiser chose: the delegates ticked (``delegate_ids``) and the orders ticked
    in the approval queue (``order_codes``), or every delegate ``filters`` match."""

    filters: selectors.DelegateFilters = field(default_factory=selectors.DelegateFilters)
    delegate_ids: tuple[int, ...] = ()
    order_codes: tuple[str, ...] = ()
    whole_filter: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.whole_filter or self.delegate_ids or self.order_codes)


def delegates_of(congress: Congress, selection: Selection) -> QuerySet[Delegate]:
    """The selected delegates, never one of another congress."""
    if selection.whole_filter:
        return selectors.organiser_delegates(congress=congress, filters=selection.filters)
    return Delegate.objects.filter(order__congress=congress).filter(
        Q(pk__in=selection.delegate_ids) | Q(order__code__in=selection.order_codes)
    )


def orders_of(congress: Congress, selection: Selection) -> QuerySet[Order]:
    """The orders of the selected delegates (and the ticked orders), of this congress only."""
    if selection.whole_filter:
        ids = delegates_of(congress, selection).order_by().values("order_id")
        return Order.objects.filter(congress=congress, pk__in=ids)
    return Order.objects.filter(congress=congress).filter(
        Q(pk__in=Delegate.objects.filter(pk__in=selection.delegate_ids).values("order_id"))
        | Q(code__in=selection.order_codes)
    )


# --- which items qualify -------------------------------------------------------------------


def _order_skip_reason(kind: str, status: str) -> str:
    """Why an order in ``status`` is left out of ``kind`` ("" when it qualifies)."""
    label = OrderStatus(status).label
    if kind in (BulkKind.APPROVE, BulkKind.REJECT):
        if status == OrderStatus.AWAITING_APPROVAL:
            return ""
        if status == OrderStatus.CANCELLED:
            return _("already cancelled or rejected")
        return _("not awaiting approval (%(status)s)") % {"status": label}
    if status == OrderStatus.CANCELLED:
        return _("already cancelled")
    if status in lifecycle.CANCEL.sources:
        return ""
    return _("a refunded order cannot be cancelled (%(status)s)") % {"status": label}


def _delegate_skip_reason(is_cancelled: bool, order_status: str) -> str:
    if is_cancelled:
        return _("already cancelled")
    if order_status not in lifecycle.SINGLE_CANCEL_STATUSES:
        return _("the order is %(status)s") % {"status": OrderStatus(order_status).label}
    return ""


def _eligible_order_statuses(kind: str) -> list[str]:
    return [s for s in OrderStatus.values if not _order_skip_reason(kind, s)]


@dataclass
class Plan:
    """What a bulk action would do now: the counts the confirmation page states."""

    kind: str
    total: int = 0
    eligible: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_examples: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)
    delegates: int = 0  # delegates of the eligible orders (the seats concerned)
    paid_orders: int = 0
    paid_amount: Decimal = Decimal("0.00")
    currency: str = ""
    unknown: int = 0  # ticked ids that are no delegate (or order) of this congress

    @property
    def skipped(self) -> int:
        return self.total - self.eligible

    @property
    def on_orders(self) -> bool:
        return self.kind in ORDER_KINDS


def plan(*, congress: Congress, kind: str, selection: Selection) -> Plan:
    """Count what qualifies and why the rest is skipped, in a fixed number of queries however
    many rows the selection holds."""
    if kind not in BulkKind.values:
        raise BulkRefused(_("Choose what to do with the selection."))
    result = Plan(kind=kind, currency=congress.currency)
    result.unknown = _unknown(congress, selection)
    if kind in ORDER_KINDS:
        orders = orders_of(congress, selection)
        eligible = _eligible_order_statuses(kind)
        by_status = dict(orders.order_by().values_list("status").annotate(n=Count("id")))
        for status, n in by_status.items():
            result.total += n
            reason = _order_skip_reason(kind, status)
            if reason:
                result.skipped_by_reason[reason] = result.skipped_by_reason.get(reason, 0) + n
            else:
                result.eligible += n
        result.skipped_examples = [
            (code, _order_skip_reason(kind, status))
            for code, status in orders.exclude(status__in=eligible)
            .order_by("code")
            .values_list("code", "status")[:SKIPPED_SHOWN]
        ]
        good = orders.filter(status__in=eligible)
        result.delegates = Delegate.objects.filter(
            order__in=good.values("pk"), is_cancelled=False
        ).count()
        if kind == BulkKind.CANCEL_ORDERS:
            paid = good.filter(status__in=lifecycle.PAID_STATUSES).aggregate(
                n=Count("id"), amount=Sum("total")
            )
            result.paid_orders = paid["n"]
            result.paid_amount = paid["amount"] or Decimal("0.00")
        return result
    delegates = delegates_of(congress, selection)
    rows = delegates.order_by().values_list("is_cancelled", "order__status").annotate(n=Count("id"))
    for is_cancelled, status, n in rows:
        result.total += n
        reason = _delegate_skip_reason(is_cancelled, status)
        if reason:
            result.skipped_by_reason[reason] = result.skipped_by_reason.get(reason, 0) + n
        else:
            result.eligible += n
    skipped = delegates.filter(
        Q(is_cancelled=True) | ~Q(order__status__in=lifecycle.SINGLE_CANCEL_STATUSES)
    )
    result.skipped_examples = [
        (f"{given} {family} ({code})", _delegate_skip_reason(cancelled, status))
        for given, family, code, cancelled, status in skipped.order_by("pk").values_list(
            "given_name", "family_name", "order__code", "is_cancelled", "order__status"
        )[:SKIPPED_SHOWN]
    ]
    result.delegates = result.eligible
    good = delegates.filter(is_cancelled=False, order__status__in=lifecycle.PAID_STATUSES)
    paid = good.aggregate(n=Count("order_id", distinct=True), amount=Sum("price"))
    result.paid_orders = paid["n"]
    result.paid_amount = paid["amount"] or Decimal("0.00")
    return result


def _unknown(congress: Congress, selection: Selection) -> int:
    """How many ticked ids or codes name nothing of this congress (one query, or none)."""
    if selection.whole_filter or not (selection.delegate_ids or selection.order_codes):
        return 0
    found = Delegate.objects.filter(order__congress=congress, pk__in=selection.delegate_ids)
    codes = Order.objects.filter(congress=congress, code__in=selection.order_codes)
    known = found.count() if selection.delegate_ids else 0
    known += codes.count() if selection.order_codes else 0
    return len(selection.delegate_ids) + len(selection.order_codes) - known


# --- recording a job -----------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _clean_text(kind: str, reason: str) -> str:
    reason = (reason or "").strip()
    if kind == BulkKind.REJECT:
        if not reason:
            raise BulkRefused(_("Give the registrants a reason for the rejection."))
        limit = REASON_MAX
    else:
        limit = REASON_MAX if kind == BulkKind.APPROVE else CANCEL_REASON_MAX
    if len(reason) > limit:
        raise BulkRefused(_("The text is too long (at most %(n)s characters).") % {"n": limit})
    return reason


def start_bulk_job(
    *,
    congress: Congress,
    by,
    kind: str,
    selection: Selection,
    token: str,
    reason: str = "",
    described_filters: dict | None = None,
) -> BulkJob:
    """Record the job (its items: the qualifying ones pending, the others skipped with their
    reason), audit it and queue its run on commit. The same ``token`` again returns the job it
    made (a double-clicked or resubmitted confirmation applies nothing twice)."""
    if kind not in BulkKind.values:
        raise BulkRefused(_("Choose what to do with the selection."))
    if not token or len(token) > 64:
        raise BulkRefused(_("This confirmation has expired: open it again."))
    existing = BulkJob.objects.filter(token=token).first()
    if existing is not None:
        if existing.congress_id != congress.pk:
            raise BulkRefused(_("This confirmation has expired: open it again."))
        return existing
    if selection.is_empty:
        raise BulkRefused(_("Select at least one delegate."))
    reason = _clean_text(kind, reason)
    try:
        with transaction.atomic():
            job = BulkJob.objects.create(
                congress=congress,
                kind=kind,
                requested_by=by if getattr(by, "is_authenticated", False) else None,
                token=token,
                parameters={
                    "reason": reason,
                    "language": translation.get_language() or "",
                    "filters": described_filters or {},
                    "whole_filter": selection.whole_filter,
                },
            )
            items = _items(job, congress, selection)
            if not items:
                raise BulkRefused(_("Nothing selected belongs to this congress."))
            BulkJobItem.objects.bulk_create(items, batch_size=2000)
            skipped = sum(1 for item in items if item.outcome == BulkItemOutcome.SKIPPED)
            BulkJob.objects.filter(pk=job.pk).update(total=len(items), skipped=skipped)
            job.total, job.skipped = len(items), skipped
            audit.record(
                action="convene.registration.bulk_requested",
                congress=congress,
                actor=by,
                target=job,
                data={
                    "kind": kind,
                    "items": len(items),
                    "skipped": skipped,
                    "reason": reason,
                    "filters": described_filters or {},
                },
            )
            job_id = job.pk
            transaction.on_commit(lambda: run_bulk_job_task.enqueue(job_id))
    except IntegrityError:  # the same token, submitted twice at once: the other one won
        existing = BulkJob.objects.filter(token=token, congress=congress).first()
        if existing is None:
            raise
        return existing
    return job


def _items(job: BulkJob, congress: Congress, selection: Selection) -> list[BulkJobItem]:
    now = timezone.now()

    def item(reason: str, **target) -> BulkJobItem:
        return BulkJobItem(
            job=job,
            outcome=BulkItemOutcome.SKIPPED if reason else BulkItemOutcome.PENDING,
            reason=reason[:500],
            handled_at=now if reason else None,
            **target,
        )

    if job.kind in ORDER_KINDS:
        rows = orders_of(congress, selection).order_by("pk").values_list("pk", "code", "status")
        return [
            item(_order_skip_reason(job.kind, status), order_id=pk, label=code)
            for pk, code, status in rows
        ]
    rows = (
        delegates_of(congress, selection)
        .order_by("pk")
        .values_list("pk", "order_id", "given_name", "family_name", "order__code", "is_cancelled")
        .annotate(order_status=F("order__status"))
    )
    return [
        item(
            _delegate_skip_reason(cancelled, status),
            delegate_id=pk,
            order_id=order_id,
            label=f"{given} {family} ({code})"[:300],
        )
        for pk, order_id, given, family, code, cancelled, status in rows
    ]


# --- running a job -------------------------------------------------------------------------

CHUNK = 200


def run_bulk_job(*, job_id: int) -> BulkJob:
    """Apply the job to its pending items, one service call each, each in its own transaction.
    Only the run that claims the queued job works on it; the counters move as it goes."""
    now = timezone.now()
    claimed = BulkJob.objects.filter(pk=job_id, status=BulkJobStatus.QUEUED).update(
        status=BulkJobStatus.RUNNING,
        started_at=Coalesce(F("started_at"), Value(now)),  # a resumed run keeps the first start
        heartbeat_at=now,
        runs=F("runs") + 1,
    )
    job = BulkJob.objects.select_related("congress", "requested_by").get(pk=job_id)
    if not claimed:
        return job
    # the reasons written on the items read in the requester's language, as the plan did
    with translation.override(job.parameters.get("language") or None):
        ours = _run_items(job)
    finished = timezone.now()
    if not ours or not BulkJob.objects.filter(**_this_run(job)).update(
        status=BulkJobStatus.DONE, finished_at=finished, heartbeat_at=finished
    ):
        return BulkJob.objects.get(pk=job.pk)  # given to another run meanwhile: it finishes
    job.refresh_from_db()
    audit.record(
        action="convene.registration.bulk_finished",
        congress=job.congress,
        actor=job.requested_by,
        target=job,
        data={
            "kind": job.kind,
            "items": job.total,
            "done": job.done,
            "skipped": job.skipped,
            "failed": job.failed,
        },
    )
    return job


def _this_run(job: BulkJob) -> dict:
    """The job, still running under this run (the sweep did not hand it to another one)."""
    return {"pk": job.pk, "status": BulkJobStatus.RUNNING, "runs": job.runs}


def _run_items(job: BulkJob) -> bool:
    """The pending items, in order, in chunks; stops (False) when the job was handed to
    another run because this one looked dead (it was only slow)."""
    last = 0
    while True:
        if not BulkJob.objects.filter(**_this_run(job)).exists():
            return False
        chunk = list(
            job.items.filter(outcome=BulkItemOutcome.PENDING, pk__gt=last).order_by("pk")[:CHUNK]
        )
        if not chunk:
            return True
        for entry in chunk:
            last = entry.pk
            outcome, reason = _run_item(job, entry)
            _record_outcome(job, entry, outcome, reason)


def _record_outcome(job: BulkJob, entry: BulkJobItem, outcome: str, reason: str) -> None:
    counter = {
        BulkItemOutcome.DONE: "done",
        BulkItemOutcome.SKIPPED: "skipped",
        BulkItemOutcome.FAILED: "failed",
    }[outcome]
    with transaction.atomic():
        changed = BulkJobItem.objects.filter(pk=entry.pk, outcome=BulkItemOutcome.PENDING).update(
            outcome=outcome, reason=str(reason)[:500], handled_at=timezone.now()
        )
        if changed:
            BulkJob.objects.filter(pk=job.pk).update(
                **{counter: F(counter) + 1}, heartbeat_at=timezone.now()
            )


def _run_item(job: BulkJob, entry: BulkJobItem) -> tuple[str, str]:
    """One item through its service: (outcome, reason). Never raises."""
    reason = job.parameters.get("reason", "")
    by = job.requested_by
    try:
        if job.kind == BulkKind.CANCEL_DELEGATES:
            delegate = (
                Delegate.objects.select_related("order__congress", "registration_type")
                .filter(pk=entry.delegate_id, order__congress=job.congress)
                .first()
            )
            if delegate is None:
                return BulkItemOutcome.FAILED, _("no longer exists")
            skip = _delegate_skip_reason(delegate.is_cancelled, delegate.order.status)
            if skip:
                return BulkItemOutcome.SKIPPED, skip
            cancel_delegate(delegate=delegate, by=by, reason=reason)
            return BulkItemOutcome.DONE, ""
        order = (
            Order.objects.select_related("congress")
            .filter(pk=entry.order_id, congress=job.congress)
            .first()
        )
        if order is None:
            return BulkItemOutcome.FAILED, _("no longer exists")
        skip = _order_skip_reason(job.kind, order.status)
        if skip:
            return BulkItemOutcome.SKIPPED, skip
        if job.kind == BulkKind.APPROVE:
            approve_order(order=order, by=by, message=reason)
        elif job.kind == BulkKind.REJECT:
            reject_order(order=order, by=by, reason=reason)
        else:
            cancel_order(order=order, by=by, reason=reason)
        return BulkItemOutcome.DONE, ""
    except DomainError as error:
        return BulkItemOutcome.FAILED, str(error.message)
    except Exception:  # one item's unexpected failure is reported; the others still run
        logger.exception("bulk job %s: item %s failed", job.pk, entry.pk)
        return BulkItemOutcome.FAILED, _("an unexpected error (logged for the administrators)")


@task(queue_name="batch")
def run_bulk_job_task(job_id: int) -> int:
    """Run a recorded bulk job (``start_bulk_job`` queues it on commit)."""
    return run_bulk_job(job_id=job_id).done


def requeue_stale_bulk_jobs(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: queue again every running job that has made no progress for
    ``BULK_JOB_STALE_MINUTES`` (its worker died); the new run takes the pending items only (the
    handled ones keep their outcome, and each item is applied by compare-and-set on its pending
    state, so nothing is applied twice). A job whose run stopped ``BULK_JOB_MAX_RUNS`` times is
    finished instead, its pending items failed with the reason. Returns how many were queued or
    finished. Each job moves by compare-and-set on its status and pulse: two sweeps at once, or
    a run that wakes up, never both win."""
    now = now or timezone.now()
    silent_since = now - dt.timedelta(minutes=settings.BULK_JOB_STALE_MINUTES)
    stale = BulkJob.objects.filter(status=BulkJobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=silent_since)
        | Q(heartbeat_at__isnull=True, started_at__lt=silent_since)  # run before the pulse
        | Q(heartbeat_at__isnull=True, started_at__isnull=True)
    )
    moved = 0
    for job in stale.select_related("congress", "requested_by").order_by("pk"):
        if job.runs >= settings.BULK_JOB_MAX_RUNS:
            moved += _give_up(job, now)
            continue
        with transaction.atomic():
            if not BulkJob.objects.filter(
                pk=job.pk, status=BulkJobStatus.RUNNING, heartbeat_at=job.heartbeat_at
            ).update(status=BulkJobStatus.QUEUED, heartbeat_at=now):
                continue
            pending = job.items.filter(outcome=BulkItemOutcome.PENDING).count()
            audit.record(
                action="convene.registration.bulk_requeued",
                congress=job.congress,
                actor_label="system",
                target=job,
                data={"kind": job.kind, "runs": job.runs, "pending": pending},
            )
            job_id = job.pk
            transaction.on_commit(lambda job_id=job_id: run_bulk_job_task.enqueue(job_id))
        moved += 1
    return moved


def _give_up(job: BulkJob, now: dt.datetime) -> int:
    """Finish a job whose runs kept dying: its pending items failed, with the reason."""
    with transaction.atomic():
        if not BulkJob.objects.filter(
            pk=job.pk, status=BulkJobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(status=BulkJobStatus.DONE, finished_at=now, heartbeat_at=now):
            return 0
        with translation.override(job.parameters.get("language") or None):
            reason = _("not applied: the run stopped %(runs)s times without finishing") % {
                "runs": job.runs
            }
        failed = job.items.filter(outcome=BulkItemOutcome.PENDING).update(
            outcome=BulkItemOutcome.FAILED, reason=reason[:500], handled_at=now
        )
        BulkJob.objects.filter(pk=job.pk).update(failed=F("failed") + failed)
        audit.record(
            action="convene.registration.bulk_abandoned",
            congress=job.congress,
            actor_label="system",
            target=job,
            data={"kind": job.kind, "runs": job.runs, "failed": failed},
        )
    return 1


@task()
def requeue_stale_bulk_jobs_task() -> int:
    """Periodic (settings.PERIODIC_TASKS): bulk jobs whose worker died are run again."""
    return requeue_stale_bulk_jobs()


def outcome_counts(job: BulkJob) -> Counter:
    """The job's items by outcome, from the rows (the counters' check)."""
    return Counter(dict(job.items.order_by().values_list("outcome").annotate(n=Count("id"))))


KIND_CONSEQUENCES = {
    BulkKind.APPROVE: gettext_lazy(
        "Each contact gets the approval e-mail (in the order's language) with your message, "
        "and the days to pay start now; free orders are confirmed at once."
    ),
    BulkKind.REJECT: gettext_lazy(
        "Each order is cancelled and its seats are released (offered to the waiting list); "
        "each contact gets the rejection e-mail with your reason, also shown on their page."
    ),
    BulkKind.CANCEL_ORDERS: gettext_lazy(
        "Each order and its delegates are cancelled, the seats released (offered to the "
        "waiting list) and each contact gets the cancellation e-mail."
    ),
    BulkKind.CANCEL_DELEGATES: gettext_lazy(
        "Each delegate is cancelled and their seat released (offered to the waiting list); "
        "the contact is told by e-mail. An order whose last delegate is cancelled is "
        "cancelled as a whole."
    ),
}
