"""Organiser pages of calls for proposals (programme.manage): the calls, one call's set-up and
proposals (types, questions, access codes, score categories, phases, reviewers), automatic
assignment, and the committee's ranked list with decisions held pending and sent in bulk."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required
from events_site.congresses.translations import other_languages

from ..cfp_forms import (
    AccessCodeForm,
    CallForm,
    DecisionForm,
    PhaseForm,
    ProposalTypeForm,
    QuestionForm,
    ReviewerProfileForm,
    ScoreCategoryForm,
)
from ..enums import ProposalStatus, QuestionTarget
from ..errors import CallSetupRefused, DecisionRefused
from ..models import CallForProposals, Proposal, ReviewerProfile, ReviewPhase
from ..services import cfp, cfp_decisions, cfp_paid_speakers, cfp_review, cfp_setup

PAGE_SIZE = 50
PARTS = {
    "type": (ProposalTypeForm, "proposal_types"),
    "question": (QuestionForm, "questions"),
    "code": (AccessCodeForm, "access_codes"),
    "category": (ScoreCategoryForm, "score_categories"),
    "phase": (PhaseForm, "review_phases"),
}


def _call(congress, call_slug: str) -> CallForProposals:
    return get_object_or_404(CallForProposals, congress=congress, slug=call_slug)


def _to_call(call):
    return redirect("agenda:manage_call", congress_slug=call.congress.slug, call_slug=call.slug)


def part_form(kind: str, call, data=None, instance=None):
    """The form of one part of ``call`` (``kind`` names it), prefixed so several share a page."""
    form_class, _related = PARTS[kind]
    if instance is None:
        instance = cfp_setup.PART_MODELS[kind](call=call)
    return form_class(data, prefix=kind, call=call, instance=instance)


def add_refusal(form, error: CallSetupRefused) -> None:
    """A service's refusal beside the field it names (the whole form when none or unknown)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def call_list(request, congress):
    form = CallForm(
        request.POST or None, instance=CallForProposals(congress=congress), congress=congress
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = cfp_setup.save_call(
                congress=congress,
                by=request.user,
                fields=form.call_fields(),
                tracks=list(form.cleaned_data["tracks"]),
            )
        except CallSetupRefused as error:
            add_refusal(form, error)
        else:
            return _to_call(call)
    calls = CallForProposals.objects.filter(congress=congress).order_by("opens_at", "pk")
    return render(
        request,
        "agenda/manage/cfp_calls.html",
        {"congress": congress, "calls": calls, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def call_detail(request, congress, call_slug: str):
    """The call's overview: its proposals (filtered by status, paginated), the balance, its
    set-up and review phases; POST adds a part of the set-up (``part`` names which)."""
    call = _call(congress, call_slug)
    forms = {kind: part_form(kind, call) for kind in PARTS}
    status_code = 200
    if request.method == "POST":
        kind = request.POST.get("part", "")
        if kind == "call":
            form = CallForm(request.POST, instance=call, congress=congress)
            if form.is_valid():
                try:
                    cfp_setup.save_call(
                        congress=congress,
                        by=request.user,
                        call=call,
                        fields=form.call_fields(),
                        tracks=list(form.cleaned_data["tracks"]),
                    )
                except CallSetupRefused as error:
                    add_refusal(form, error)
                else:
                    return _to_call(call)
            forms["call"] = form
            status_code = 400
        elif kind in PARTS:
            form = part_form(kind, call, request.POST)
            if form.is_valid():
                fields, m2m = form.part_fields()
                try:
                    cfp_setup.save_call_part(
                        call=call, kind=kind, by=request.user, fields=fields, m2m=m2m
                    )
                except CallSetupRefused as error:
                    add_refusal(form, error)
                else:
                    return _to_call(call)
            forms[kind] = form
            status_code = 400
    shown = request.GET.get("status", "")
    proposals = Proposal.objects.filter(call=call).select_related("proposal_type", "track")
    if shown in ProposalStatus.values:
        proposals = proposals.filter(status=shown)
    page = Paginator(proposals.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "agenda/manage/cfp_call.html",
        {
            "congress": congress,
            "call": call,
            "page": page,
            "shown": shown,
            "statuses": ProposalStatus.choices,
            "balance": cfp.call_balance(call),
            "forms": forms,
            "call_form": forms.get("call") or CallForm(instance=call, congress=congress),
            "phases": call.review_phases.all(),
            "reviewers": cfp_review.reviewers_of(call),
            "reviewer_profiles": _reviewer_profiles(call),
            "reviewer_form": ReviewerProfileForm(
                reviewers=_reviewer_queryset(call), congress=congress, prefix="reviewer"
            ),
            "parts": _parts_of(call),
            "call_missing": sorted(call.missing_translations(other_languages(congress))),
            "progress": cfp_review.review_progress(call),
        },
        status=status_code,
    )


def _parts_of(call) -> list[tuple[str, list[tuple]]]:
    """Each kind of part with its entries and, for the translatable ones, the congress
    languages some text of the entry is missing in (the list's "missing" marker)."""
    languages = other_languages(call.congress)
    listed = []
    for kind, (_form, related) in PARTS.items():
        parts = list(getattr(call, related).all())
        if kind == "question":  # ordered among those asked of the same people
            parts.sort(key=lambda q: q.target != QuestionTarget.PROPOSAL)
        entries = []
        for index, part in enumerate(parts):
            missing = part.missing_translations(languages) if hasattr(part, "translations") else {}
            group = getattr(part, "target", None)
            first = index == 0 or getattr(parts[index - 1], "target", None) != group
            last = index == len(parts) - 1 or getattr(parts[index + 1], "target", None) != group
            entries.append((part, sorted(missing), first, last))
        listed.append((kind, kind in cfp_setup.ORDERED_KINDS, entries))
    return listed


def _reviewer_queryset(call):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=[u.pk for u in cfp_review.reviewers_of(call)])


def _reviewer_profiles(call) -> list[tuple]:
    """Each reviewer of the call with their profile (None: no conflicts noted, all tracks)."""
    profiles = {
        p.user_id: p
        for p in ReviewerProfile.objects.filter(congress=call.congress).prefetch_related("tracks")
    }
    return [(user, profiles.get(user.pk)) for user in cfp_review.reviewers_of(call)]


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def reviewer_profile(request, congress, call_slug: str):
    call = _call(congress, call_slug)
    form = ReviewerProfileForm(
        request.POST, reviewers=_reviewer_queryset(call), congress=congress, prefix="reviewer"
    )
    if form.is_valid():
        try:
            cfp_setup.save_reviewer_profile(
                congress=congress,
                user=form.cleaned_data["reviewer"],
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                country=form.cleaned_data["country"],
                tracks=list(form.cleaned_data["tracks"]),
            )
        except CallSetupRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(
            request, _("Choose a reviewer, a two-letter country code and tracks of the congress.")
        )
    return _to_call(call)


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def phase_activate(request, congress, call_slug: str, phase_id: int):
    call = _call(congress, call_slug)
    phase = get_object_or_404(ReviewPhase, call=call, pk=phase_id)
    cfp_review.activate_phase(phase=phase, by=request.user)
    messages.success(request, _("“%(name)s” is the active phase.") % {"name": phase.name})
    return _to_call(call)


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def assign(request, congress, call_slug: str):
    call = _call(congress, call_slug)
    made = cfp_review.assign_automatically(call=call, by=request.user)
    messages.success(request, _("%(n)s assignments made.") % {"n": made})
    return _to_call(call)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def committee(request, congress, call_slug: str):
    """Proposals by mean score with the balance; POST holds a decision on one of them."""
    call = _call(congress, call_slug)
    status_code = 200
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        proposal = Proposal.objects.filter(
            call=call, code=str(request.POST.get("proposal", ""))[:12]
        ).first()
        if proposal is None:
            messages.error(request, _("Choose a proposal of this call."))
            status_code = 400
        elif form.is_valid():
            merge_code = form.cleaned_data["merge_into"].strip().upper()
            merge_into = Proposal.objects.filter(call=call, code=merge_code).first()
            try:
                cfp_decisions.decide(
                    proposal=proposal,
                    by=request.user,
                    outcome=form.cleaned_data["outcome"],
                    format=form.cleaned_data["format"],
                    merge_into=merge_into,
                    note=form.cleaned_data["note"],
                )
            except DecisionRefused as error:
                messages.error(request, str(error))
                status_code = 409
            else:
                messages.success(request, _("Decision held; send it with the others."))
                return redirect(request.get_full_path())
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            status_code = 400
    page = Paginator(cfp_decisions.ranked(call), PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = list(page)
    paid = cfp_paid_speakers.committee_notices(
        call=call,
        proposals=proposals,
        paid=cfp_decisions.already_paid(congress=congress, proposals=proposals),
    )
    rows = [(p, cfp.balance_of([p], list(p.people.all())), paid.get(p.pk, [])) for p in proposals]
    return render(
        request,
        "agenda/manage/cfp_committee.html",
        {
            "congress": congress,
            "call": call,
            "page": page,
            "rows": rows,
            "balance": cfp.call_balance(call),
            "pending": cfp_decisions.pending(call).count(),
            "form": DecisionForm(),
        },
        status=status_code,
    )


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def send_decisions(request, congress, call_slug: str):
    call = _call(congress, call_slug)
    try:
        sent = cfp_decisions.send_decisions(call=call, by=request.user)
    except DecisionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)s decisions sent.") % {"n": sent})
    return redirect(
        "agenda:manage_call_committee", congress_slug=congress.slug, call_slug=call.slug
    )


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def remind(request, congress, call_slug: str):
    call = _call(congress, call_slug)
    sent = cfp_decisions.remind_unconfirmed(call=call, by=request.user)
    messages.success(request, _("%(n)s reminders sent.") % {"n": sent})
    return redirect(
        "agenda:manage_call_committee", congress_slug=congress.slug, call_slug=call.slug
    )
