"""Public pages of calls for proposals: the call, proposing without an account, the proposal's
secret link (edit, submit, withdraw, people, status) and each person's own link (confirm,
profile). Secret links are looked up only through ``secret_links``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events_site.congresses.secret_links import get_by_secret_or_404
from events_site.congresses.uploads import UploadRefused

from ..cfp_forms import PersonForm, ProfileForm, ProposalForm
from ..enums import ProposalStatus
from ..errors import ProposalIncomplete, ProposalRefused
from ..models import CallForProposals, Proposal, ProposalPerson
from ..services import cfp
from .cfp_speaker import person_for, render_person_page
from .common import visible_congress


def _call(request, congress_slug: str, call_slug: str) -> CallForProposals:
    congress = visible_congress(request, congress_slug)
    return get_object_or_404(
        CallForProposals.objects.select_related("congress"), congress=congress, slug=call_slug
    )


def _proposal(request, congress_slug: str, proposal_secret: str) -> Proposal:
    proposal = get_by_secret_or_404(
        Proposal.objects.select_related("call__congress", "proposal_type", "track", "access_code"),
        secret=proposal_secret,
    )
    if proposal.call.congress.slug != congress_slug:
        raise Http404
    return proposal


def _refused(form, error: ProposalRefused) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@require_safe
def call_list(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    calls = cfp.open_calls(congress)
    return render(request, "agenda/cfp/calls.html", {"congress": congress, "calls": calls})


def call_detail(request, congress_slug: str, call_slug: str):
    """The call's page: what is asked, by when, how review works; the form to start."""
    call = _call(request, congress_slug, call_slug)
    now = timezone.now()
    form = ProposalForm(
        request.POST or None,
        instance=Proposal(call=call),
        call=call,
        now=now,
        starting=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = cfp.start_proposal(
                call=call,
                access_code=form.cleaned_data.get("access_code") or "",
                answers=form.answers(),
                **form.proposal_fields(),
            )
        except ProposalRefused as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your draft is saved. Keep this page's address: it is your link to the "
                    "proposal. Add the speakers, then submit."
                ),
            )
            return redirect(
                "agenda:cfp_proposal", congress_slug=congress_slug, proposal_secret=proposal.secret
            )
    return render(
        request,
        "agenda/cfp/call.html",
        {
            "congress": call.congress,
            "call": call,
            "form": form,
            "is_open": cfp.call_is_open(call, now),
            "types": call.proposal_types.all(),
            "tracks": cfp.tracks_of(call),
            "phase": cfp.active_phase(call),
        },
        status=400 if request.method == "POST" else 200,
    )


def proposal_detail(request, congress_slug: str, proposal_secret: str):
    """The proposer's link: the proposal, its status, its people; save the draft or submit."""
    proposal = _proposal(request, congress_slug, proposal_secret)
    call = proposal.call
    now = timezone.now()
    editable = cfp.proposer_may_edit(proposal, now)
    form = ProposalForm(
        request.POST if request.method == "POST" and editable else None,
        instance=proposal,
        call=call,
        now=now,
    )
    status = 200
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This proposal can no longer be changed."))
            status = 409
        elif form.is_valid():
            try:
                proposal = cfp.update_proposal(
                    proposal=proposal, answers=form.answers(), **form.proposal_fields()
                )
                if request.POST.get("action") == "submit":
                    proposal = cfp.submit_proposal(proposal=proposal)
                    messages.success(
                        request, _("Your proposal is submitted; its people are invited.")
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect(
                    "agenda:cfp_proposal",
                    congress_slug=congress_slug,
                    proposal_secret=proposal.secret,
                )
            except ProposalIncomplete as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
                status = 400
            except ProposalRefused as error:
                _refused(form, error)
                status = 400
        else:
            status = 400
    people = list(proposal.people.all())
    missing = cfp.missing_parts(proposal, now) if proposal.status == ProposalStatus.DRAFT else {}
    return render(
        request,
        "agenda/cfp/proposal.html",
        {
            "congress": call.congress,
            "call": call,
            "proposal": proposal,
            "form": form,
            "editable": editable,
            "people": people,
            "people_error": missing.get("people", ""),
            "people_locked": cfp.people_locked(proposal, now),
            "person_form": PersonForm(call=call),
            "balance": cfp.balance_of([proposal], people),
        },
        status=status,
    )


@require_POST
def proposal_withdraw(request, congress_slug: str, proposal_secret: str):
    proposal = _proposal(request, congress_slug, proposal_secret)
    try:
        cfp.withdraw_proposal(proposal=proposal)
        messages.success(request, _("Your proposal is withdrawn."))
    except ProposalRefused as error:
        messages.error(request, str(error))
    return redirect(
        "agenda:cfp_proposal", congress_slug=congress_slug, proposal_secret=proposal_secret
    )


@require_POST
def person_add(request, congress_slug: str, proposal_secret: str):
    proposal = _proposal(request, congress_slug, proposal_secret)
    form = PersonForm(request.POST, call=proposal.call)
    if form.is_valid():
        try:
            cfp.add_person(proposal=proposal, **form.cleaned_data)
            messages.success(request, _("Added."))
        except ProposalRefused as error:
            messages.error(request, str(error))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(
        "agenda:cfp_proposal", congress_slug=congress_slug, proposal_secret=proposal_secret
    )


@require_POST
def person_remove(request, congress_slug: str, proposal_secret: str, person_id: int):
    proposal = _proposal(request, congress_slug, proposal_secret)
    person = get_object_or_404(ProposalPerson, proposal=proposal, pk=person_id)
    try:
        cfp.remove_person(person=person)
        messages.success(request, _("Removed."))
    except ProposalRefused as error:
        messages.error(request, str(error))
    return redirect(
        "agenda:cfp_proposal", congress_slug=congress_slug, proposal_secret=proposal_secret
    )


def person_detail(request, congress_slug: str, person_secret: str):
    """A person's own link: confirm or decline, complete the profile (their unavailable
    times have their own routes, ``cfp_speaker``)."""
    person = person_for(congress_slug, person_secret)
    call = person.proposal.call
    now = timezone.now()
    status = 200
    posted = request.method == "POST"
    answer = request.POST.get("answer") if posted else None
    form = ProfileForm(
        request.POST if posted and not answer else None,
        request.FILES if posted and not answer else None,
        instance=person,
        call=call,
        now=now,
    )
    if posted:
        try:
            if answer in ("confirm", "decline"):
                cfp.answer_invitation(person=person, confirm=answer == "confirm")
                messages.success(request, _("Thank you, your answer is recorded."))
                return redirect(
                    "agenda:cfp_person", congress_slug=congress_slug, person_secret=person_secret
                )
            if form.is_valid():
                cfp.update_profile(person=person, answers=form.answers(), **form.profile_fields())
                messages.success(request, _("Your profile is saved."))
                return redirect(
                    "agenda:cfp_person", congress_slug=congress_slug, person_secret=person_secret
                )
            status = 400
        except (ProposalRefused, UploadRefused) as error:
            form.add_error(
                getattr(error, "field", None)
                if getattr(error, "field", None) in form.fields
                else None,
                str(error),
            )
            status = 400
    person.refresh_from_db()
    return render_person_page(request, person, form=form, status=status)
