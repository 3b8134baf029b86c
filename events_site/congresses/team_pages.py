"""The team page (congress.manage, after a recent re-authentication): who has which role,
invitations by e-mail, roles given and taken; and the page an invitation's link opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.accounts.reauth import reauth_required

from . import services
from .enums import Perm, Role
from .errors import DomainError
from .models import TeamInvitation, TeamMembership
from .permissions import congress_perm_required
from .secret_links import get_by_secret_or_404
from .team_forms import AccountFromInvitationForm, InviteForm, MemberRolesForm

MEMBERS_PER_PAGE = 25


def _to_team(congress):
    return redirect("congresses:team", congress_slug=congress.slug)


@congress_perm_required(Perm.MANAGE_CONGRESS)
@reauth_required
def team(request, congress):
    return _team_page(request, congress, InviteForm())


def _team_page(request, congress, invite_form):
    query = request.GET.get("q", "").strip()[:100]
    people = get_user_model().objects.filter(congress_roles__congress=congress)
    if query:
        people = people.filter(
            Q(username__icontains=query) | Q(email__icontains=query) | Q(last_name__icontains=query)
        )
    people = (
        people.distinct()
        .order_by("username", "pk")
        .prefetch_related(
            Prefetch(
                "congress_roles",
                queryset=TeamMembership.objects.filter(congress=congress),
                to_attr="roles_here",
            )
        )
    )
    page = Paginator(people, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        (person, MemberRolesForm(initial={"roles": [m.role for m in person.roles_here]}))
        for person in page
    ]
    invitations = TeamInvitation.objects.filter(
        congress=congress,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")
    return render(
        request,
        "congresses/manage/team.html",
        {
            "congress": congress,
            "page": page,
            "rows": rows,
            "query": query,
            "invitations": invitations,
            "invite_form": invite_form,
            "roles": Role,
        },
    )


@congress_perm_required(Perm.MANAGE_CONGRESS)
@require_POST
@reauth_required
def team_invite(request, congress):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_to_team(
                congress=congress,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return _to_team(congress)
    return _team_page(request, congress, form)


@congress_perm_required(Perm.MANAGE_CONGRESS)
@require_POST
@reauth_required
def team_member_roles(request, congress, user_id: int):
    members = get_user_model().objects.filter(congress_roles__congress=congress).distinct()
    person = get_object_or_404(members, pk=user_id)
    form = MemberRolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose roles from the list."))
        return _to_team(congress)
    try:
        kept = services.set_member_roles(
            congress=congress, user=person, roles=form.cleaned_data["roles"], by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if kept:
            messages.success(
                request, _("Roles of %(name)s saved.") % {"name": person.get_username()}
            )
        else:
            messages.success(
                request, _("%(name)s left the team.") % {"name": person.get_username()}
            )
    return _to_team(congress)


@congress_perm_required(Perm.MANAGE_CONGRESS)
@require_POST
@reauth_required
def invitation_withdraw(request, congress, invitation_id: int):
    invitation = get_object_or_404(TeamInvitation, congress=congress, pk=invitation_id)
    services.withdraw_invitation(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation withdrawn."))
    return _to_team(congress)


def invitation(request, secret: str):
    """The link of an invitation: a signed-in person accepts it; someone without an account
    creates one here (the site's password rules apply) and joins at once."""
    invitation = get_by_secret_or_404(
        TeamInvitation.objects.select_related("congress"), secret=secret
    )
    context = {"invitation": invitation, "congress": invitation.congress}
    if not invitation.is_open:
        return render(request, "congresses/invitation.html", {**context, "closed": True})
    account_form = None
    if not request.user.is_authenticated:
        account_form = AccountFromInvitationForm(
            request.POST or None, initial={"username": invitation.email}
        )
    if request.method == "POST":
        user = request.user
        if account_form is not None:
            if not account_form.is_valid():
                return render(
                    request, "congresses/invitation.html", {**context, "account_form": account_form}
                )
            user = account_form.save(commit=False)
            user.email = invitation.email
            user.save()
        try:
            services.accept_invitation(invitation=invitation, user=user)
        except DomainError as error:
            messages.error(request, error.message)
            return render(request, "congresses/invitation.html", {**context, "closed": True})
        if account_form is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to the team of %(name)s.") % {"name": invitation.congress.name}
        )
        return redirect("congresses:backoffice", congress_slug=invitation.congress.slug)
    return render(request, "congresses/invitation.html", {**context, "account_form": account_form})
