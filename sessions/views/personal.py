"""A delegate's personal agenda, reached through their secret self-service link: marked
sessions, clash warnings, seats and waiting lists, and the calendar subscription."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events_site.congresses.errors import DomainError
from events_site.congresses.secret_links import get_by_secret_or_404
from registrations.models import Delegate

from .. import selectors, services
from ..enums import SessionFormat, SignupStatus
from ..models import Session, SessionSignup
from ..services.personal import delegate_may_book_seats, delegate_may_sign_up
from .common import MAX_QUERY, parse_day, parse_filters

# --- lookups ---------------------------------------------------------------------------------


def _delegate(congress_slug: str, delegate_secret: str) -> Delegate:
    return get_by_secret_or_404(
        Delegate.objects.select_related("order", "order__congress").filter(
            order__congress__slug=congress_slug
        ),
        secret=delegate_secret,
    )


#: The query-string keys of the personal page kept when a form sends the delegate back.
KEPT_KEYS = ("day", "page", "q", "track", "format", "language", "tag")


def _back(congress_slug: str, delegate_secret: str, request, code: str = "") -> str:
    """The personal page as the delegate left it: same day, page and filters (from the form's
    ``back`` field, only known keys, each short), scrolled to the session they acted on."""
    url = reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress_slug, "delegate_secret": delegate_secret},
    )
    sent = QueryDict(request.POST.get("back", "")[:2000])
    query = {}
    for key in KEPT_KEYS:
        value = sent.get(key, "") or request.POST.get(key, "")
        if value and len(value) <= MAX_QUERY and "\x00" not in value:
            query[key] = value
    if "page" in query and not (query["page"].isdigit() and len(query["page"]) <= 4):
        del query["page"]
    anchor = f"#choose-{code}" if code else ""
    return (f"{url}?{urlencode(query)}" if query else url) + anchor


def feed_urls(congress_slug: str, token: str | None) -> tuple[str, str]:
    if not token:
        return "", ""
    https = settings.SITE_URL + reverse(
        "agenda:personal_ics", kwargs={"congress_slug": congress_slug, "token": token}
    )
    return https, "webcal://" + https.split("://", 1)[1]


def overlaps_with_mine(browse, mine) -> dict[str, list[str]]:
    """Session code -> titles of the delegate's own sessions it overlaps: the warning shown
    beside "Add" or "Sign up" before the delegate books, not after."""
    chosen = [s for s in mine if not s.is_cancelled]
    chosen_codes = {s.code for s in chosen}
    found: dict[str, list[str]] = {}
    for session in browse:
        if session.is_cancelled or session.code in chosen_codes:
            continue
        titles = [
            s.title
            for s in chosen
            if s.starts_at < session.ends_at and session.starts_at < s.ends_at
        ]
        if titles:
            found[session.code] = titles
    return found


def clashes(sessions) -> list[tuple]:
    """Pairs of the delegate's (not cancelled) sessions that overlap in time."""
    active = sorted((s for s in sessions if not s.is_cancelled), key=lambda s: s.starts_at)
    found = []
    for n, first in enumerate(active):
        for second in active[n + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            found.append((first, second))
    return found


def waiting_list_positions(delegate: Delegate) -> dict[str, int]:
    """Session code -> the delegate's place on its waiting list (two queries in all)."""
    mine = dict(
        SessionSignup.objects.filter(delegate=delegate, status=SignupStatus.WAITING).values_list(
            "session_id", "session__code"
        )
    )
    positions: dict[str, int] = {}
    counters: dict[int, int] = {}
    queue = SessionSignup.objects.filter(session_id__in=mine, status=SignupStatus.WAITING)
    for session_id, delegate_id in queue.order_by("created_at", "id").values_list(
        "session_id", "delegate_id"
    ):
        counters[session_id] = counters.get(session_id, 0) + 1
        if delegate_id == delegate.pk:
            positions[mine[session_id]] = counters[session_id]
    return positions


#: Sessions of the day offered to choose from, per page: a phone gets a short page (each one
#: carries its own form), not the whole day's programme.
BROWSE_PAGE = 25


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
def personal_agenda(request, congress_slug: str, delegate_secret: str):
    delegate = _delegate(congress_slug, delegate_secret)
    congress = delegate.order.congress
    agenda = selectors.agenda_of(delegate)
    version = selectors.latest_version(congress)
    programme = selectors.programme_of(version) if version else None
    context = {
        "congress": congress,
        "delegate": delegate,
        "agenda": agenda,
        "programme": programme,
        "may_sign_up": delegate_may_sign_up(delegate),
        "may_book_seats": delegate_may_book_seats(delegate),
        "signup_statuses": SignupStatus,
    }
    token = agenda.feed_token if agenda else None
    context["feed_url"], context["webcal_url"] = feed_urls(congress.slug, token)
    if programme is not None:
        marked = selectors.marked_codes(agenda)
        signups = selectors.signups_of(delegate)
        mine = programme.select(codes=marked | set(signups))
        filters = parse_filters(request.GET, programme)
        day = parse_day(request.GET.get("day", ""), programme.days)
        waiting_positions = waiting_list_positions(delegate)
        browse = Paginator(programme.select(day=day, **filters.as_kwargs()), BROWSE_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(
            {
                "version": version,
                "mine": mine,
                "marked": marked,
                "signups": signups,
                "waiting_positions": waiting_positions,
                "clashes": clashes(mine),
                "filters": filters,
                "day": day,
                "browse": browse.object_list,
                "overlaps": overlaps_with_mine(browse.object_list, mine),
                "back_query": request.GET.urlencode(),
                "browse_page": browse,
                "browse_query": _query_without_page(request),
                "seats": selectors.seat_counts(congress),
                "formats": [(f, SessionFormat(f).label) for f in programme.formats],
            }
        )
    response = render(request, "agenda/personal.html", context)
    # One delegate's page behind a secret link, with CSRF tokens: never in a shared cache.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _session(delegate: Delegate, code: str) -> Session:
    return get_object_or_404(
        Session.objects.select_related("congress"), congress=delegate.order.congress, code=code
    )


def _act(request, congress_slug: str, delegate_secret: str, code: str, action) -> object:
    delegate = _delegate(congress_slug, delegate_secret)
    session = _session(delegate, code)
    try:
        action(delegate, session)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_back(congress_slug, delegate_secret, request, code=session.code))


@require_POST
def mark(request, congress_slug: str, delegate_secret: str, code: str):
    def action(delegate, session):
        agenda = services.get_or_create_agenda(delegate=delegate)
        services.mark_session(agenda=agenda, session=session)
        messages.success(request, _("Added to your agenda: %(title)s") % {"title": session.title})

    return _act(request, congress_slug, delegate_secret, code, action)


@require_POST
def unmark(request, congress_slug: str, delegate_secret: str, code: str):
    def action(delegate, session):
        agenda = services.get_or_create_agenda(delegate=delegate)
        services.unmark_session(agenda=agenda, session=session)

    return _act(request, congress_slug, delegate_secret, code, action)


@require_POST
def sign_up(request, congress_slug: str, delegate_secret: str, code: str):
    def action(delegate, session):
        signup = services.sign_up(delegate=delegate, session=session)
        if signup.status == SignupStatus.SEAT:
            messages.success(request, _("Your seat is booked: %(t)s") % {"t": session.title})
        else:
            messages.info(
                request,
                _("The session is full; you are on the waiting list: %(t)s") % {"t": session.title},
            )

    return _act(request, congress_slug, delegate_secret, code, action)


@require_POST
def cancel_sign_up(request, congress_slug: str, delegate_secret: str, code: str):
    def action(delegate, session):
        services.cancel_signup(delegate=delegate, session=session)
        messages.success(request, _("You gave up your place: %(t)s") % {"t": session.title})

    return _act(request, congress_slug, delegate_secret, code, action)


@require_POST
def regenerate_feed(request, congress_slug: str, delegate_secret: str):
    delegate = _delegate(congress_slug, delegate_secret)
    services.regenerate_feed_token(agenda=services.get_or_create_agenda(delegate=delegate))
    messages.success(request, _("New calendar address made; the old one no longer works."))
    return redirect(_back(congress_slug, delegate_secret, request))


@require_POST
def revoke_feed(request, congress_slug: str, delegate_secret: str):
    delegate = _delegate(congress_slug, delegate_secret)
    services.revoke_feed_token(agenda=services.get_or_create_agenda(delegate=delegate))
    messages.success(request, _("Your calendar address no longer works."))
    return redirect(_back(congress_slug, delegate_secret, request))
