"""Sign-in in one or two steps, the two-factor pages and re-authentication."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import two_factor
from .forms import CodeForm, PasswordAgainForm
from .reauth import mark_reauthenticated, reauth_required


def _safe_next(request, default: str = "/manage/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_next(url_name: str, next_url: str) -> str:
    target = resolve_url(url_name)
    return f"{target}?{urlencode({'next': next_url})}" if next_url else target


def _signed_in_default() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SignInView(LoginView):
    """Django's sign-in page; for an account with an authenticator app the password is only the
    first step, and the session stays signed out until the code is entered."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        two_factor.start_pending_sign_in(self.request, user)
        return redirect(_with_next("accounts:two_factor_verify", self.get_success_url()))


@never_cache
def two_factor_verify(request):
    """The second step: a code from the app or a recovery code, for a sign-in halfway through
    or for a signed-in session a congress (or the superuser rule) wants verified."""
    if request.user.is_authenticated:
        user, backend = request.user, None
    else:
        pending = two_factor.pending_sign_in(request)
        if pending is None:
            return redirect("login")
        user, backend = pending
    if not two_factor.has_two_factor(user):
        return redirect(_with_next("accounts:two_factor_setup", _safe_next(request, "")))
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        two_factor.check_attempts(request, count=False)
        device = None
        if form.is_valid():
            device = two_factor.verify(user=user, code=form.cleaned_data["code"])
            if device is None:
                form.refuse()
        if device is None:
            two_factor.check_attempts(request, count=True)
        else:
            if backend is not None:
                two_factor.end_pending_sign_in(request)
                auth_login(request, user, backend=backend)
            two_factor.mark_verified(request, device)
            mark_reauthenticated(request)
            return redirect(_safe_next(request, _signed_in_default()))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, _signed_in_default())},
    )


@login_required
def two_factor_overview(request):
    user = request.user
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": two_factor.has_two_factor(user),
            "verified": two_factor.is_verified(request),
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


@never_cache
@login_required
@reauth_required
def two_factor_setup(request):
    """Scan (or type) the secret into an app, confirm one code, then see the recovery codes."""
    device = two_factor.start_setup(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        two_factor.check_attempts(request, count=False)
        codes = None
        if form.is_valid():
            codes = two_factor.confirm_setup(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
            if codes is None:
                form.refuse()
        if codes is None:
            two_factor.check_attempts(request, count=True)
        else:
            device.refresh_from_db()
            two_factor.mark_verified(request, device)
            request.session[two_factor.FRESH_CODES_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect(
                _with_next("accounts:two_factor_recovery_codes", _safe_next(request, ""))
            )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "replacing": two_factor.has_two_factor(request.user),
            "next": _safe_next(request, ""),
        },
    )


@never_cache
@login_required
def two_factor_recovery_codes(request):
    """The recovery codes just made, shown this once; afterwards only how many are left."""
    codes = request.session.pop(two_factor.FRESH_CODES_KEY, None)
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {
            "codes": codes if isinstance(codes, list) else None,
            "enabled": two_factor.has_two_factor(request.user),
            "codes_left": two_factor.recovery_codes_left(request.user),
            "next": _safe_next(request, ""),
        },
    )


@require_POST
@login_required
@reauth_required
def two_factor_regenerate(request):
    if not two_factor.has_two_factor(request.user):
        return redirect("accounts:two_factor")
    request.session[two_factor.FRESH_CODES_KEY] = two_factor.regenerate_recovery_codes(
        user=request.user
    )
    messages.success(request, _("New recovery codes made; the old ones no longer work."))
    return redirect("accounts:two_factor_recovery_codes")


@never_cache
@login_required
@reauth_required
def two_factor_disable(request):
    if request.method == "POST":
        two_factor.disable(user=request.user)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_disable.html")


@never_cache
@login_required
def reauth(request):
    """Ask for the password again (or a current code from the app) before a sensitive action,
    then return to it."""
    has_app = two_factor.has_two_factor(request.user)
    by_code = request.method == "POST" and "code" in request.POST and has_app
    form = PasswordAgainForm(
        request.POST if request.method == "POST" and not by_code else None, request=request
    )
    code_form = CodeForm(request.POST if by_code else None)
    if by_code:
        two_factor.check_attempts(request, count=False)
        device = None
        if code_form.is_valid():
            device = two_factor.verify(
                user=request.user, code=code_form.cleaned_data["code"], allow_recovery=False
            )
            if device is None:
                code_form.refuse()
        if device is None:
            two_factor.check_attempts(request, count=True)
        else:
            two_factor.mark_verified(request, device)
            mark_reauthenticated(request)
            return redirect(_safe_next(request))
    elif request.method == "POST" and form.is_valid():
        mark_reauthenticated(request)
        return redirect(_safe_next(request))
    return render(
        request,
        "accounts/reauth.html",
        {"form": form, "code_form": code_form if has_app else None, "next": _safe_next(request)},
    )
