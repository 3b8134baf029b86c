"""The book of abstracts: the accepted proposals of one call (or of the whole congress), with
their titles, abstracts, speakers (organisation, country), track and format, grouped by track.
An HTML page and a PDF rendered by WeasyPrint through the project's one fetcher read the same
``Book``; it is built in a fixed number of queries whatever the number of proposals."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_countries import countries

from events_site.congresses.models import Congress

from .enums import DecisionOutcome, InvitationStatus, ProposalStatus, SessionFormat
from .models import CallForProposals, Proposal, ProposalPerson, Track
from .published import PublishedProgramme


@dataclass(frozen=True)
class BookPerson:
    name: str
    role: str
    organisation: str
    country: str


@dataclass(frozen=True)
class BookEntry:
    code: str
    title: str
    abstract: str
    format: str
    proposal_type: str
    call: str
    people: tuple[BookPerson, ...]


@dataclass
class BookTrack:
    name: str
    entries: list[BookEntry] = field(default_factory=list)


@dataclass
class Book:
    congress: Congress
    call: CallForProposals | None
    tracks: list[BookTrack]

    @property
    def count(self) -> int:
        return sum(len(t.entries) for t in self.tracks)


def _format_of(proposal: Proposal) -> str:
    """The format it was accepted in: the decision's other format, else its type's."""
    decision = getattr(proposal, "decision", None)
    if decision is not None and decision.outcome == DecisionOutcome.ACCEPT_AS and decision.format:
        return SessionFormat(decision.format).label
    if proposal.proposal_type and proposal.proposal_type.format:
        return SessionFormat(proposal.proposal_type.format).label
    return ""


def book_of_abstracts(
    *, congress: Congress, call: CallForProposals | None = None, language: str | None = None
) -> Book:
    """The accepted proposals of ``call`` (every call of ``congress`` when None), grouped by
    track in the tracks' order (those without a track last), by title within a track. People
    who declined are left out."""
    proposals = (
        Proposal.objects.filter(call__congress=congress, status=ProposalStatus.ACCEPTED)
        .select_related("call", "proposal_type", "track", "decision")
        .prefetch_related(
            Prefetch(
                "people",
                queryset=ProposalPerson.objects.exclude(status=InvitationStatus.DECLINED).order_by(
                    "position", "pk"
                ),
            )
        )
    )
    if call is not None:
        proposals = proposals.filter(call=call)
    groups: dict[int | None, BookTrack] = {}
    order: dict[int | None, tuple] = {}
    for proposal in proposals:
        track: Track | None = proposal.track
        key = track.pk if track else None
        if key not in groups:
            name = track.translated("name", language) if track else _("Without a track")
            groups[key] = BookTrack(name)
            order[key] = (1, 0, "") if track is None else (0, track.position, name.casefold())
        groups[key].entries.append(
            BookEntry(
                code=proposal.code,
                title=proposal.title,
                abstract=proposal.abstract,
                format=_format_of(proposal),
                proposal_type=(
                    proposal.proposal_type.translated("name", language)
                    if proposal.proposal_type
                    else ""
                ),
                call=proposal.call.translated("title", language),
                people=tuple(
                    BookPerson(
                        name=p.name,
                        role=p.get_role_display(),
                        organisation=p.organisation,
                        country=p.country.name if p.country else "",
                    )
                    for p in proposal.people.all()
                ),
            )
        )
    tracks = [groups[key] for key in sorted(groups, key=lambda k: order[k])]
    for group in tracks:
        group.entries.sort(key=lambda e: (e.title.casefold(), e.code))
    return Book(congress=congress, call=call, tracks=tracks)


def published_book_of_abstracts(
    *, congress: Congress, programme: PublishedProgramme, language: str | None = None
) -> Book:
    """The public book: the accepted proposals of the calls that publish their abstracts
    (``public_abstracts``) whose session is in ``programme`` (the published version) and not
    cancelled there. Everything printed comes from what is public already: the published
    session's title, abstract, format, track and speakers (name, organisation, country), the
    call's title and the type's name; nothing of the proposal itself (e-mails, answers,
    reviews, people not on the published session). Two queries whatever the size."""
    shown = {s.code: s for s in programme.sessions if not s.is_cancelled}
    rows = (
        Proposal.objects.filter(
            call__congress=congress,
            call__public_abstracts=True,
            status=ProposalStatus.ACCEPTED,
            session__code__in=list(shown),
        )
        .select_related("call", "proposal_type", "session")
        .only(
            "code",
            "session__code",
            "call__title",
            "call__translations",
            "proposal_type__name",
            "proposal_type__translations",
        )
    )
    track_order = {slug: i for i, slug in enumerate(programme.tracks)}
    positions = dict(
        Track.objects.filter(congress=congress, slug__in=list(programme.tracks)).values_list(
            "slug", "position"
        )
    )
    groups: dict[str | None, BookTrack] = {}
    seen: set[str] = set()
    for proposal in rows:
        session = shown[proposal.session.code]
        if session.code in seen:  # a merged proposal joins the same session: one entry
            continue
        seen.add(session.code)
        track = session.track
        key = track.slug if track else None
        if key not in groups:
            groups[key] = BookTrack(track.translated("name", language) if track else "")
        groups[key].entries.append(
            BookEntry(
                code=session.code,
                title=session.translated("title", language),
                abstract=session.translated("abstract", language),
                format=session.format_label,
                proposal_type=(
                    proposal.proposal_type.translated("name", language)
                    if proposal.proposal_type
                    else ""
                ),
                call=proposal.call.translated("title", language),
                people=tuple(
                    BookPerson(
                        name=a.speaker.name,
                        role=a.role_label,
                        organisation=a.speaker.organisation,
                        country=_country_name(a.speaker.country),
                    )
                    for a in session.speakers
                ),
            )
        )
    if None in groups:
        groups[None].name = _("Without a track")

    def order(key):
        if key is None:
            return (1, 0, 0, "")
        return (0, positions.get(key, 0), track_order[key], groups[key].name.casefold())

    tracks = [groups[key] for key in sorted(groups, key=order)]
    for group in tracks:
        group.entries.sort(key=lambda e: (e.title.casefold(), e.code))
    return Book(congress=congress, call=None, tracks=tracks)


def _country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def book_pdf(book: Book, *, language: str) -> bytes:
    from events_site.congresses.pdf_fetcher import html_to_pdf  # imports WeasyPrint: slow

    html = render_to_string("agenda/print/abstracts.html", {"book": book, "language": language})
    return html_to_pdf(html, congress=book.congress)
