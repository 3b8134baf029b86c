"""The organiser page for API tokens: every team member lists and creates their own (after a
recent sign-in), owners see and revoke every token of the congress. Thin over ``api_tokens``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events_site.accounts.reauth import reauth_required

from . import api_tokens
from .enums import Perm
from .forms import Form
from .models import ApiToken, Congress
from .permissions import congress_perm_required, congress_permissions

PAGE_SIZE = 50


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=api_tokens.NAME_MAX_LENGTH,
        help_text=_("What the token is for, for example “Scanner app, desk 2”."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        help_text=_("What the token may do: one of your own roles in this congress, or narrower."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Optional. The token stops working at the end of this day (congress time), "
            "at most a year from today."
        ),
    )

    def __init__(self, *args, congress: Congress, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["role"].choices = [
            (role.value, role.label) for role in api_tokens.roles_within(user, congress)
        ]

    def clean_expires_on(self) -> dt.date | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        today = timezone.localdate(timezone=self.congress.tz)
        if not today <= day < today + api_tokens.MAX_LIFETIME:
            raise forms.ValidationError(
                _("Choose a day from today to a year from now."), code="expiry_out_of_range"
            )
        return day

    def expires_at(self) -> dt.datetime | None:
        """The end of the chosen day in the congress's zone."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=self.congress.tz)


def _may_see_every_token(user, congress: Congress) -> bool:
    return Perm.MANAGE_CONGRESS in congress_permissions(user, congress)


@never_cache
@require_http_methods(["GET"])
@congress_perm_required(None)
def token_list(request, congress):
    every = _may_see_every_token(request.user, congress)
    tokens = api_tokens.tokens_visible_to(request.user, congress, every=every)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for token in page:
        token.current_status = token.status(now)
        token.may_revoke = token.revoked_at is None and (every or token.user_id == request.user.pk)
    return render(
        request,
        "congresses/api_tokens/list.html",
        {"congress": congress, "page": page, "every": every},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@congress_perm_required(None)
@reauth_required
def token_create(request, congress):
    """The form; on success the key, shown on this answer only (never stored, never in a URL)."""
    form = ApiTokenForm(request.POST or None, congress=congress, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = api_tokens.create_token(
                congress=congress,
                by=request.user,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                expires_at=form.expires_at(),
            )
        except api_tokens.TokenError as error:
            form.add_error(None, error.message)
        else:
            return render(
                request,
                "congresses/api_tokens/created.html",
                {"congress": congress, "token": created.token, "key": created.key},
            )
    return render(
        request, "congresses/api_tokens/create.html", {"congress": congress, "form": form}
    )


@never_cache
@require_http_methods(["GET", "POST"])
@congress_perm_required(None)
def token_revoke(request, congress, token_id: int):
    """Confirm, then revoke: the creator their own token, an owner any of the congress's."""
    every = _may_see_every_token(request.user, congress)
    token = get_object_or_404(ApiToken.objects.filter(congress=congress), pk=token_id)
    if (
        not api_tokens.tokens_visible_to(request.user, congress, every=every)
        .filter(pk=token.pk)
        .exists()
    ):
        raise PermissionDenied  # another member's token: only owners revoke those
    back = reverse("congresses:api_tokens", kwargs={"congress_slug": congress.slug})
    if token.revoked_at is not None:
        return redirect(back)
    if request.method == "POST":
        api_tokens.revoke_token(token=token, by=request.user)
        revoked = _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix}
        messages.success(request, revoked)
        return redirect(back)
    return render(
        request, "congresses/api_tokens/revoke.html", {"congress": congress, "token": token}
    )
