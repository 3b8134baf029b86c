from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .reauth import mark_reauthenticated


class PasswordAgainForm(forms.Form):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        again = authenticate(self.request, username=user.get_username(), password=password)
        if again is None or again.pk != user.pk:
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/manage/"


@login_required
def reauth(request):
    """Ask for the password again before a sensitive action, then return to it."""
    form = PasswordAgainForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        mark_reauthenticated(request)
        return redirect(_safe_next(request))
    return render(request, "accounts/reauth.html", {"form": form, "next": _safe_next(request)})
