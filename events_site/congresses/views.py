from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from events_site.accounts import two_factor, user_sessions
from events_site.accounts.reauth import reauth_required

from . import audit, audit_log, health, services, sign_in_history
from .congress_forms import organisations_for
from .dashboard import dashboard_for
from .enums import PUBLIC_STATUSES, Perm
from .errors import DomainError
from .forms import CongressSecurityForm
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
    can_create = organisations_for(request.user).exists()
    return render(
        request,
        "congresses/dashboard.html",
        {"rows": rows, "Perm": Perm, "can_create": can_create},
    )


@congress_perm_required(None)
def backoffice(request, congress):
    """The congress's overview for every team member: the dashboard panels their roles allow
    (``settings.BACKOFFICE_PANELS``, counted at most half a minute ago), then the venues for
    those who see the back office."""
    perms = congress_permissions(request.user, congress)
    venues = congress.venues.prefetch_related("rooms") if Perm.VIEW in perms else ()
    dashboard = dashboard_for(congress, perms)
    return render(
        request,
        "congresses/backoffice.html",
        {
            "congress": congress,
            "perms": perms,
            "venues": venues,
            "dashboard": dashboard,
            "panels": dashboard.panels,
            "Perm": Perm,
        },
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


@login_required
@require_GET
def sign_in_activity(request):
    """The signed-in person's own sign-ins, failed sign-ins and sign-outs, and the browsers
    signed in as them, each of which they can sign out."""
    page = Paginator(sign_in_history.history(request.user), 50).get_page(request.GET.get("page"))
    entries = [(entry, sign_in_history.ACTIONS[entry.action]) for entry in page]
    sessions = [
        (row, user_sessions.is_this_browser(request, row))
        for row in user_sessions.active_for(request)
    ]
    return render(
        request,
        "congresses/sign_in_activity.html",
        {"page": page, "entries": entries, "sessions": sessions},
    )


@login_required
@require_POST
def sign_out_everywhere(request):
    """End the person's other sessions ("everywhere else") or all of them ("everywhere")."""
    keep = request.POST.get("scope") != "everywhere"
    ended = sign_in_history.sign_out_everywhere(request=request, keep_this_browser=keep)
    if not keep:
        return redirect(settings.LOGIN_URL)
    messages.success(
        request,
        ngettext(
            "%(count)s other browser was signed out.",
            "%(count)s other browsers were signed out.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("congresses:sign_in_activity")


SECURITY_TEAM_SHOWN = 50


def _security_page(request, congress, form, *, status: int = 200):
    team = get_user_model().objects.filter(congress_roles__congress=congress).distinct()
    missing = two_factor.without_two_factor(team)
    return render(
        request,
        "congresses/security.html",
        {
            "congress": congress,
            "form": form,
            "team_count": team.count(),
            "missing_count": missing.count(),
            "missing": missing[:SECURITY_TEAM_SHOWN],
            "own_two_factor": two_factor.has_two_factor(request.user),
        },
        status=status,
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


@congress_perm_required(Perm.MANAGE_CONGRESS)
def security(request, congress):
    """The owner's security page: require two-factor sign-in for the team (a change needs a
    recent sign-in)."""
    if request.method == "POST":
        return _change_security(request, congress=congress)
    form = CongressSecurityForm(initial={"require_two_factor": congress.require_two_factor})
    return _security_page(request, congress, form)


@reauth_required
def _change_security(request, *, congress):
    form = CongressSecurityForm(request.POST)
    if form.is_valid():
        try:
            services.set_two_factor_requirement(
                congress=congress,
                required=form.cleaned_data["require_two_factor"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error("require_two_factor", error.message)
        else:
            messages.success(request, _("Security settings saved."))
            return redirect("congresses:security", congress_slug=congress.slug)
    return _security_page(request, congress, form, status=400)
