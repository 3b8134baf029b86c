"""Two fully populated congresses for the URL walk: every kind of object a route names
(orders, delegates, payments, invoices, refunds, badges, layouts, print jobs, refused scans,
sessions, speakers, tracks, rooms, personal agendas, change notices, vouchers, questions,
waiting-list entries), built with the apps' own demo seeders and services, plus one team member
per role in congress A and an owner of congress B (charlie)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from badges import demo as badges_demo
from badges import services as badge_services
from badges.enums import CheckInChannel, PrintJobFailure, PrintJobStatus
from badges.layouts import save_badge_layout
from badges.models import Badge, PrintJob, PrintStation, StationPrint
from events_site.congresses import api_tokens
from events_site.congresses import services as core_services
from events_site.congresses.enums import CongressStatus, Role
from events_site.congresses.models import Room, Venue
from events_site.demo.people import generate_people
from registrations import demo as registrations_demo
from registrations.enums import (
    BulkKind,
    CertificateKind,
    EmailStatus,
    OutboxAudience,
    VisaLetterStatus,
)
from registrations.lifecycle import OrderStatus
from registrations.models import (
    BankStatement,
    BankStatementLine,
    BulkJob,
    Certificate,
    Delegate,
    Invoice,
    MemberOrganisation,
    Order,
    OutboxMessage,
    Question,
    Quote,
    RegistrationType,
    SentEmail,
    VisaFocalPoint,
    VisaLetterRequest,
    Voucher,
    WaitingListEntry,
)
from registrations.payments import demo as payments_demo
from registrations.payments.enums import BankLineStatus, StatementFormat
from registrations.payments.services import quotes as quote_services
from registrations.services.saved_filters import save_filter
from sessions import demo as agenda_demo
from sessions import services as agenda_services
from sessions.enums import SessionStatus, SlidesMoment, SpeakerRole
from sessions.models import (
    Break,
    Contribution,
    Session,
    SessionSlides,
    Speaker,
    SpeakerUnavailability,
    Tag,
    Track,
)
from tests.factories import CongressFactory, DelegateFactory, OrderFactory, TeamMembershipFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


_PNG = _png()


@dataclass
class Side:
    """One congress and one real object of every kind its routes take."""

    congress: object
    order: Order = None  # paid, invoiced, with a badge-holding delegate
    delegate: Delegate = None
    badge: Badge = None
    invoice: Invoice = None
    registration_type: RegistrationType = None
    session: Session = None  # published, so it shows on the public pages too
    speaker: Speaker = None
    track: Track = None
    room: Room = None
    # Not published: added to the draft after the last version, and a speaker of no session.
    draft_session: Session = None
    hidden_speaker: Speaker = None
    print_job: PrintJob = None  # done, with its PDF
    failed_print_job: PrintJob = None
    agenda_token: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    users: dict  # persona name -> user (None for the anonymous visitor)


def _populate(congress, *, seed: int, owner) -> Side:
    rng = random.Random(seed)
    venue = Venue.objects.create(congress=congress, name="Convention Centre", city="Daejeon")
    for n in range(4):
        Room.objects.create(
            venue=venue,
            name=f"Hall {n}",
            capacity=200,
            opens_at=dt.time(8),
            closes_at=dt.time(21),
            position=n,
        )
    people = generate_people(20, seed=seed)
    registrations_demo.seed_demo(congress=congress, people=people[:14], rng=rng)
    payments_demo.seed_demo(congress=congress, rng=rng)
    agenda_demo.seed_demo(congress=congress, speakers=people[14:], rng=rng, sessions=6)
    badges_demo.seed_demo(congress=congress, rng=rng)

    side = Side(congress=congress)
    side.invoice = (
        Invoice.objects.filter(congress=congress, order__status=OrderStatus.PAID)
        .select_related("order")
        .order_by("id")
        .first()
    )
    side.order = side.invoice.order
    side.delegate = side.order.delegates.filter(is_cancelled=False).order_by("id").first()
    side.badge = badge_services.badge_for(delegate=side.delegate)
    side.delegate.photo.save("walk.png", ContentFile(_PNG), save=True)  # the desk's photo view
    side.registration_type = side.delegate.registration_type
    side.extra["quote"] = _open_quote(side)
    side.session = (
        Session.objects.filter(congress=congress, status=SessionStatus.CONFIRMED)
        .order_by("starts_at", "code")
        .first()
    )
    Session.objects.filter(pk=side.session.pk).update(attendance_scanning=True)
    side.session.attendance_scanning = True
    side.speaker = Speaker.objects.filter(congress=congress).order_by("code").first()
    # Both congresses get the demo's track slugs: each side also has a track of its own.
    side.track = agenda_services.create_track(
        congress=congress, by=owner, name=f"Own track {seed}", slug=f"own-track-{seed}"
    )
    side.room = Room.objects.filter(venue__congress=congress).order_by("id").first()
    side.hidden_speaker = agenda_services.create_speaker(
        congress=congress, by=owner, name=f"Not yet announced {seed}"
    )
    side.draft_session = agenda_services.create_session(
        congress=congress,
        by=owner,
        title=f"Still a draft {seed}",
        status=SessionStatus.DRAFT,
        starts_at=dt.datetime.combine(congress.start_date, dt.time(7), tzinfo=congress.tz),
        ends_at=dt.datetime.combine(congress.start_date, dt.time(7, 45), tzinfo=congress.tz),
        speakers=[(side.hidden_speaker, SpeakerRole.SPEAKER)],
    ).session
    side.extra["break"] = Break.objects.create(
        congress=congress,
        code=f"WALK{seed}",
        title=f"Walk coffee {seed}",
        starts_at=dt.datetime.combine(congress.end_date, dt.time(23), tzinfo=congress.tz),
        ends_at=dt.datetime.combine(congress.end_date, dt.time(23, 15), tzinfo=congress.tz),
    )
    side.extra["contribution"] = Contribution.objects.create(
        session=side.session, code=f"WALK{seed}", title=f"Walk talk {seed}", minutes=5
    )
    agenda = agenda_services.get_or_create_agenda(delegate=side.delegate)
    side.agenda_token = agenda_services.regenerate_feed_token(agenda=agenda).feed_token

    now = timezone.now()
    side.print_job = PrintJob.objects.create(
        congress=congress,
        created_by=owner,
        status=PrintJobStatus.DONE,
        badge_count=1,
        rendered_count=1,
        started_at=now,
        finished_at=now,
    )
    side.print_job.badges.add(side.badge)
    side.print_job.file.save(f"walk-{seed}.pdf", ContentFile(PDF), save=True)
    side.failed_print_job = PrintJob.objects.create(
        congress=congress,
        created_by=owner,
        status=PrintJobStatus.FAILED,
        failure=PrintJobFailure.ERROR,
        badge_count=1,
        started_at=now,
        finished_at=now,
    )
    side.failed_print_job.badges.add(side.badge)
    with contextlib.suppress(badge_services.InvalidBadgeCode):  # recorded as refused
        badge_services.look_up_scan(
            congress=congress, code="NOT-A-BADGE", by=owner, desk="1", channel=CheckInChannel.DESK
        )
    station = PrintStation.objects.create(congress=congress, name=f"Walk station {seed}")
    side.extra["station_print"] = StationPrint.objects.create(
        station=station, badge=side.badge, desk="1", queued_at=now
    )
    side.extra["layout"] = save_badge_layout(
        congress=congress, name=f"Walk layout {seed}", role="press", label="PRESS"
    )
    side.extra["tag"] = Tag.objects.filter(congress=congress).order_by("slug").first()
    side.extra["unavailability"] = SpeakerUnavailability.objects.create(
        speaker=side.speaker,
        starts_at=dt.datetime.combine(congress.start_date, dt.time(7), tzinfo=congress.tz),
        ends_at=dt.datetime.combine(congress.start_date, dt.time(8), tzinfo=congress.tz),
    )
    side.extra["slides"] = SessionSlides(
        session=side.session,
        content_type="application/pdf",
        size=len(PDF),
        moment=SlidesMoment.BEFORE,
        uploaded_at=now,
    )
    side.extra["slides"].file.save(f"walk-{seed}.pdf", ContentFile(PDF), save=True)
    side.extra["member"] = owner
    side.extra["member_organisation"] = MemberOrganisation.objects.create(
        congress=congress, name=f"Walk member {seed}", country="KR", reference=f"W-{seed}"
    )
    side.extra["focal_point"] = VisaFocalPoint.objects.create(
        member_organisation=side.extra["member_organisation"],
        name=f"Walk focal point {seed}",
        email=f"focal-{seed}@walk.example",
    )
    side.extra["waiting_list_entry"] = WaitingListEntry.objects.create(
        congress=congress,
        registration_type=side.registration_type,
        name=f"Walk waiting {seed}",
        email=f"waiting-{seed}@walk.example",
    )
    side.extra["bulk_job"] = BulkJob.objects.create(
        congress=congress, kind=BulkKind.APPROVE, token=f"walk-bulk-{seed}", requested_by=owner
    )
    side.extra["voucher"] = Voucher.objects.filter(congress=congress).order_by("code").first()
    # saved by a colleague none of the walk's personas is, so a POST to delete it is refused
    # (only its owner deletes it) and it stays for the others
    side.extra["saved_filter"] = save_filter(
        congress=congress,
        by=_user(f"walk-filter-owner-{seed}"),
        name=f"Walk filter {seed}",
        query="visa=yes",
        shared=True,
    )
    # answered, so the walk's POST to its delete page is refused and it stays for the others
    side.extra["question"] = (
        Question.objects.filter(congress=congress, answers__value__gt="").order_by("id").first()
    )
    side.extra["bank_statement"] = BankStatement.objects.create(
        congress=congress, format=StatementFormat.CAMT053, filename=f"walk-{seed}.xml"
    )
    side.extra["bank_line"] = BankStatementLine.objects.create(
        congress=congress,
        statement=side.extra["bank_statement"],
        position=1,
        fingerprint=f"walk-{seed}",
        booked_on=congress.start_date,
        amount=Decimal("10.00"),
        currency=congress.currency,
        status=BankLineStatus.UNMATCHED,
    )
    side.extra["api_token"] = api_tokens.create_token(
        congress=congress, by=owner, name=f"Scanner {seed}", role=Role.CHECKIN
    ).token
    side.extra["sent_email"] = SentEmail.objects.create(
        congress=congress,
        order=side.order,
        recipient=side.order.email,
        subject=f"Walk e-mail {seed}",
        text="Walk",
        kind="walk",
        status=EmailStatus.SENT,
        sent_at=now,
    )
    side.extra["outbox_message"] = OutboxMessage.objects.create(
        congress=congress,
        nonce=f"walk-nonce-{seed}",
        audience=OutboxAudience.DELEGATES,
        subject=f"Walk outbox {seed}",
        body="Walk",
        created_by=owner,
    )
    side.extra["invitation"] = core_services.invite_to_team(
        congress=congress, email=f"invited-{seed}@walk.example", roles=["finance"], by=owner
    )
    _populate_calls(side, seed=seed)
    side.extra["visa_letter"] = VisaLetterRequest.objects.create(
        congress=congress,
        delegate=side.delegate,
        status=VisaLetterStatus.ISSUED,
        passport_name=f"WALK {seed}",
        nationality="PT",
        passport_number=f"P{seed}",
        passport_issued_on=dt.date(2020, 1, 1),
        passport_expires_on=dt.date(2035, 1, 1),
        birth_date=dt.date(1980, 1, 1),
        birth_place="Lisboa",
        embassy_city="Lisboa",
        consent_at=now,
        delete_after=congress.end_date + dt.timedelta(days=30),
        issued_at=now,
    )
    side.extra["certificate"] = Certificate.objects.create(
        congress=congress,
        delegate=side.delegate,
        kind=CertificateKind.ATTENDANCE,
        holder_name=f"Walk {seed}",
        issued_at=now,
    )
    return side


def _populate_calls(side: Side, *, seed: int) -> None:
    """An open call (the demo's, with a review phase active) and a closed one whose proposal's
    people are locked, so that the walk's POSTs remove and withdraw nobody it needs."""
    from sessions import cfp_demo
    from sessions.enums import ProposalStatus as Status
    from sessions.models import (
        CallForProposals,
        Proposal,
        ProposalPerson,
        ProposalPersonUnavailability,
    )

    call = cfp_demo.seed_demo(
        congress=side.congress, people=[], rng=random.Random(seed), slug=f"sessions-{seed}"
    )
    call = CallForProposals.objects.get(congress=side.congress, slug=f"sessions-{seed}")
    side.extra["call"] = call
    side.extra["proposal"] = (
        Proposal.objects.filter(call=call, status=Status.SUBMITTED, decision__isnull=True)
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    closed = CallForProposals.objects.create(
        congress=side.congress,
        slug=f"closed-{seed}",
        title=f"Closed call {seed}",
        opens_at=now - dt.timedelta(days=60),
        deadline=now - dt.timedelta(days=30),
    )
    locked = Proposal.objects.create(
        call=closed,
        code=f"LOCK{seed}",
        title="Locked",
        proposer_name="Walk proposer",
        proposer_email=f"walk-{seed}@walk.example",
        status=Status.SUBMITTED,
    )
    side.extra["locked_proposal"] = locked
    side.extra["locked_person"] = ProposalPerson.objects.create(
        proposal=locked, name="Walk speaker", email=f"walk-speaker-{seed}@walk.example"
    )
    side.extra["person"] = side.extra["proposal"].people.order_by("pk").first()
    side.extra["person_gap"] = ProposalPersonUnavailability.objects.create(
        person=side.extra["person"],
        starts_at=dt.datetime.combine(side.congress.start_date, dt.time(9), side.congress.tz),
        ends_at=dt.datetime.combine(side.congress.start_date, dt.time(10), side.congress.tz),
    )
    side.extra["phase"] = call.review_phases.order_by("pk").first()
    _populate_paid_speaker(side, call=call, seed=seed)


def _populate_paid_speaker(side: Side, *, call, seed: int) -> None:
    """A confirmed speaker of an accepted proposal (the side's session) who had paid as a
    delegate on an order of their own, on a call that offers a refund; and slides they
    uploaded, for the routes of their link that answer the offer and remove their slides."""
    from sessions.enums import InvitationStatus, PaidSpeakerPolicy
    from sessions.enums import ProposalStatus as Status
    from sessions.models import Proposal, ProposalPerson

    CallForProposals = type(call)
    CallForProposals.objects.filter(pk=call.pk).update(paid_speaker_policy=PaidSpeakerPolicy.REFUND)
    accepted = Proposal.objects.create(
        call=call,
        code=f"PAID{seed}",
        title="Accepted with a paid speaker",
        proposer_name="Walk proposer",
        proposer_email=f"walk-paid-proposer-{seed}@walk.example",
        status=Status.ACCEPTED,
        session=side.session,
    )
    person = ProposalPerson.objects.create(
        proposal=accepted,
        name="Walk paid speaker",
        email=f"walk-paid-{seed}@walk.example",
        status=InvitationStatus.CONFIRMED,
        speaker=side.speaker,
    )
    side.extra["paid_person"] = person
    order = OrderFactory(congress=side.congress, status=OrderStatus.PAID, total=Decimal("100.00"))
    DelegateFactory(
        order=order,
        registration_type=side.registration_type,
        price=Decimal("100.00"),
        email=person.email,
    )
    side.extra["paid_order"] = order
    side.extra["own_slides"] = SessionSlides(
        session=side.session,
        speaker=side.speaker,
        content_type="application/pdf",
        size=len(PDF),
        moment=SlidesMoment.BEFORE,
        uploaded_at=timezone.now(),
    )
    side.extra["own_slides"].file.save(f"walk-own-{seed}.pdf", ContentFile(PDF), save=True)


def _user(username: str):
    """No password: the walk signs in with ``force_login`` (and hashing costs a second each)."""
    return get_user_model().objects.create_user(username=username, email=f"{username}@walk.example")


def build_world() -> World:
    congress_a = CongressFactory(
        slug="walk-a", name="Walk Congress A", status=CongressStatus.REGISTRATION_OPEN
    )
    congress_b = CongressFactory(
        slug="walk-b", name="Walk Congress B", status=CongressStatus.REGISTRATION_OPEN
    )
    users = {"anonymous": None}
    for role in Role:
        user = _user(f"walk-{role.value}")
        TeamMembershipFactory(congress=congress_a, user=user, role=role.value)
        users[role.value] = user
    charlie = _user("walk-charlie")
    TeamMembershipFactory(congress=congress_b, user=charlie, role=Role.OWNER)
    users["charlie"] = charlie
    users["stranger"] = _user("walk-stranger")  # signed in, in no team
    a = _populate(congress_a, seed=2027, owner=users[Role.OWNER])
    b = _populate(congress_b, seed=4049, owner=charlie)
    return World(a=a, b=b, users=users)


def _open_quote(side: Side) -> Quote:
    """An open quote for the quote routes: the demo's, or one on an order made for it (a small
    demo may have no pending order left to quote)."""
    quote = Quote.objects.filter(congress=side.congress, status="open").first()
    if quote is not None:
        return quote
    order = OrderFactory(
        congress=side.congress,
        status=OrderStatus.PENDING_PAYMENT,
        total=Decimal("100.00"),
        hold_expires_at=timezone.now() + dt.timedelta(days=1),
    )
    DelegateFactory(order=order, registration_type=side.registration_type, price=Decimal("100.00"))
    return quote_services.create_quote(
        order=order,
        billing={
            "name": "Ville de Lyon",
            "address": "1 place de la Comédie\n69001 Lyon",
            "country": "FR",
            "email": "finances@lyon.example",
            "public_body": True,
        },
    )
