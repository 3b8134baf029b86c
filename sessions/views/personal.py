"""A delegate's personal agenda, reached through their secret self-service link: marked
sessions, clash warnings, seats and waiting lists, and the calendar subscription."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events_site.congresses.errors import DomainError
from events_site.congresses.secret_links import get_by_secret_or_404
from registrations.models import Delegate

from .. import selectors, services
from ..enums import SessionFormat, SignupStatus
from ..models import Session, SessionSignup
from ..services.personal import delegate_may_sign_up
from .common import parse_day, parse_filters

# --- lookups ---------------------------------------------------------------------------------


def _delegate(congress_slug: str, delegate_secret: str) -> Delegate:
    return get_by_secret_or_404(
        Delegate.objects.select_related("order", "order__congress").filter(
            order__congress__slug=congress_slug
        ),
        secret=delegate_secret,
    )


def _back(congress_slug: str, delegate_secret: str, request) -> str:
    url = reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress_slug, "delegate_secret": delegate_secret},
    )
    day = request.POST.get("day", "")
    return f"{url}?day={day}" if day and len(day) <= 10 else url


def feed_urls(congress_slug: str, token: str | None) -> tuple[str, str]:
    if not token:
        return "", ""
    https = settings.SITE_URL + reverse(
        "agenda:personal_ics", kwargs={"congress_slug": congress_slug, "token": token}
    )
    return https, "webcal://" + https.split("://", 1)[1]


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
                "browse": programme.select(day=day, **filters.as_kwargs()),
                "seats": selectors.seat_counts(congress),
                "formats": [(f, SessionFormat(f).label) for f in programme.formats],
            }
        )
    return render(request, "agenda/personal.html", context)


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
    return redirect(_back(congress_slug, delegate_secret, request))


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
