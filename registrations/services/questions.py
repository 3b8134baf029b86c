"""Organisers' registration questions: add, change, order, stop asking, delete; audited, and
each change shown on the public form at once (``form_cache.invalidate``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress
from events_site.congresses.ordering import move_in_order

from .. import form_cache
from ..errors import RegistrationError
from ..models import Answer, Question, RegistrationType

QUESTION_FIELDS = (
    "label",
    "help_text",
    "kind",
    "required",
    "choices",
    "is_active",
    "personal_data_kind",
    "translations",
)
# What the edit form shows, for its fingerprint: the fields and the types it is limited to.
SHOWN_FIELDS = (*QUESTION_FIELDS, "registration_types")


class QuestionAnswered(RegistrationError):
    """Delegates answered the question: deleting it would delete their answers."""

    code = "question_answered"
    status_code = 409


def _shown_on_form() -> None:
    """The public form shows questions: render it again now, and once more after the commit
    (a page rendered between the two would otherwise be kept with the old questions)."""
    form_cache.invalidate()
    transaction.on_commit(form_cache.invalidate)


def _type_names(types: Iterable[RegistrationType]) -> list[str]:
    return sorted(t.name for t in types)


def save_question(
    *,
    congress: Congress,
    by=None,
    instance: Question | None = None,
    registration_types: Iterable[RegistrationType] | None = None,
    shown_fingerprint: str | None = None,
    **fields: Any,
) -> Question:
    """Create a question (placed last) or change one; the model's rules run first, a change
    over someone else's since the form was shown is refused (``EditConflict``), and the audit
    entry holds each changed field before and after. ``registration_types`` empty: every type;
    ``None``: unchanged."""
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise RegistrationError(_("Unknown fields: %(f)s") % {"f": sorted(unknown)})
    types = None if registration_types is None else list(registration_types)
    if types is not None and any(t.congress_id != congress.pk for t in types):
        raise RegistrationError(_("Choose registration types of this congress."))
    with transaction.atomic():
        if instance is None:
            question = Question(congress=congress)
            highest = Question.objects.filter(congress=congress).aggregate(n=Max("position"))
            question.position = 0 if highest["n"] is None else highest["n"] + 1
            before_types: list[str] = []
        else:
            question = (
                Question.objects.select_for_update()
                .prefetch_related("registration_types")
                .get(pk=instance.pk, congress=congress)
            )
            refuse_if_changed(question, SHOWN_FIELDS, shown_fingerprint)
            before_types = _type_names(question.registration_types.all())
        changed = audit.changes(question, fields) if instance is not None else {}
        after_types = before_types if types is None else _type_names(types)
        if after_types != before_types:
            changed["registration_types"] = [before_types, after_types]
        if instance is not None and not changed:
            return question
        for name, value in fields.items():
            setattr(question, name, value)
        question.full_clean()
        question.save()
        if types is not None:
            question.registration_types.set(types)
        audit.record(
            action="convene.question.created" if instance is None else "convene.question.updated",
            congress=congress,
            actor=by,
            target=question,
            data={"object": str(question), "changed": changed}
            if instance is not None
            else {
                "object": str(question),
                **{name: audit.shown(value) for name, value in fields.items()},
                "registration_types": after_types,
            },
        )
        _shown_on_form()
    return question


def move_question(*, question: Question, by=None, offset: int) -> None:
    """Move a question up (``offset=-1``) or down (``+1``) on the form."""
    with transaction.atomic():
        questions = (
            Question.objects.select_for_update()
            .filter(congress_id=question.congress_id)
            .order_by("position", "id")
        )
        order = move_in_order(questions, question, offset=offset)
        if order is None:
            return
        audit.record(
            action="convene.question.moved",
            congress=question.congress,
            actor=by,
            target=question,
            data={"object": str(question), "order": [candidate.label for candidate in order]},
        )
        _shown_on_form()


def answers_count(question: Question) -> int:
    return Answer.objects.filter(question=question).exclude(value="").count()


def delete_question(*, question: Question, by=None) -> None:
    """Delete a question nobody answered. Answers are what delegates told the congress (and
    what exports and the retention schedule work on), so an answered question is refused with
    ``QuestionAnswered``: stop asking it instead (:func:`stop_asking_question`)."""
    with transaction.atomic():
        current = Question.objects.select_for_update().get(pk=question.pk)
        answered = answers_count(current)
        if answered:
            raise QuestionAnswered(
                ngettext(
                    "%(n)s delegate answered this question: stop asking it instead, "
                    "which keeps the answer.",
                    "%(n)s delegates answered this question: stop asking it instead, "
                    "which keeps their answers.",
                    answered,
                )
                % {"n": answered}
            )
        audit.record(
            action="convene.question.deleted",
            congress=current.congress,
            actor=by,
            target=current,
            data={"object": str(current)},
        )
        current.delete()  # with its empty answers (an unanswered optional question)
        _shown_on_form()


def stop_asking_question(*, question: Question, by=None) -> Question:
    """Take a question off the form and keep its answers (``is_active`` False)."""
    return save_question(congress=question.congress, by=by, instance=question, is_active=False)
