"""The organisers' set-up of a call: the call itself and its parts (proposal types, questions,
access codes, score categories, review phases), created, changed and deleted here only, and the
reviewers' profiles (own organisation and country, the tracks they review).

A part that proposals or reviews already use is not deleted: its deletion is refused with what
uses it (a proposal type chosen by proposals, a question answered, an access code used, a score
category scored, the active phase), so no answer or score disappears behind the organiser's back.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.congresses import audit, public_version

from ..errors import CallSetupRefused
from ..models import (
    AccessCode,
    CallForProposals,
    CfpQuestion,
    Proposal,
    ProposalPerson,
    ProposalType,
    Review,
    ReviewerProfile,
    ReviewPhase,
    ReviewScore,
    ScoreCategory,
    Track,
)
from .cfp_review import weighted_score

# The parts of a call by the name the organiser pages and the audit use.
PART_MODELS: dict[str, type[models.Model]] = {
    "type": ProposalType,
    "question": CfpQuestion,
    "code": AccessCode,
    "category": ScoreCategory,
    "phase": ReviewPhase,
}


def _kind_of(part: models.Model) -> str:
    for kind, model in PART_MODELS.items():
        if isinstance(part, model):
            return kind
    raise ValueError(f"{type(part).__name__} is not a part of a call")


def _refusal(error: ValidationError) -> CallSetupRefused:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return CallSetupRefused(errors[0].messages[0], field=None if field == "__all__" else field)
    return CallSetupRefused(error.messages[0])


def _apply(instance: models.Model, fields: dict[str, Any], exclude: list[str]) -> None:
    known = {f.name for f in instance._meta.get_fields()}
    unknown = set(fields) - known
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise _refusal(error) from error


def save_call(
    *,
    congress,
    by,
    call: CallForProposals | None = None,
    fields: dict[str, Any],
    tracks: list[Track] | None = None,
) -> CallForProposals:
    """Create a call of ``congress`` or change ``call``: its dates, texts (with their
    ``translations``), rules and tracks. A slug another call has is refused."""
    if call is not None and call.congress_id != congress.pk:
        raise CallSetupRefused(_("This call belongs to another congress."))
    try:
        with transaction.atomic():
            if call is None:
                current = CallForProposals(congress=congress)
            else:
                current = CallForProposals.objects.select_for_update().get(pk=call.pk)
            _apply(current, fields, exclude=["congress"])
            taken = CallForProposals.objects.filter(congress=congress, slug=current.slug)
            if current.pk:
                taken = taken.exclude(pk=current.pk)
            if taken.exists():
                raise CallSetupRefused(
                    _("Another call of this congress has this slug."), field="slug"
                )
            created = current.pk is None
            current.save()
            if tracks is not None:
                current.tracks.set([t for t in tracks if t.congress_id == congress.pk])
            audit.record(
                action="convene.cfp.call_created" if created else "convene.cfp.call_changed",
                congress=congress,
                actor=by,
                target=current,
                data={"slug": current.slug, "fields": sorted(fields)},
            )
            # The public book of abstracts and its link on the programme read the call.
            transaction.on_commit(public_version.bump)
    except IntegrityError as exc:
        raise CallSetupRefused(
            _("Another call of this congress has this slug."), field="slug"
        ) from exc
    return current


def _check_related(call: CallForProposals, m2m: dict[str, list]) -> None:
    for name, chosen in m2m.items():
        for item in chosen:
            owner = getattr(item, "congress_id", None) or getattr(item, "call_id", None)
            expected = call.congress_id if hasattr(item, "congress_id") else call.pk
            if owner != expected:
                raise CallSetupRefused(_("Choose among this call's own entries."), field=name)


def save_call_part(
    *,
    call: CallForProposals,
    kind: str,
    by,
    part: models.Model | None = None,
    fields: dict[str, Any],
    m2m: dict[str, list] | None = None,
) -> models.Model:
    """Add a part of ``kind`` to ``call`` or change ``part`` (one of its own). The call's row
    is locked so two organisers adding the same access code get one entry and one refusal."""
    model = PART_MODELS[kind]
    if part is not None and (not isinstance(part, model) or part.call_id != call.pk):
        raise CallSetupRefused(_("This entry belongs to another call."))
    m2m = m2m or {}
    _check_related(call, m2m)
    try:
        with transaction.atomic():
            CallForProposals.objects.select_for_update().filter(pk=call.pk).first()
            if part is None:
                current = model(call=call)
                if "position" not in fields:
                    current.position = model.objects.filter(call=call).count()
            else:
                current = model.objects.select_for_update().get(pk=part.pk)
            if kind == "code":
                _check_code(current, fields)
            elif kind == "category" and current.pk:
                _check_range(current, fields)
            weight_before = getattr(current, "weight", None)
            _apply(current, fields, exclude=["call"])
            created = current.pk is None
            current.save()
            if kind == "category" and not created and current.weight != weight_before:
                _rescore(call)
            for name, chosen in m2m.items():
                getattr(current, name).set(chosen)
            audit.record(
                action=f"convene.cfp.{kind}_{'added' if created else 'changed'}",
                congress=call.congress,
                actor=by,
                target=current,
                data={"call": call.slug, "fields": sorted(fields)},
            )
    except IntegrityError as exc:
        raise CallSetupRefused(_("This conflicts with another entry of the call.")) from exc
    return current


def _check_code(code: AccessCode, fields: dict) -> None:
    taken = AccessCode.objects.filter(call_id=code.call_id, code=fields.get("code", code.code))
    if code.pk:
        taken = taken.exclude(pk=code.pk)
    if taken.exists():
        raise CallSetupRefused(_("This call already has this code."), field="code")
    if fields.get("max_uses", code.max_uses) < code.uses:
        raise CallSetupRefused(
            _("This code was used %(n)s times already: allow at least as many.") % {"n": code.uses},
            field="max_uses",
        )


def _check_range(category: ScoreCategory, fields: dict) -> None:
    """Scores already given stay within a changed range."""
    low = fields.get("min_score", category.min_score)
    high = fields.get("max_score", category.max_score)
    if low is None or high is None:
        return  # the row's own validation says what is missing
    given = list(
        ReviewScore.objects.filter(category=category)
        .exclude(value__gte=low, value__lte=high)
        .values_list("value", flat=True)
    )
    if given:
        raise CallSetupRefused(
            _("Reviewers gave scores outside this range: keep it from %(low)s to %(high)s.")
            % {"low": min(low, *given), "high": max(high, *given)},
            field="max_score",
        )


def _rescore(call: CallForProposals) -> None:
    """Every review's weighted score again, after a category's weight changed."""
    reviews = Review.objects.filter(proposal__call=call).prefetch_related("scores__category")
    for review in reviews.select_for_update(of=("self",)):
        values = {score.category: score.value for score in review.scores.all()}
        review.score = weighted_score(values)
        review.save(update_fields=["score"])


def _answered(question: CfpQuestion) -> int:
    """How many proposals and people gave ``question`` an answer (an empty one is none)."""
    key = str(question.pk)
    proposals = Proposal.objects.filter(call_id=question.call_id, answers__has_key=key)
    people = ProposalPerson.objects.filter(proposal__call_id=question.call_id, answers__has_key=key)
    found = [
        *proposals.values_list("answers", flat=True),
        *people.values_list("answers", flat=True),
    ]
    return sum(1 for answers in found if answers.get(key) not in (None, "", []))


def _use_of(part: models.Model) -> str | None:
    """Why ``part`` cannot be deleted, or None."""
    if isinstance(part, ProposalType):
        n = Proposal.objects.filter(proposal_type=part).count()
        if n:
            return ngettext(
                "%(n)s proposal has this type: give it another type first.",
                "%(n)s proposals have this type: give them another type first.",
                n,
            ) % {"n": n}
    elif isinstance(part, CfpQuestion):
        n = _answered(part)
        if n:
            return ngettext(
                "This question has %(n)s answer: it cannot be deleted, but it can be made "
                "optional.",
                "This question has %(n)s answers: it cannot be deleted, but it can be made "
                "optional.",
                n,
            ) % {"n": n}
    elif isinstance(part, AccessCode):
        n = max(part.uses, Proposal.objects.filter(access_code=part).count())
        if n:
            return ngettext(
                "This code was used %(n)s time: it cannot be deleted, but it can be made inactive.",
                "This code was used %(n)s times: it cannot be deleted, but it can be made "
                "inactive.",
                n,
            ) % {"n": n}
    elif isinstance(part, ScoreCategory):
        n = ReviewScore.objects.filter(category=part).count()
        if n:
            return ngettext(
                "Reviewers gave %(n)s score in this category: deleting it would change "
                "their reviews.",
                "Reviewers gave %(n)s scores in this category: deleting it would change "
                "their reviews.",
                n,
            ) % {"n": n}
    elif isinstance(part, ReviewPhase) and part.is_active:
        return _("This is the active phase: make another phase active first.")
    return None


# The parts listed in an order the organisers choose (access codes are listed by code).
ORDERED_KINDS = ("type", "question", "category", "phase")
UP, DOWN = "up", "down"


def _siblings(part: models.Model):
    """The parts ``part`` is ordered among: its call's of its kind (a question among those
    asked of the same people, as the forms list them)."""
    found = type(part).objects.filter(call_id=part.call_id)
    if isinstance(part, CfpQuestion):
        found = found.filter(target=part.target)
    return found


def move_call_part(*, part: models.Model, direction: str, by) -> models.Model:
    """Move ``part`` one place up or down among its siblings; every sibling's position is
    written again (0, 1, 2...) so equal positions of older rows cannot keep it in place.
    The first moved up or the last moved down is refused (nothing changes)."""
    kind = _kind_of(part)
    if kind not in ORDERED_KINDS:
        raise CallSetupRefused(_("These entries are listed in their own order."))
    if direction not in (UP, DOWN):
        raise CallSetupRefused(_("Choose to move it up or down."))
    with transaction.atomic():
        call = CallForProposals.objects.select_for_update().get(pk=part.call_id)
        current = PART_MODELS[kind].objects.filter(pk=part.pk).first()
        if current is None:
            raise CallSetupRefused(_("This entry no longer exists."))
        ordered = list(_siblings(current).select_for_update())
        index = next(i for i, sibling in enumerate(ordered) if sibling.pk == current.pk)
        other = index - 1 if direction == UP else index + 1
        if other < 0:
            raise CallSetupRefused(_("This is already the first."))
        if other >= len(ordered):
            raise CallSetupRefused(_("This is already the last."))
        ordered[index], ordered[other] = ordered[other], ordered[index]
        changed = []
        for position, sibling in enumerate(ordered):
            if sibling.position != position:
                sibling.position = position
                changed.append(sibling)
        PART_MODELS[kind].objects.bulk_update(changed, ["position"])
        audit.record(
            action=f"convene.cfp.{kind}_moved",
            congress=call.congress,
            actor=by,
            target=current,
            data={"call": call.slug, "direction": direction, "position": other},
        )
    current.position = other
    return current


def delete_call_part(*, part: models.Model, by) -> None:
    """Delete a part of a call nothing uses; otherwise refused with what uses it."""
    kind = _kind_of(part)
    model = PART_MODELS[kind]
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=part.pk).first()
        if current is None:
            return
        reason = _use_of(current)
        if reason:
            raise CallSetupRefused(reason)
        audit.record(
            action=f"convene.cfp.{kind}_deleted",
            congress=current.call.congress,
            actor=by,
            target=current,
            data={"call": current.call.slug, "name": str(current)},
        )
        current.delete()


def save_reviewer_profile(
    *, congress, user, by, organisation: str, country: str, tracks: list[Track]
) -> ReviewerProfile:
    """What conflicts of interest are checked against for ``user`` and the tracks they review
    (empty: all); the congress's own tracks only."""
    if any(track.congress_id != congress.pk for track in tracks):
        raise CallSetupRefused(_("Choose among this congress's tracks."), field="tracks")
    with transaction.atomic():
        profile, _made = ReviewerProfile.objects.select_for_update().get_or_create(
            congress=congress, user=user
        )
        profile.organisation = organisation
        profile.country = country.upper()
        try:
            profile.full_clean(exclude=["congress", "user", "tracks"])
        except ValidationError as error:
            raise _refusal(error) from error
        profile.save()
        profile.tracks.set(tracks)
        audit.record(
            action="convene.cfp.reviewer_profile_saved",
            congress=congress,
            actor=by,
            target=profile,
            data={"tracks": sorted(t.slug for t in tracks)},
        )
    return profile
