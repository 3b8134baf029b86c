"""Sign-in history and sessions per person: every sign-in, failed sign-in (of an existing
account) and sign-out goes to the audit log with the client's address and browser, and each
signed-in browser is tracked (events_site/accounts/user_sessions.py) so the person can see and
end it. Organiser and staff sessions end after ``ORGANISER_IDLE_TIMEOUT`` seconds without a
request (:class:`SignedInSessionMiddleware`).

django-axes listens to the same signals (sign_in.py); these receivers only add rows and never
refuse a sign-in.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy, ngettext
from ua_parser import BasicResolver, Cache, CachingResolver, Domain, Parser, load_builtins

from events_site.accounts import user_sessions

from . import audit
from .models import AuditEntry, TeamMembership
from .rate_limits import client_address
from .text import printable

SIGNED_IN = "convene.account.signed_in"
SIGN_IN_FAILED = "convene.account.sign_in_failed"
SIGNED_OUT = "convene.account.signed_out"
SIGNED_OUT_EVERYWHERE = "convene.account.signed_out_everywhere"
ACTIONS = {
    SIGNED_IN: gettext_lazy("Signed in"),
    SIGN_IN_FAILED: gettext_lazy("Sign-in failed"),
    SIGNED_OUT: gettext_lazy("Signed out"),
    SIGNED_OUT_EVERYWHERE: gettext_lazy("Signed out other browsers"),
}
# Only this much of a User-Agent is read (a hostile one can be 10 kB; parsing is regular
# expressions) or kept when no parser rule knows it.
USER_AGENT_READ = 512
BROWSER_KEPT = 120
USERNAME_KEPT = 150
# Set on the request before ``logout()`` to say why the person was signed out.
SIGN_OUT_REASON = "convene_sign_out_reason"


@cache
def user_agent_parser() -> Parser:
    """ua-parser's rules for browsers and systems only (not its 633 device rules, which
    nothing here reads), compiled once per process. ``events_site/wsgi.py`` builds it before
    gunicorn forks its workers, so no organiser's sign-in pays for it."""
    browsers, systems, _devices = load_builtins()
    return Parser(CachingResolver(BasicResolver((browsers, systems, [])), Cache(500)))


def _one_line(text: str, limit: int) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def browser_label(user_agent: str) -> str:
    """A short readable name for a User-Agent ("Firefox 133 on Linux"), or the start of it,
    printable and on one line, when no rule knows it."""
    user_agent = (user_agent or "")[:USER_AGENT_READ]
    if not user_agent.strip():
        return ""
    parsed = user_agent_parser()(user_agent, Domain.USER_AGENT | Domain.OS)
    agent = parsed.user_agent
    if agent is None or agent.family in ("", "Other"):
        return _one_line(user_agent, BROWSER_KEPT)
    name = f"{agent.family} {agent.major}" if agent.major else agent.family
    system = parsed.os.family if parsed.os is not None and parsed.os.family != "Other" else ""
    return _one_line(f"{name} on {system}" if system else name, BROWSER_KEPT)


def _where(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {"address": "", "browser": ""}
    return {
        "address": _one_line(client_address(request), 64),
        "browser": browser_label(request.META.get("HTTP_USER_AGENT", "")),
    }


def is_organiser(user) -> bool:
    """Staff, a superuser or a member of any congress's team: the idle timeout applies."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.is_staff
        or user.is_superuser
        or TeamMembership.objects.filter(user_id=user.pk).exists()
    )


def record_sign_in(sender, request=None, user=None, **kwargs) -> None:
    """Receiver of ``user_logged_in``: an audit entry, and the session tracked."""
    if user is None or request is None or not hasattr(request, "session"):
        return
    where = _where(request)
    audit.record(action=SIGNED_IN, actor=user, data=where)
    user_sessions.start(request, user=user, idle_timeout=is_organiser(user), **where)


def record_failed_sign_in(sender, credentials=None, request=None, **kwargs) -> None:
    """Receiver of ``user_login_failed``: an audit entry when the name tried is an account's.
    Attempts without a request (``authenticate()`` from code) are not sign-ins from outside."""
    if request is None:
        return
    user_model = get_user_model()
    tried = (credentials or {}).get(user_model.USERNAME_FIELD) or ""
    if not isinstance(tried, str) or not tried or len(tried) > USERNAME_KEPT:
        return
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: tried}).first()
    if user is None:
        return
    data = {**_where(request), "username": _one_line(tried, USERNAME_KEPT)}
    if getattr(request, "axes_locked_out", False):
        data["locked_out"] = True
    audit.record(action=SIGN_IN_FAILED, actor=user, data=data)


def record_sign_out(sender, request=None, user=None, **kwargs) -> None:
    """Receiver of ``user_logged_out`` (before the session is flushed)."""
    if user is None or not getattr(user, "is_authenticated", False) or request is None:
        return
    data = _where(request)
    reason = getattr(request, SIGN_OUT_REASON, "")
    if reason:
        data["reason"] = reason
    audit.record(action=SIGNED_OUT, actor=user, data=data)
    if hasattr(request, "session"):
        user_sessions.end(request)


def sign_out_everywhere(*, request: HttpRequest, keep_this_browser: bool) -> int:
    """End the person's other sessions (and this one unless ``keep_this_browser``); the
    number of other sessions ended."""
    user = request.user
    with transaction.atomic():
        ended = user_sessions.end_others(user=user, request=request)
        audit.record(
            action=SIGNED_OUT_EVERYWHERE,
            actor=user,
            data={**_where(request), "ended": ended, "kept_this_browser": keep_this_browser},
        )
    if not keep_this_browser:
        logout(request)
    return ended


def history(user):
    """The person's sign-ins, failed sign-ins and sign-outs, newest first (for a paginator)."""
    return AuditEntry.objects.filter(actor=user, action__in=list(ACTIONS)).only(
        "action", "data", "created_at"
    )


class SignedInSessionMiddleware:
    """For a signed-in session: sign it out when it was ended from another browser, or when
    it is an organiser's idle past ``ORGANISER_IDLE_TIMEOUT`` (back to the sign-in page with a
    notice); otherwise note it as seen, at most once a minute. One indexed query a request,
    none for visitors without a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.check(request) or self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return None
        user_id = session.get(SESSION_KEY)
        if user_id is None:
            return None
        user = request.user
        if not user.is_authenticated:
            return None  # the session's password hash no longer matches: Django signed it out
        seen = user_sessions.check(request, user_id=user_id)
        if seen.ended:
            session.flush()
            request.user = AnonymousUser()
            return None
        if seen.row is None:
            # Signed in before sessions were tracked: track it from now on.
            user_sessions.start(
                request, user=user, idle_timeout=is_organiser(user), **_where(request)
            )
            return None
        if seen.idle:
            return self.sign_out_idle(request)
        if seen.due_for_update:
            user_sessions.mark_seen(seen.row, user=user, idle_timeout=is_organiser(user))
        return None

    def sign_out_idle(self, request: HttpRequest) -> HttpResponse | None:
        minutes = max(1, settings.ORGANISER_IDLE_TIMEOUT // 60)
        path = request.get_full_path() if request.method in ("GET", "HEAD") else request.path
        setattr(request, SIGN_OUT_REASON, "idle")
        logout(request)
        if request.path_info.startswith("/api/"):
            return None  # the API answers an anonymous request as it always does
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)s minute without activity. "
                "Sign in again to go on.",
                "You were signed out after %(minutes)s minutes without activity. "
                "Sign in again to go on.",
                minutes,
            )
            % {"minutes": minutes},
        )
        return redirect_to_login(path)
