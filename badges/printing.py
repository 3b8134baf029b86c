"""Print jobs: batches recorded and rendered in the background, their liveness (heartbeat, time
limit, the stale sweep, retry) and the single badge printed at the desk.

The render task is defined here, beside the work it queues; ``badges.tasks`` names it too, so a
job queued under the old path still runs. This module builds on ``services``, never the reverse.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from registrations.models import RegistrationType

from . import selectors
from .enums import BadgeSort, PageFormat, PrintJobFailure, PrintJobKind, PrintJobStatus
from .models import Badge, PrintJob
from .pdf import render_badges_pdf, render_single
from .services import _user, issue_badges


class NothingToPrint(DomainError):
    code = "nothing_to_print"


class ReasonRequired(DomainError):
    code = "reason_required"


class PrintJobNotRetryable(DomainError):
    code = "print_job_not_retryable"
    status_code = 409


def create_print_job(
    *,
    congress: Congress,
    by,
    by_label: str = "",
    page_format: str = PageFormat.A6,
    crop_marks: bool = False,
    back_side: bool = False,
    only_unprinted: bool = False,
    registration_type: RegistrationType | None = None,
    sort: str = BadgeSort.FAMILY_NAME,
    reason: str = "",
    enqueue: bool = True,
) -> PrintJob:
    """Record a batch (who, when, which badges) and render it in the background.

    A batch that contains badges printed before is a reprint and needs a reason.
    """
    if registration_type is not None and registration_type.congress_id != congress.pk:
        raise DomainError(_("That registration type belongs to another congress."))
    issue_badges(congress=congress)
    badges = selectors.badges_for_printing(
        congress,
        only_unprinted=only_unprinted,
        registration_type_id=registration_type.pk if registration_type else None,
        sort=sort,
    )
    badge_ids = list(badges.values_list("pk", flat=True))
    if not badge_ids:
        raise NothingToPrint(_("No badges match: nothing to print."))
    reprint = Badge.objects.filter(pk__in=badge_ids, printed_at__isnull=False).exists()
    reason = reason.strip()[:200]
    if reprint and not reason:
        raise ReasonRequired(
            _("Some of these badges were printed before: give a reason for the reprint.")
        )
    with transaction.atomic():
        job = PrintJob.objects.create(
            congress=congress,
            kind=PrintJobKind.REPRINT if reprint else PrintJobKind.BATCH,
            created_by=_user(by),
            created_by_label=by_label[:120],
            page_format=page_format,
            crop_marks=crop_marks,
            back_side=back_side,
            only_unprinted=only_unprinted,
            registration_type=registration_type,
            sort=sort,
            reason=reason,
            badge_count=len(badge_ids),
            heartbeat_at=timezone.now(),  # queued: the sweep gives a worker the time limit
        )
        _record_badges(job, badge_ids)
        audit.record(
            action="convene.badges.print_job_created",
            congress=congress,
            actor=by,
            actor_label=by_label,
            target=job,
            data={"badges": len(badge_ids), "kind": job.kind, "reason": reason},
        )
        if enqueue:
            job_id = job.pk
            transaction.on_commit(lambda: render_print_job.enqueue(job_id))
    return job


def _record_badges(job: PrintJob, badge_ids: list[int]) -> None:
    through = PrintJob.badges.through
    through.objects.bulk_create(
        [through(printjob_id=job.pk, badge_id=pk) for pk in badge_ids], batch_size=2000
    )


class _TimeLimitReached(Exception):
    """This run went past its job's deadline."""


class _RunAbandoned(Exception):
    """This run no longer owns its job (the sweep failed it): stop, change nothing."""


def run_print_job(*, job: PrintJob, out: BinaryIO | None = None) -> PrintJob:
    """Render the job's badges in its recorded order; into ``out`` or a private file under
    MEDIA_ROOT (served only through the permission-checked download view).

    A queued job is claimed by one run (``attempts`` counts them); the run beats
    (``heartbeat_at``) after every chunk and stops at the job's deadline. A run that the sweep
    has meanwhile marked failed stops at its next beat and changes nothing more.
    """
    job = PrintJob.objects.select_related("congress").get(pk=job.pk)
    congress = job.congress
    name = ""
    if out is None:
        name = default_storage.generate_filename(
            f"badge-prints/{congress.slug}/{secrets.token_urlsafe(16)}/badges-{job.pk}.pdf"
        )
    now = timezone.now()
    claimed = PrintJob.objects.filter(pk=job.pk, status=PrintJobStatus.QUEUED).update(
        status=PrintJobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        deadline_at=now + timedelta(seconds=settings.BADGES_PRINT_JOB_TIME_LIMIT),
        finished_at=None,
        rendered_count=0,
        attempts=F("attempts") + 1,
        file=name,  # where this run writes; offered for download only once the job is done
        error="",
        failure="",
    )
    if not claimed:
        return PrintJob.objects.get(pk=job.pk)  # another worker has it, or it is done or failed
    job.refresh_from_db()
    this_run = PrintJob.objects.filter(
        pk=job.pk, status=PrintJobStatus.RUNNING, attempts=job.attempts
    )
    order = selectors.SORT_ORDERS[BadgeSort(job.sort)]
    badges = Badge.objects.filter(print_jobs=job).order_by(*order)
    options = selectors.render_options(
        congress, page_format=job.page_format, crop_marks=job.crop_marks, back_side=job.back_side
    )
    items = selectors.print_items(congress, badges, options.language)

    def progress(done: int) -> None:
        beat = timezone.now()
        if beat >= job.deadline_at:
            raise _TimeLimitReached
        if not this_run.update(rendered_count=done, heartbeat_at=beat):
            raise _RunAbandoned

    started = time.monotonic()
    try:
        if out is not None:
            render_badges_pdf(items, out, options, on_progress=progress)
        else:
            path = Path(default_storage.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                render_badges_pdf(items, handle, options, on_progress=progress)
    except _RunAbandoned:
        _remove_partial_file(name)
        return PrintJob.objects.get(pk=job.pk)
    except _TimeLimitReached:
        _fail_run(job=job, failure=PrintJobFailure.TIME_LIMIT)
        return PrintJob.objects.get(pk=job.pk)
    except Exception as exc:
        _fail_run(job=job, failure=PrintJobFailure.ERROR, error=str(exc))
        raise
    seconds = time.monotonic() - started
    now = timezone.now()
    with transaction.atomic():
        finished = this_run.update(
            status=PrintJobStatus.DONE,
            finished_at=now,
            heartbeat_at=now,
            seconds=seconds,
            rendered_count=job.badge_count,
        )
        if finished:
            _mark_printed(Badge.objects.filter(print_jobs=job), now)
            audit.record(
                action="convene.badges.printed",
                congress=congress,
                actor=job.created_by,
                actor_label=job.created_by_label,
                target=job,
                data={"badges": job.badge_count, "seconds": round(seconds, 2)},
            )
    if not finished:  # failed by the sweep while the last chunk rendered: its file is not kept
        _remove_partial_file(name)
    return PrintJob.objects.get(pk=job.pk)


@task(queue_name="batch")
def render_print_job(job_id: int) -> int:
    """Render a queued batch (``create_print_job`` and ``retry_print_job`` queue it on commit)."""
    job = run_print_job(job=PrintJob.objects.get(pk=job_id))
    return job.rendered_count


def _fail_run(*, job: PrintJob, failure: str, error: str = "") -> bool:
    """Mark the job failed if it is still in the state (and run) ``job`` was read in; audited.
    Returns whether this call failed it. The run's unfinished file is removed after commit."""
    name = job.file.name if job.file else ""
    now = timezone.now()
    with transaction.atomic():
        failed = PrintJob.objects.filter(
            pk=job.pk, status=job.status, attempts=job.attempts
        ).update(
            status=PrintJobStatus.FAILED,
            failure=failure,
            error=error[:2000],
            finished_at=now,
            file="",
        )
        if failed:
            audit.record(
                action="convene.badges.print_job_failed",
                congress=job.congress,
                target=job,
                data={
                    "failure": str(failure),
                    "attempt": job.attempts,
                    "rendered": job.rendered_count,
                    "badges": job.badge_count,
                },
            )
            transaction.on_commit(lambda: _remove_partial_file(name))
    return bool(failed)


def _remove_partial_file(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def _stale_jobs(now) -> Q:
    """Running jobs silent for ``BADGES_PRINT_JOB_STALE_AFTER`` or past their deadline, and
    jobs queued longer than the time limit without any worker taking them."""
    silent_since = now - timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER)
    queued_since = now - timedelta(seconds=settings.BADGES_PRINT_JOB_TIME_LIMIT)
    running = Q(status=PrintJobStatus.RUNNING) & (
        Q(heartbeat_at__lt=silent_since)
        | Q(deadline_at__lt=now)
        | Q(heartbeat_at__isnull=True)  # started before jobs had a heartbeat
    )
    queued = Q(status=PrintJobStatus.QUEUED) & (
        Q(heartbeat_at__lt=queued_since) | Q(heartbeat_at__isnull=True, created_at__lt=queued_since)
    )
    return running | queued


def _failure_of(job: PrintJob, now) -> str:
    if job.status == PrintJobStatus.QUEUED:
        return PrintJobFailure.NEVER_STARTED
    if job.deadline_at is not None and job.deadline_at < now:
        return PrintJobFailure.TIME_LIMIT
    return PrintJobFailure.STALLED


def _fail_stale(jobs, now) -> int:
    failed = 0
    for job in jobs.filter(_stale_jobs(now)).select_related("congress").order_by("pk"):
        failed += _fail_run(job=job, failure=_failure_of(job, now))
    return failed


def fail_stale_print_jobs(*, now=None) -> int:
    """The periodic sweep (``manage.py fail_stale_print_jobs``): mark every print job whose
    worker is gone failed, with the reason; returns how many. Safe to run anywhere, any time:
    each job is failed by compare-and-set on its state and run."""
    return _fail_stale(PrintJob.objects.all(), now or timezone.now())


def fail_print_job_if_stale(*, job: PrintJob) -> PrintJob:
    """The same check for one job (its page runs it), so nobody watches a dead job's bar."""
    _fail_stale(PrintJob.objects.filter(pk=job.pk), timezone.now())
    return PrintJob.objects.select_related("congress", "created_by").get(pk=job.pk)


def retry_print_job(*, job: PrintJob, by) -> PrintJob:
    """Queue a failed print job again, with the same badges and options (a new run)."""
    job = fail_print_job_if_stale(job=job)
    if job.status != PrintJobStatus.FAILED:
        raise PrintJobNotRetryable(_("Only a failed print job can be tried again."))
    with transaction.atomic():
        queued = PrintJob.objects.filter(pk=job.pk, status=PrintJobStatus.FAILED).update(
            status=PrintJobStatus.QUEUED,
            heartbeat_at=timezone.now(),
            started_at=None,
            finished_at=None,
            deadline_at=None,
            rendered_count=0,
            seconds=None,
            file="",
            error="",
            failure="",
        )
        if not queued:
            raise PrintJobNotRetryable(_("This print job was already tried again."))
        audit.record(
            action="convene.badges.print_job_retried",
            congress=job.congress,
            actor=by,
            target=job,
            data={"failure": job.failure, "attempts": job.attempts},
        )
        job_id = job.pk
        transaction.on_commit(lambda: render_print_job.enqueue(job_id))
    return PrintJob.objects.get(pk=job.pk)


def _mark_printed(badges, now) -> None:
    badges.filter(printed_at__isnull=True).update(printed_at=now)
    badges.update(print_count=F("print_count") + 1)


def render_desk_badge(*, badge: Badge) -> tuple[Badge, bytes, float]:
    """One badge rendered now (well under a second), nothing recorded: the print station's
    GET shows it; :func:`record_desk_print` records it once the station says it printed."""
    badge = Badge.objects.select_related("delegate__registration_type", "congress").get(pk=badge.pk)
    if badge.delegate.erased_at is not None:
        raise DomainError(_("This delegate's personal data were erased: the badge is not printed."))
    congress = badge.congress
    options = selectors.render_options(congress, page_format=PageFormat.A6)
    chooser = selectors.LayoutChooser(congress)
    with translation.override(options.language):
        item = selectors.print_item(badge, chooser.for_delegate(badge.delegate))
    started = time.monotonic()
    pdf = render_single(item, options)
    return badge, pdf, time.monotonic() - started


def record_desk_print(*, badge: Badge, by, reason: str = "", seconds: float | None = None):
    """Record one badge printed at a desk or print station: a desk print job, the badge marked
    printed, an audit entry."""
    reprint = badge.printed_at is not None
    now = timezone.now()
    with transaction.atomic():
        job = PrintJob.objects.create(
            congress=badge.congress,
            kind=PrintJobKind.DESK,
            status=PrintJobStatus.DONE,
            created_by=_user(by),
            page_format=PageFormat.A6,
            reason=(reason or (_("Reprinted at the desk") if reprint else ""))[:200],
            badge_count=1,
            rendered_count=1,
            started_at=now,
            finished_at=now,
            seconds=seconds,
        )
        _record_badges(job, [badge.pk])
        _mark_printed(Badge.objects.filter(pk=badge.pk), now)
        audit.record(
            action="convene.badges.printed_at_desk",
            congress=badge.congress,
            actor=by,
            target=badge,
            data={"job": job.pk, "reprint": reprint},
        )
    return job


def print_at_desk(*, badge: Badge, by, reason: str = "") -> tuple[PrintJob, bytes]:
    """One badge, rendered now (well under a second), recorded as a desk print job."""
    badge, pdf, seconds = render_desk_badge(badge=badge)
    job = record_desk_print(badge=badge, by=by, reason=reason, seconds=seconds)
    return job, pdf
