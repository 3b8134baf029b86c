"""The secret links of proposals and of the people on them, and a confirmed person's details
copied to their speaker record: what both the proposing side (``cfp``) and the decisions
(``cfp_decisions``) need, apart so that neither imports the other in a circle."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ..models import Proposal, ProposalPerson, Speaker


def absolute(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def proposal_link(proposal: Proposal) -> str:
    """The proposer's secret link, in full."""
    return absolute(
        reverse(
            "agenda:cfp_proposal",
            kwargs={
                "congress_slug": proposal.call.congress.slug,
                "proposal_secret": proposal.secret,
            },
        )
    )


def person_link(person: ProposalPerson) -> str:
    """A person's own secret link, in full."""
    return absolute(
        reverse(
            "agenda:cfp_person",
            kwargs={
                "congress_slug": person.proposal.call.congress.slug,
                "person_secret": person.secret,
            },
        )
    )


def _copy_to_speaker(person: ProposalPerson, speaker: Speaker) -> None:
    speaker.name = person.name
    speaker.email = person.email
    speaker.organisation = person.organisation or speaker.organisation
    speaker.city = person.city or speaker.city
    speaker.country = person.country or speaker.country
    speaker.bio = person.bio or speaker.bio
    if person.photo:
        speaker.photo = person.photo
    if person.recording_consent is not None:  # the latest answer on any of their links
        speaker.recording_allowed = person.recording_consent
    speaker.save()
