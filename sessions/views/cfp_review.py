"""Reviewer pages (proposals.review): the proposals the active phase gives a reviewer, one
proposal's review form with "save and next", and the same proposal as JSON. Every one of them
reads the redacted view-model of ``services.cfp_review`` only: in a blind phase, no name."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from ..cfp_forms import ReviewForm
from ..errors import ReviewRefused
from ..models import CallForProposals, Proposal, Review
from ..services import cfp_review

PAGE_SIZE = 50


def _call(congress, call_slug: str) -> CallForProposals:
    return get_object_or_404(CallForProposals, congress=congress, slug=call_slug)


@require_safe
@congress_perm_required(Perm.REVIEW_PROPOSALS)
def review_index(request, congress):
    """The calls of the congress, each with its active phase (the reviewer's start)."""
    calls = [
        (call, cfp_review.active_phase(call))
        for call in CallForProposals.objects.filter(congress=congress).order_by("deadline", "pk")
    ]
    return render(request, "agenda/cfp/review_index.html", {"congress": congress, "calls": calls})


@require_safe
@congress_perm_required(Perm.REVIEW_PROPOSALS)
def review_list(request, congress, call_slug: str):
    call = _call(congress, call_slug)
    phase = cfp_review.active_phase(call)
    proposals = cfp_review.reviewable_for(call, request.user, phase=phase)
    done = set(
        Review.objects.filter(proposal__call=call, reviewer=request.user).values_list(
            "proposal_id", flat=True
        )
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(cfp_review.reviewer_view(p, phase), p.pk in done) for p in page]
    return render(
        request,
        "agenda/cfp/review_list.html",
        {"congress": congress, "call": call, "phase": phase, "rows": rows, "page": page},
    )


@require_safe
@congress_perm_required(Perm.REVIEW_PROPOSALS)
def review_next(request, congress, call_slug: str):
    call = _call(congress, call_slug)
    proposal = cfp_review.next_for(call, request.user)
    if proposal is None:
        messages.success(request, _("Nothing left to review. Thank you."))
        return redirect("agenda:review_list", congress_slug=congress.slug, call_slug=call.slug)
    return redirect(
        "agenda:review_proposal",
        congress_slug=congress.slug,
        call_slug=call.slug,
        proposal_code=proposal.code,
    )


def _reviewable(call, user, proposal_code: str) -> Proposal:
    proposal = get_object_or_404(Proposal, call=call, code=proposal_code)
    try:
        cfp_review.check_may_review(proposal, user)
    except ReviewRefused as error:
        raise Http404 from error
    return next(p for p in cfp_review.reviewable_for(call, user) if p.pk == proposal.pk)


@congress_perm_required(Perm.REVIEW_PROPOSALS)
def review_proposal(request, congress, call_slug: str, proposal_code: str):
    call = _call(congress, call_slug)
    proposal = _reviewable(call, request.user, proposal_code)
    phase = cfp_review.active_phase(call)
    categories = list(call.score_categories.all())
    mine = Review.objects.filter(proposal=proposal, reviewer=request.user).first()
    initial = {}
    if mine is not None:
        initial = {"comment": mine.comment}
        initial |= {f"score_{s.category_id}": s.value for s in mine.scores.all()}
    form = ReviewForm(request.POST or None, initial=initial, categories=categories)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cfp_review.save_review(
                    proposal=proposal,
                    reviewer=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ReviewRefused as error:
                form.add_error(None, str(error))
                status = 400
            else:
                messages.success(request, _("Review saved."))
                if request.POST.get("action") == "next":
                    return redirect(
                        "agenda:review_next", congress_slug=congress.slug, call_slug=call.slug
                    )
                return redirect(request.path)
        else:
            status = 400
    return render(
        request,
        "agenda/cfp/review.html",
        {
            "congress": congress,
            "call": call,
            "phase": phase,
            "view": cfp_review.reviewer_view(proposal, phase),
            "others": cfp_review.others_reviews(proposal, request.user, phase),
            "form": form,
        },
        status=status,
    )


@require_safe
@congress_perm_required(Perm.REVIEW_PROPOSALS)
def review_proposal_json(request, congress, call_slug: str, proposal_code: str):
    call = _call(congress, call_slug)
    proposal = _reviewable(call, request.user, proposal_code)
    return JsonResponse(cfp_review.reviewer_view(proposal, cfp_review.active_phase(call)).as_json())
