"""Speakers' slides for their session: uploaded through their own link once their proposal is
accepted, marked "before" or "after" by when they arrive (the session's end decides), listed
and downloadable on the public session page, removable by the programme team and by the
speaker who uploaded them."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses import audit, public_version, text

from ..enums import InvitationStatus, SessionStatus, SlidesMoment
from ..errors import ProposalRefused
from ..models import ProposalPerson, Session, SessionSlides
from ..slides_models import MAX_SLIDES_TITLE

MAX_SLIDES_PER_SESSION = 10


def may_upload_slides(person: ProposalPerson) -> bool:
    """Whether the person's link offers the slides form: confirmed, on an accepted proposal
    that has its session (not cancelled)."""
    proposal = person.proposal
    return (
        person.status == InvitationStatus.CONFIRMED
        and proposal.is_accepted
        and proposal.session_id is not None
        and person.speaker_id is not None
        and proposal.session.status != SessionStatus.CANCELLED
    )


def upload_slides(
    *, person: ProposalPerson, file: ContentFile, content_type: str, title: str = ""
) -> SessionSlides:
    """Store ``file`` (already through ``uploads.accept_slides``) as slides of the person's
    session; "after" once the session has ended."""
    title = (title or "").strip()
    if len(title) > MAX_SLIDES_TITLE:
        raise ProposalRefused(_("The title is too long."), field="title")
    characters = text.refused_characters_in(title)
    if characters:
        raise ProposalRefused(text.refusal_message(_("Title"), characters), field="title")
    with transaction.atomic():
        current = (
            ProposalPerson.objects.select_for_update(of=("self",))
            .select_related("proposal__session", "proposal__call__congress")
            .get(pk=person.pk)
        )
        if not may_upload_slides(current):
            raise ProposalRefused(
                _("Slides can be uploaded once the proposal is accepted and you have confirmed.")
            )
        session = Session.objects.select_for_update().get(pk=current.proposal.session_id)
        if session.slides.count() >= MAX_SLIDES_PER_SESSION:
            raise ProposalRefused(
                _("This session has as many slides as can be kept; ask the organisers.")
            )
        now = timezone.now()
        ended = not session.unscheduled and session.ends_at <= now
        slides = SessionSlides(
            session=session,
            speaker_id=current.speaker_id,
            title=title,
            content_type=content_type,
            size=file.size,
            moment=SlidesMoment.AFTER if ended else SlidesMoment.BEFORE,
            uploaded_at=now,
        )
        slides.file.save(file.name, file, save=False)
        slides.save()
        audit.record(
            action="convene.agenda.slides_uploaded",
            congress=session.congress,
            actor_label="speaker",
            target=session,
            data={"session": session.code, "slides": slides.code, "moment": slides.moment},
        )
        public_version.bump()
    return slides


def remove_slides(*, slides: SessionSlides, by) -> None:
    """Remove slides (the programme team's call); the file goes once the removal commits."""
    with transaction.atomic():
        current = (
            SessionSlides.objects.select_for_update(of=("self",))
            .select_related("session")
            .get(pk=slides.pk)
        )
        _remove(current, actor=by, actor_label="")


def remove_own_slides(*, person: ProposalPerson, slides: SessionSlides) -> None:
    """A speaker removes slides they uploaded themselves, from their own link, while it offers
    the slides (confirmed, accepted, session not cancelled); the file goes on commit."""
    with transaction.atomic():
        speaker = (
            ProposalPerson.objects.select_for_update(of=("self",))
            .select_related("proposal__session", "proposal__call__congress")
            .get(pk=person.pk)
        )
        if not may_upload_slides(speaker):
            raise ProposalRefused(
                _("Slides can be removed while the proposal is accepted and you have confirmed.")
            )
        current = (
            SessionSlides.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(
                pk=slides.pk,
                session_id=speaker.proposal.session_id,
                speaker_id=speaker.speaker_id,
            )
            .first()
        )
        if current is None:
            raise ProposalRefused(_("Only slides you uploaded can be removed here."))
        _remove(current, actor=None, actor_label="speaker")


def _remove(current: SessionSlides, *, actor, actor_label: str) -> None:
    session = current.session
    audit.record(
        action="convene.agenda.slides_removed",
        congress=session.congress,
        actor=actor,
        actor_label=actor_label,
        target=session,
        data={"session": session.code, "slides": current.code},
    )
    stored = current.file
    storage, name = stored.storage, stored.name
    current.delete()
    public_version.bump()
    transaction.on_commit(lambda: storage.delete(name))
