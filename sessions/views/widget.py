"""The embeddable programme widget: an iframe page (``/<congress>/widget/``) that only the
sites the organisers list may frame (its ``frame-ancestors``), the script variant's
snippet, and the organiser page that sets both up beside the room screens' addresses."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import http_caching, selectors, services
from ..errors import InvalidProgrammeData
from ..forms import WidgetSettingsForm
from ..services.widget import allowed_origins
from .common import parse_day, parse_filters, visible_congress

#: How many sessions the iframe lists at most (the rest: "full programme").
WIDGET_LIMIT = 200


def frame_ancestors(origins: list[str]) -> list[str]:
    """The widget page's ``frame-ancestors``: this site, and the sites listed."""
    return ["'self'", *origins]


def allow_framing(response, origins: list[str]) -> None:
    """Per response through django-csp 4: ``frame-ancestors`` replaced. X-Frame-Options
    cannot name other sites, so it says SAMEORIGIN only when no other site is allowed (and
    is left out otherwise: browsers that know CSP follow ``frame-ancestors``)."""
    response._csp_replace = {"frame-ancestors": frame_ancestors(origins)}
    if origins:
        response.xframe_options_exempt = True
    else:
        response["X-Frame-Options"] = "SAMEORIGIN"


@require_safe
def widget_page(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    origins = allowed_origins(congress)
    version = selectors.latest_version(congress)
    if version is None:
        response = render(request, "agenda/widget.html", {"congress": congress})
        allow_framing(response, origins)
        return response
    variant = "|".join(
        [request.GET.urlencode(), get_language() or "", ",".join(origins), str(settings.DEBUG)]
    )
    etag = quote_etag(http_caching.version_tag("widget", congress.slug, version, variant))
    last_modified = http_caching.last_modified_of(version.published_at)
    response = http_caching.not_modified(request, etag=etag, last_modified=last_modified)
    if response is None:
        programme = selectors.programme_of(version)
        filters = parse_filters(request.GET, programme)
        day = parse_day(request.GET["day"], programme.days) if request.GET.get("day") else None
        sessions = [
            s for s in programme.select(day=day, **filters.as_kwargs()) if not s.is_cancelled
        ]
        days: dict = {}
        for s in sessions[:WIDGET_LIMIT]:
            days.setdefault(s.day, []).append(s)
        response = render(
            request,
            "agenda/widget.html",
            {
                "congress": congress,
                "programme": programme,
                "days": days,
                "more": len(sessions) > WIDGET_LIMIT,
            },
        )
    http_caching.stamp(response, etag=etag, last_modified=last_modified, public=True)
    allow_framing(response, origins)
    return response


def snippets(congress) -> dict:
    site = settings.SITE_URL
    api = site + reverse("agenda-public-session-list", kwargs={"congress_slug": congress.slug})
    return {
        "widget_url": site + reverse("agenda:widget", kwargs={"congress_slug": congress.slug}),
        "api_base": api.removesuffix("sessions/"),
        "script_url": site + static("agenda/widget.js").split("?")[0],
        "css_url": site + static("agenda/widget.css").split("?")[0],
        "site": site,
    }


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def manage_widget(request, congress):
    """Screens and widget: the room screens' addresses, the sites that may embed the
    programme, and the snippets to paste on them."""
    current = allowed_origins(congress)
    form = WidgetSettingsForm(request.POST or None, initial={"origins": "\n".join(current)})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_widget_origins(
                congress=congress, by=request.user, origins=form.cleaned_data["origins"]
            )
        except InvalidProgrammeData as error:
            form.add_error("origins", error.message)
        else:
            messages.success(request, _("The sites that may embed the programme are saved."))
            return redirect("agenda:manage_widget", congress_slug=congress.slug)
    programme = selectors.published_programme(congress)
    rooms = (
        sorted(programme.rooms.values(), key=lambda r: (r.position, r.name)) if programme else []
    )
    response = render(
        request,
        "agenda/manage/widget.html",
        {
            "congress": congress,
            "form": form,
            "origins": current,
            "rooms": rooms,
            "published": programme is not None,
            **snippets(congress),
        },
    )
    response._csp_update = {"frame-src": ["'self'"]}  # the widget's preview
    return response
