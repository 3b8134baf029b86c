"""Organiser pages for registration questions (registrations.manage): the list, add and edit,
order, stop asking, delete; beside them a preview of the delegate form's question part, built
by the public form's own code. Every change goes through ``services.questions``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from . import selectors
from .errors import RegistrationError
from .models import Question, RegistrationType
from .question_forms import PreviewAsForm, QuestionFilterForm, QuestionForm, QuestionPreviewForm
from .services import questions as services

PER_PAGE = 50
PREVIEW_TEMPLATE = "registrations/manage/_question_preview.html"
YES_NO = {"yes": True, "no": False}


def _question(congress: Congress, question_id: int) -> Question:
    return get_object_or_404(Question, congress=congress, pk=question_id)


def _list_url(congress: Congress) -> str:
    return reverse("registrations:manage_questions", kwargs={"congress_slug": congress.slug})


def _preview(
    congress: Congress, rtype: RegistrationType | None, draft: Question | None = None
) -> dict:
    """What the preview shows: the active questions as the public form shows them to a
    delegate of ``rtype`` (every question when None), ``draft`` in place of its saved self
    (or last, when new)."""
    questions = selectors.questions_for(congress)
    if draft is not None:
        questions = [q for q in questions if q.pk != draft.pk]
        if draft.is_active:
            questions.append(draft)
            questions.sort(key=lambda q: (q.position, q.pk) if q.pk else (float("inf"), 0))
    return {
        "preview_form": QuestionPreviewForm(questions, rtype),
        "preview_type": rtype,
        "draft": draft,
    }


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def question_list(request: HttpRequest, congress: Congress):
    filters = QuestionFilterForm(request.GET, congress=congress)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.organiser_questions(
        congress,
        search=(data.get("q") or "").strip(),
        asked_of=data.get("type"),
        kind=data.get("kind") or "",
        required=YES_NO.get(data.get("required") or ""),
        asked=YES_NO.get(data.get("asked") or ""),
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    preview_as = PreviewAsForm(request.GET, congress=congress)
    query = request.GET.copy()
    query.pop("page", None)
    unfiltered = not any(data.get(name) for name in ("q", "type", "kind", "required", "asked"))
    return render(
        request,
        "registrations/manage/questions.html",
        {
            "congress": congress,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            # Moving is only offered on the whole list, where up and down mean the form's order.
            "can_move": unfiltered,
            "preview_as": preview_as,
            **_preview(congress, preview_as.chosen()),
        },
    )


def _save(request: HttpRequest, form: QuestionForm, congress: Congress, question):
    """Save through the service; a refusal lands beside the form, nothing typed is lost."""
    try:
        saved = services.save_question(
            congress=congress,
            by=request.user,
            instance=question,
            registration_types=form.cleaned_data["registration_types"],
            shown_fingerprint=form.cleaned_data.get("fingerprint") if question else None,
            **form.question_fields(),
        )
    except EditConflict as error:
        form.add_error(None, error.message)
    except ValidationError as error:
        form.add_error(None, error)
    except RegistrationError as error:
        form.add_error(None, error.message)
    else:
        messages.success(
            request, _("Question added.") if question is None else _("Question saved.")
        )
        return saved
    return None


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def question_edit(request: HttpRequest, congress: Congress, question_id: int | None = None):
    """Add or change a question. The "Preview" button (the page without JavaScript) shows the
    preview of what was typed, without saving; with JavaScript it follows the typing."""
    question = _question(congress, question_id) if question_id else None
    data = request.POST or None
    form = QuestionForm(data, instance=question or Question(congress=congress), congress=congress)
    preview_as = PreviewAsForm(
        request.POST or request.GET, congress=congress, form_id="question-form"
    )
    previewing = data is not None and "preview" in request.POST
    if data is not None and not previewing and form.is_valid():
        saved = _save(request, form, congress, question)
        if saved is not None:
            return redirect(_list_url(congress) + f"#question-{saved.pk}")
    elif previewing:
        form.is_valid()  # the errors show beside the fields; nothing is saved
    preview_url = (
        reverse(
            "registrations:manage_question_preview",
            kwargs={"congress_slug": congress.slug, "question_id": question.pk},
        )
        if question
        else reverse(
            "registrations:manage_question_new_preview", kwargs={"congress_slug": congress.slug}
        )
    )
    return render(
        request,
        "registrations/manage/question_form.html",
        {
            "congress": congress,
            "question": question,
            "form": form,
            "preview_as": preview_as,
            "previewing": previewing,
            "preview_url": preview_url,
            **_preview(congress, preview_as.chosen(), form.draft() if form.is_bound else None),
        },
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def question_preview(request: HttpRequest, congress: Congress, question_id: int | None = None):
    """The preview of the unsaved form (the page's script posts it as the organiser types):
    the fragment alone, as HTML. Nothing is saved."""
    question = _question(congress, question_id) if question_id else None
    form = QuestionForm(
        request.POST, instance=question or Question(congress=congress), congress=congress
    )
    form.is_valid()
    preview_as = PreviewAsForm(request.POST, congress=congress)
    context = {
        "congress": congress,
        "form": form,
        **_preview(congress, preview_as.chosen(), form.draft()),
    }
    return render(request, PREVIEW_TEMPLATE, context)


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def question_move(request: HttpRequest, congress: Congress, question_id: int):
    question = _question(congress, question_id)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Choose up or down."))
    else:
        services.move_question(question=question, by=request.user, offset=offset)
    return redirect(_list_url(congress) + f"#question-{question.pk}")


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def question_delete(request: HttpRequest, congress: Congress, question_id: int):
    """GET: ask, saying how many delegates answered (then only stopping is offered);
    POST: delete, refused for an answered question."""
    question = _question(congress, question_id)
    if request.method == "POST":
        try:
            services.delete_question(question=question, by=request.user)
        except services.QuestionAnswered as error:
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(request, _("Question deleted."))
        return redirect(_list_url(congress))
    return render(
        request,
        "registrations/manage/question_delete.html",
        {"congress": congress, "question": question, "answered": services.answers_count(question)},
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def question_stop(request: HttpRequest, congress: Congress, question_id: int):
    """Stop asking a question: off the form, its answers kept."""
    question = _question(congress, question_id)
    services.stop_asking_question(question=question, by=request.user)
    messages.success(request, _("The question is no longer asked; its answers are kept."))
    return redirect(_list_url(congress) + f"#question-{question.pk}")
