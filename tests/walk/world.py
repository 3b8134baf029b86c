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

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from badges import demo as badges_demo
from badges import services as badge_services
from badges.enums import CheckInChannel, PrintJobFailure, PrintJobStatus
from badges.layouts import save_badge_layout
from badges.models import Badge, PrintJob
from events_site.congresses import api_tokens
from events_site.congresses import services as core_services
from events_site.congresses.enums import CongressStatus, Role
from events_site.congresses.models import Room, Venue
from events_site.demo.people import generate_people
from registrations import demo as registrations_demo
from registrations.lifecycle import OrderStatus
from registrations.models import Delegate, Invoice, Order, RegistrationType
from registrations.payments import demo as payments_demo
from sessions import demo as agenda_demo
from sessions import services as agenda_services
from sessions.enums import SessionStatus, SpeakerRole
from sessions.models import Session, Speaker, Track
from tests.factories import CongressFactory, TeamMembershipFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


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
    side.registration_type = side.delegate.registration_type
    side.session = (
        Session.objects.filter(congress=congress, status=SessionStatus.CONFIRMED)
        .order_by("starts_at", "code")
        .first()
    )
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
    side.extra["layout"] = save_badge_layout(
        congress=congress, name=f"Walk layout {seed}", role="press", label="PRESS"
    )
    side.extra["member"] = owner
    side.extra["api_token"] = api_tokens.create_token(
        congress=congress, by=owner, name=f"Scanner {seed}", role=Role.CHECKIN
    ).token
    side.extra["invitation"] = core_services.invite_to_team(
        congress=congress, email=f"invited-{seed}@walk.example", roles=["finance"], by=owner
    )
    return side


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
