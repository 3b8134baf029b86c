"""Bulk actions from the registrations list and the approval queue (thin views over
:mod:`registrations.bulk`): the confirmation page (GET: what would happen, what is skipped and
why), its POST (records the job, once per nonce), the job's progress page with its JSON, and the
recent jobs. Exports and messages of a selection hand over to the export and the outbox."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import bulk, selectors
from .enums import BulkItemOutcome, BulkKind
from .list_forms import DelegateListForm, selected_codes, selected_ids
from .models import BulkJob
from .order_forms import BulkConfirmForm

# The actions of the list's bulk menu that are no job: they hand the selection over.
HANDOVER = ("export_csv", "export_xlsx", "message")
ITEMS_SHOWN = 200
# Parameters of the bulk request that are not the list's filter.
OWN_PARAMETERS = {"action", "scope", "selected", "order", "from", "token", "reason", "page"}


def _url(name: str, congress: Congress, **kwargs) -> str:
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _filter_query(data) -> list[tuple[str, str]]:
    """The list's own filter parameters of the request (to carry on and to link back)."""
    fields = set(DelegateListForm.base_fields) - {"col"}
    return [(name, value) for name, values in data.lists() if name in fields for value in values]


class _Request:
    """What one bulk request asks for, read from GET (confirmation) or POST (start)."""

    def __init__(self, congress: Congress, data):
        self.congress = congress
        self.action = data.get("action", "")
        self.from_queue = data.get("from") == "approvals"
        self.form = DelegateListForm(data, types=selectors.registration_types(congress))
        ids, bad_ids = selected_ids(data)
        codes, bad_codes = selected_codes(data)
        self.malformed = bad_ids + bad_codes
        self.selection = bulk.Selection(
            filters=self.form.filters(),
            delegate_ids=ids,
            order_codes=codes,
            whole_filter=data.get("scope") == "filter",
        )
        self.filter_query = _filter_query(data)

    def carried(self) -> list[tuple[str, str]]:
        """Hidden fields that repeat the request on the confirmation's POST."""
        fields = [("action", self.action), *self.filter_query]
        if self.selection.whole_filter:
            fields.append(("scope", "filter"))
        fields += [("selected", str(pk)) for pk in self.selection.delegate_ids]
        fields += [("order", code) for code in self.selection.order_codes]
        if self.from_queue:
            fields.append(("from", "approvals"))
        return fields

    def back(self) -> str:
        if self.from_queue:
            return _url("manage_approvals", self.congress)
        query = urlencode(self.filter_query)
        return _url("manage_list", self.congress) + (f"?{query}" if query else "")

    def handover_query(self) -> str:
        """The filter, and unless the whole filter is meant, the ticked delegates."""
        pairs = list(self.filter_query)
        if not self.selection.whole_filter:
            pairs += [("selected", str(pk)) for pk in self.selection.delegate_ids]
        return urlencode(pairs)


def outbox_url(congress: Congress) -> str:
    """The outbox's "new message" page, which reads the list's filter and ``selected=``."""
    return _url("manage_outbox_compose", congress)


def _handover(request, congress: Congress, asked: _Request):
    if asked.action == "message":
        return redirect(f"{outbox_url(congress)}?{asked.handover_query()}")
    fmt = asked.action.removeprefix("export_")
    return redirect(f"{_url('manage_export', congress, fmt=fmt)}?{asked.handover_query()}")


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def bulk_action(request, congress: Congress):
    """GET: the confirmation of a bulk action on the selection (or the hand-over of an export
    or a message); POST: record the job and go to its progress page."""
    can_manage = has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    asked = _Request(congress, data)
    if asked.action in HANDOVER and request.method != "POST":
        if asked.selection.is_empty:
            messages.error(request, _("Tick at least one row, or choose all that match."))
            return redirect(asked.back())
        return _handover(request, congress, asked)
    if asked.action not in BulkKind.values:
        messages.error(request, _("Choose what to do with the selection."))
        return redirect(asked.back())
    if not can_manage:
        raise PermissionDenied
    if asked.selection.is_empty:
        messages.error(request, _("Tick at least one row, or choose all that match."))
        return redirect(asked.back())
    form = BulkConfirmForm(
        data if request.method == "POST" else None,
        kind=asked.action,
        initial={"token": bulk.new_token()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = bulk.start_bulk_job(
                congress=congress,
                by=request.user,
                kind=asked.action,
                selection=asked.selection,
                token=form.cleaned_data["token"],
                reason=form.cleaned_data["reason"],
                described_filters=asked.form.described() if asked.selection.whole_filter else {},
            )
        except bulk.BulkRefused as error:
            form.add_error(None, error.message)
        else:
            return redirect(_url("manage_bulk_job", congress, bulk_job_id=job.pk))
    plan = bulk.plan(congress=congress, kind=asked.action, selection=asked.selection)
    plan.unknown += asked.malformed
    return render(
        request,
        "registrations/manage/bulk_confirm.html",
        {
            "congress": congress,
            "plan": plan,
            "kind_label": BulkKind(asked.action).label,
            "consequences": bulk.KIND_CONSEQUENCES[asked.action],
            "form": form,
            "carried": asked.carried(),
            "back": asked.back(),
            "kinds": BulkKind,
        },
        status=400 if form.errors else 200,
    )


def _job(congress: Congress, bulk_job_id: int) -> BulkJob:
    return get_object_or_404(
        BulkJob.objects.select_related("requested_by"), pk=bulk_job_id, congress=congress
    )


def _job_json(job: BulkJob) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": not job.is_running,
        "total": job.total,
        "done": job.done,
        "skipped": job.skipped,
        "failed": job.failed,
        "handled": job.handled,
        "percent": job.progress_percent,
    }


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def bulk_job(request, congress: Congress, bulk_job_id: int):
    """How far the job is; once it ends, what was skipped or failed and why."""
    job = _job(congress, bulk_job_id)
    problems = (
        job.items.exclude(outcome__in=(BulkItemOutcome.DONE, BulkItemOutcome.PENDING))
        .select_related("order")
        .order_by("outcome", "pk")
    )
    return render(
        request,
        "registrations/manage/bulk_job.html",
        {
            "congress": congress,
            "job": job,
            "problems": list(problems[:ITEMS_SHOWN]),
            "problem_count": job.skipped + job.failed,
            "progress_url": _url("manage_bulk_job_progress", congress, bulk_job_id=job.pk),
            "outcomes": BulkItemOutcome,
        },
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def bulk_job_progress(request, congress: Congress, bulk_job_id: int):
    """The progress page's figures, polled by its script."""
    response = JsonResponse(_job_json(_job(congress, bulk_job_id)))
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def bulk_jobs(request, congress: Congress):
    """The congress's bulk jobs, newest first."""
    jobs = BulkJob.objects.filter(congress=congress).select_related("requested_by")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/manage/bulk_jobs.html",
        {"congress": congress, "page": page},
    )
