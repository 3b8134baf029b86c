from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .congress_forms import organisations_for
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
    can_create = organisations_for(request.user).exists()
    return render(
        request,
        "congresses/dashboard.html",
        {"rows": rows, "Perm": Perm, "can_create": can_create},
    )


@congress_perm_required(Perm.VIEW)
def backoffice(request, congress):
    perms = congress_permissions(request.user, congress)
    venues = congress.venues.prefetch_related("rooms")
    return render(
        request,
        "congresses/backoffice.html",
        {"congress": congress, "perms": perms, "venues": venues, "Perm": Perm},
    )
