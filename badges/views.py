"""Staff pages: the check-in desk (checkin.operate) and badge printing (badges.manage)."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from events_site.congresses import audit, rate_limits
from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.permissions import congress_perm_required
from events_site.congresses.text import printable
from registrations.models import Delegate

from . import printing, selectors, services
from .enums import CheckInChannel, PrintJobStatus
from .forms import PrintBatchForm, ReasonForm, UndoCheckInForm
from .models import Badge, PrintJob


def _desk_delegate(congress, delegate_id: int) -> Delegate:
    return get_object_or_404(selectors.desk_delegates(congress), pk=delegate_id)


@congress_perm_required(Perm.CHECK_IN)
def checkin_desk(request, congress):
    code = request.GET.get("code", "")
    query = request.GET.get("q", "")
    context = {
        "congress": congress,
        "code": code,
        "query": query,
        "desk": request.session.get("badges_desk", ""),
        "just_checked_in": request.GET.get("done") == "1",
    }
    if code or query:
        # A stolen staff session must not walk the delegate list: lookups per account.
        rate_limits.check(request, name="checkin_search", key=f"user:{request.user.pk}")
    if code:
        try:
            badge = services.look_up_scan(
                congress=congress,
                code=code,
                by=request.user,
                desk=context["desk"],
                channel=CheckInChannel.DESK,
            )
        except services.InvalidBadgeCode as error:
            context["invalid"] = error.message
        else:
            context["person"] = selectors.desk_person(_desk_delegate(congress, badge.delegate_id))
    elif request.GET.get("delegate", "").isdigit():
        delegate = _desk_delegate(congress, int(request.GET["delegate"]))
        context["person"] = selectors.desk_person(delegate)
    elif query:
        found = selectors.desk_search(congress, query)
        context["results"] = [selectors.desk_person(d) for d in found]
    status = 200
    if context.get("invalid"):
        status = 422
    return render(request, "badges/checkin.html", context, status=status)


@require_GET
@congress_perm_required(Perm.CHECK_IN)
def delegate_photo(request, congress, delegate_id: int):
    """The photo a delegate gave (private storage), for the desk to tell homonyms apart: check-in
    staff of this congress only, never cached by a shared cache."""
    delegate = get_object_or_404(
        Delegate.objects.only("photo"),
        pk=delegate_id,
        order__congress=congress,
        erased_at__isnull=True,
    )
    if not delegate.photo:
        raise Http404
    content_type = mimetypes.guess_type(delegate.photo.name)[0] or "application/octet-stream"
    response = FileResponse(delegate.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@congress_perm_required(Perm.CHECK_IN)
def refused_scans(request, congress):
    """The desk's refusal log, newest first, 50 a page."""
    page = Paginator(selectors.refused_scans(congress), 50).get_page(request.GET.get("page"))
    for scan in page:
        scan.local_at = timezone.localtime(scan.at, congress.tz)
    return render(request, "badges/refused_scans.html", {"congress": congress, "page": page})


def _check_in(request, congress, delegate: Delegate):
    desk = printable(request.POST.get("desk", "")).strip()[:60]  # a label, cleaned not refused
    request.session["badges_desk"] = desk
    badge = services.badge_for(delegate=delegate)
    return services.check_in(badge=badge, by=request.user, desk=desk, channel=CheckInChannel.DESK)


@require_POST
@congress_perm_required(Perm.CHECK_IN)
def checkin_person(request, congress, delegate_id: int):
    delegate = _desk_delegate(congress, delegate_id)
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    try:
        result = _check_in(request, congress, delegate)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{url}?delegate={delegate.pk}")
    return redirect(f"{url}?delegate={delegate.pk}&done={1 if result.checked_in else 0}")


@require_POST
@congress_perm_required(Perm.CHECK_IN)
def undo_checkin(request, congress, delegate_id: int):
    """Undo a check-in (with a reason): the person may check in again afterwards."""
    delegate = _desk_delegate(congress, delegate_id)
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    form = UndoCheckInForm(request.POST)
    badge = getattr(delegate, "badge", None)
    if not form.is_valid() or badge is None:
        messages.error(request, _undo_refused_message(form))
        return redirect(f"{url}?delegate={delegate.pk}")
    try:
        services.undo_check_in(badge=badge, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Check-in undone: this person may check in again."))
    return redirect(f"{url}?delegate={delegate.pk}")


def _undo_refused_message(form) -> str:
    errors = [str(e) for e in form.errors.get("reason", [])]
    return " ".join([gettext("The check-in was not undone."), *errors])


@require_POST
@congress_perm_required(Perm.CHECK_IN)
def checkin_and_print(request, congress, delegate_id: int):
    """Check in (if not yet) and return the single-badge PDF, opened for printing."""
    delegate = _desk_delegate(congress, delegate_id)
    try:
        result = _check_in(request, congress, delegate)
    except DomainError as error:
        return HttpResponse(str(error.message), status=409, content_type="text/plain")
    _job, pdf = printing.print_at_desk(badge=result.badge, by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{delegate.pk}.pdf"'
    return response


# --- Printing (badges.manage) ---------------------------------------------------------------


@congress_perm_required(Perm.MANAGE_BADGES)
def print_batches(request, congress):
    form = PrintBatchForm(request.POST or None, congress=congress)
    if request.method == "POST" and form.is_valid():
        try:
            job = printing.create_print_job(congress=congress, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("badges:print_job", congress_slug=congress.slug, job_id=job.pk)
    jobs = PrintJob.objects.filter(congress=congress).select_related("created_by")[:50]
    return render(request, "badges/print.html", {"congress": congress, "form": form, "jobs": jobs})


def _job(congress, job_id: int) -> PrintJob:
    return get_object_or_404(PrintJob, pk=job_id, congress=congress)


@congress_perm_required(Perm.MANAGE_BADGES)
def print_job(request, congress, job_id: int):
    job = printing.fail_print_job_if_stale(job=_job(congress, job_id))
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "badges": job.badge_count,
                "rendered": job.rendered_count,
                "percent": job.progress_percent,
                "failure": job.failure or None,
                "failure_label": str(job.get_failure_display()) if job.failure else None,
                "download": reverse(
                    "badges:print_job_download",
                    kwargs={"congress_slug": congress.slug, "job_id": job.pk},
                )
                if job.status == PrintJobStatus.DONE and job.file
                else None,
            }
        )
    running = job.status in (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING)
    return render(
        request,
        "badges/print_job.html",
        {"congress": congress, "job": job, "running": running, "statuses": PrintJobStatus},
    )


@require_POST
@congress_perm_required(Perm.MANAGE_BADGES)
def retry_print_job(request, congress, job_id: int):
    job = _job(congress, job_id)
    try:
        printing.retry_print_job(job=job, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("badges:print_job", congress_slug=congress.slug, job_id=job.pk)


@congress_perm_required(Perm.MANAGE_BADGES)
def print_job_download(request, congress, job_id: int):
    job = _job(congress, job_id)
    if job.status != PrintJobStatus.DONE or not job.file:
        raise Http404
    audit.record_export(
        congress=congress,
        actor=request.user,
        export="badges.print_job",
        fmt="pdf",
        rows=job.badge_count,
        filters={"job": job.pk, "kind": job.kind},
    )
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"badges-{congress.slug}-{job.pk}.pdf",
        content_type="application/pdf",
    )


def _badge(congress, badge_id: int) -> Badge:
    return get_object_or_404(Badge, pk=badge_id, congress=congress)


@require_POST
@congress_perm_required(Perm.MANAGE_BADGES)
def reissue_badge(request, congress, badge_id: int):
    badge = _badge(congress, badge_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.reissue_secret(badge=badge, by=request.user, reason=reason)
    messages.success(request, _reissued_message())
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    return redirect(f"{url}?delegate={badge.delegate_id}")


def _reissued_message():
    from django.utils.translation import gettext

    return gettext("New badge code issued; the old badge no longer works. Print the new badge.")


@require_POST
@congress_perm_required(Perm.MANAGE_BADGES)
def reprint_badge(request, congress, badge_id: int):
    badge = _badge(congress, badge_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    _job, pdf = printing.print_at_desk(
        badge=badge, by=request.user, reason=form.cleaned_data["reason"]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{badge.delegate_id}.pdf"'
    return response
