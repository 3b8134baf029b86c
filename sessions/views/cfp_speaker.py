"""A person's own link, beyond confirming and the profile: the times during the congress they
cannot speak, typed in the congress's zone, once accepted their session's slides (and removing
their own), and the refund (or change to the speaker type) their call offers if they had
already paid as a delegate. Looked up only through ``secret_links``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from events_site.congresses.forms import Form, LocalDateTimeInput
from events_site.congresses.secret_links import get_by_secret_or_404
from events_site.congresses.uploads import SlidesUploadField, max_slides_bytes

from ..cfp_forms import ProfileForm
from ..enums import PaidSpeakerOfferState
from ..errors import PaidSpeakerOfferRefused, ProposalRefused
from ..models import ProposalPerson, ProposalPersonUnavailability, SessionSlides
from ..services.availability import MAX_NOTE
from ..services.cfp_paid_speakers import (
    accept_paid_speaker_offer,
    decline_paid_speaker_offer,
    offers_for,
)
from ..services.cfp_speaker import (
    add_person_unavailability,
    congress_bounds,
    remove_person_unavailability,
)
from ..services.slides import may_upload_slides, remove_own_slides, upload_slides
from ..slides_models import MAX_SLIDES_TITLE
from ..wallclock import NONEXISTENT, aware, wall_clock_kind


class PersonUnavailabilityForm(Form):
    """Both times read in the congress's zone; a repeated hour as its first reading, an hour
    the clocks skip refused."""

    starts_at = forms.DateTimeField(label=gettext_lazy("From"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Until"), widget=LocalDateTimeInput())
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=MAX_NOTE,
        required=False,
        help_text=gettext_lazy("Optional, seen by the organisers: for example “travelling”."),
    )

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, prefix="gap", **kwargs)
        self.tz = congress.tz
        first, last = congress_bounds(congress)
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget.attrs.update(
                min=first.strftime("%Y-%m-%dT%H:%M"), max=last.strftime("%Y-%m-%dT%H:%M")
            )

    def _in_zone(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        naive = value.replace(tzinfo=None)
        if wall_clock_kind(naive, self.tz) == NONEXISTENT:
            raise forms.ValidationError(
                _("This time does not exist in %(zone)s: the clocks skip it."),
                params={"zone": str(self.tz)},
            )
        return aware(naive, self.tz)

    def clean_starts_at(self):
        return self._in_zone("starts_at")

    def clean_ends_at(self):
        return self._in_zone("ends_at")


class SlidesForm(Form):
    file = SlidesUploadField(label=gettext_lazy("Slides (PDF, PPTX or ODP)"))
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=MAX_SLIDES_TITLE, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="slides", **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.pptx,.odp"
        self.fields["file"].help_text = _("At most %(size)s.") % {
            "size": filesizeformat(max_slides_bytes())
        }


def person_for(congress_slug: str, person_secret: str) -> ProposalPerson:
    person = get_by_secret_or_404(
        ProposalPerson.objects.select_related("proposal__call__congress", "speaker"),
        secret=person_secret,
    )
    if person.proposal.call.congress.slug != congress_slug:
        raise Http404
    return person


def unavailability_context(person: ProposalPerson, form=None) -> dict:
    """What the person's page shows of their unavailable times (and the form to add one)."""
    congress = person.proposal.call.congress
    return {
        "gaps": list(person.unavailabilities.all()),
        "gap_form": form or PersonUnavailabilityForm(congress=congress),
        "congress_tz": str(congress.tz),
    }


def slides_context(person: ProposalPerson, form=None) -> dict:
    """The slides of the person's session, and the form, once they may upload."""
    if not may_upload_slides(person):
        return {"slides_open": False}
    return {
        "slides_open": True,
        "session_slides": list(SessionSlides.objects.filter(session_id=person.proposal.session_id)),
        "slides_form": form or SlidesForm(),
        "own_speaker_id": person.speaker_id,
    }


def paid_offer_context(person: ProposalPerson) -> dict:
    """The person's paid delegate registrations under their call's policy (none: nothing)."""
    return {"paid_offers": offers_for(person)}


def render_person_page(
    request, person: ProposalPerson, *, form, gap_form=None, slides_form=None, status=200
):
    """The person's page: their answer, their profile, their unavailable times, their slides."""
    return render(
        request,
        "agenda/cfp/person.html",
        {
            "congress": person.proposal.call.congress,
            "call": person.proposal.call,
            "person": person,
            "proposal": person.proposal,
            "form": form,
            **unavailability_context(person, gap_form),
            **slides_context(person, slides_form),
            **paid_offer_context(person),
        },
        status=status,
    )


def _back(congress_slug: str, person_secret: str, anchor: str = "unavailability"):
    response = redirect(
        "agenda:cfp_person", congress_slug=congress_slug, person_secret=person_secret
    )
    response["Location"] += f"#{anchor}"
    return response


@require_POST
def unavailability_add(request, congress_slug: str, person_secret: str):
    person = person_for(congress_slug, person_secret)
    form = PersonUnavailabilityForm(request.POST, congress=person.proposal.call.congress)
    if form.is_valid():
        try:
            add_person_unavailability(
                person=person,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                note=form.cleaned_data["note"],
            )
        except ProposalRefused as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Your unavailable time is saved."))
            return _back(congress_slug, person_secret)
    profile = ProfileForm(instance=person, call=person.proposal.call, now=timezone.now())
    return render_person_page(request, person, form=profile, gap_form=form, status=400)


@require_POST
def unavailability_remove(request, congress_slug: str, person_secret: str, gap_id: int):
    person = person_for(congress_slug, person_secret)
    gap = get_object_or_404(ProposalPersonUnavailability, person=person, pk=gap_id)
    try:
        remove_person_unavailability(gap=gap)
        messages.success(request, _("Your unavailable time is removed."))
    except ProposalRefused as error:
        messages.error(request, str(error))
    return _back(congress_slug, person_secret)


@require_POST
def slides_upload(request, congress_slug: str, person_secret: str):
    person = person_for(congress_slug, person_secret)
    if not may_upload_slides(person):
        messages.error(
            request,
            _("Slides can be uploaded once the proposal is accepted and you have confirmed."),
        )
        return _back(congress_slug, person_secret, "slides")
    form = SlidesForm(request.POST, request.FILES)
    if form.is_valid():
        file, content_type = form.cleaned_data["file"]
        try:
            upload_slides(
                person=person,
                file=file,
                content_type=content_type,
                title=form.cleaned_data["title"],
            )
        except ProposalRefused as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Your slides are uploaded."))
            return _back(congress_slug, person_secret, "slides")
    profile = ProfileForm(instance=person, call=person.proposal.call, now=timezone.now())
    return render_person_page(request, person, form=profile, slides_form=form, status=400)


@require_POST
def slides_remove(request, congress_slug: str, person_secret: str, slides_code: str):
    """Remove slides the person uploaded; another speaker's or session's slides are a 404."""
    person = person_for(congress_slug, person_secret)
    if person.speaker_id is None or person.proposal.session_id is None:
        raise Http404
    slides = get_object_or_404(
        SessionSlides,
        code=slides_code,
        session_id=person.proposal.session_id,
        speaker_id=person.speaker_id,
    )
    try:
        remove_own_slides(person=person, slides=slides)
    except ProposalRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your slides are removed."))
    return _back(congress_slug, person_secret, "slides")


def _offered(person: ProposalPerson, order_code: str) -> None:
    """Only an order the person's own link lists may be answered: anything else is a 404."""
    if order_code not in {offer.order_code for offer in offers_for(person)}:
        raise Http404


@require_POST
def paid_offer_accept(request, congress_slug: str, person_secret: str, order_code: str):
    person = person_for(congress_slug, person_secret)
    _offered(person, order_code)
    try:
        offer = accept_paid_speaker_offer(person=person, order_code=order_code)
    except PaidSpeakerOfferRefused as error:
        messages.error(request, str(error))
    else:
        if offer.offered_type and offer.state == PaidSpeakerOfferState.CHANGED:
            messages.success(
                request,
                _("Your registration is now “%(type)s”; the difference is being refunded.")
                % {"type": offer.offered_type},
            )
        elif offer.offered_type:
            messages.warning(
                request,
                _(
                    "Your answer is recorded, but the change could not be made at once: "
                    "the organisers will complete it."
                ),
            )
        elif offer.refund_note:
            messages.warning(
                request,
                _(
                    "Your answer is recorded, but the refund could not be made at once: "
                    "the organisers will complete it."
                ),
            )
        else:
            messages.success(request, _("The refund of your registration is requested."))
    return _back(congress_slug, person_secret, "paid-offer")


@require_POST
def paid_offer_decline(request, congress_slug: str, person_secret: str, order_code: str):
    person = person_for(congress_slug, person_secret)
    _offered(person, order_code)
    try:
        decline_paid_speaker_offer(person=person, order_code=order_code)
    except PaidSpeakerOfferRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You keep your paid registration."))
    return _back(congress_slug, person_secret, "paid-offer")
