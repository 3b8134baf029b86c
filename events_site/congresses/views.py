from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events_site.accounts.reauth import reauth_required

from . import audit, audit_log, health
from .enums import PUBLIC_STATUSES, Perm
from .models import Congress
from .permissions import congress_perm_required, congress_permissions, congresses_with_perm


@never_cache
@require_GET
def healthz(request):
    """200 when the database, the cache and the task queue all answer; 503 naming the one that
    does not otherwise (for load balancers and monitors)."""
    checks = health.run_checks()
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def home(request):
    congresses = Congress.objects.filter(status__in=PUBLIC_STATUSES).select_related("organisation")
    return render(request, "congresses/home.html", {"congresses": congresses})


def congress_detail(request, congress_slug: str):
    congress = get_object_or_404(
        Congress.objects.select_related("organisation"), slug=congress_slug
    )
    if not congress.is_public and Perm.VIEW not in congress_permissions(request.user, congress):
        return HttpResponse(status=404)
    return render(request, "congresses/detail.html", {"congress": congress})


@login_required
def dashboard(request):
    """Every congress the signed-in person works on, with what they may do there."""
    congresses = (
        congresses_with_perm(request.user, Perm.CHECK_IN)
        | congresses_with_perm(request.user, Perm.VIEW)
    ).distinct()
    rows = [(c, congress_permissions(request.user, c)) for c in congresses]
    return render(request, "congresses/dashboard.html", {"rows": rows, "Perm": Perm})


@congress_perm_required(Perm.VIEW)
def backoffice(request, congress):
    perms = congress_permissions(request.user, congress)
    venues = congress.venues.prefetch_related("rooms")
    return render(
        request,
        "congresses/backoffice.html",
        {"congress": congress, "perms": perms, "venues": venues, "Perm": Perm},
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
def audit_page(request, congress):
    """The audit log of the congress for its owners: filters in the query string, newest first,
    a page at a time (keyset: ``before`` is the last entry of the previous page)."""
    form = audit_log.AuditFilterForm(request.GET or None, congress=congress)
    filters = form.filters()
    before = audit_log.Cursor.parse(request.GET.get("before", ""))
    page = audit_log.page_of(congress, filters, before=before)
    query = request.GET.copy()
    query.pop("before", None)
    next_query = None
    if page.next_cursor is not None:
        next_query = query.copy()
        next_query["before"] = str(page.next_cursor)
        next_query = next_query.urlencode()
    return render(
        request,
        "congresses/manage/audit.html",
        {
            "congress": congress,
            "form": form,
            "entries": [audit_log.shown(entry, congress) for entry in page.entries],
            "is_first": page.is_first,
            "query": query.urlencode(),
            "next_query": next_query,
        },
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
@reauth_required
def audit_export(request, congress, fmt: str):
    """The filtered audit log as CSV or XLSX (the download is itself audited)."""
    export = audit_log.EXPORTS.get(fmt)
    if export is None:
        raise Http404
    form = audit_log.AuditFilterForm(request.GET or None, congress=congress)
    filters = form.filters()
    content, rows = export.render(congress=congress, queryset=audit_log.entries(congress, filters))
    audit.record_export(
        congress=congress,
        actor=request.user,
        export="audit_log",
        fmt=export.identifier,
        rows=rows,
        filters={key: request.GET.get(key, "") for key in form.fields},
    )
    return export.attachment(content, filename=export.filename(congress))
