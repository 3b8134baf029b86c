"""Build the demo world congress, idempotently: running it twice changes nothing.

The core (organisation, congress, venue, rooms, organiser team) is made here; each app then adds
its part through its own ``demo.seed_demo`` function, fed by the one people generator.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events_site.congresses import services as core_services
from events_site.congresses.enums import CongressStatus, Role
from events_site.congresses.models import Congress, Organisation, Room, Venue
from events_site.demo.people import generate_people

CONGRESS_SLUG = "wcg-2027"

ROOMS = (
    # name, floor, capacity, accessibility notes
    ("Plenary Hall", "1", 2200, "Step-free access, hearing loop, wheelchair spaces in row A."),
    ("Hall A", "1", 600, "Step-free access, hearing loop."),
    ("Hall B", "1", 600, "Step-free access, hearing loop."),
    ("Room 201", "2", 180, "Lift from the main foyer."),
    ("Room 202", "2", 180, "Lift from the main foyer."),
    ("Room 203", "2", 120, "Lift from the main foyer."),
    ("Room 204", "2", 120, "Lift from the main foyer."),
    ("Room 301", "3", 80, "Lift from the main foyer; no hearing loop."),
    ("Room 302", "3", 80, "Lift from the main foyer; no hearing loop."),
    ("Workshop Studio", "3", 40, "Movable seating; step-free."),
    ("Networking Lounge", "1", 300, "Step-free access, quiet room next door."),
    ("Press Centre", "G", 60, "Step-free access."),
)

TEAM = (
    ("organiser", Role.OWNER, "Organiser (owner)"),
    ("programme", Role.PROGRAMME, "Programme organiser"),
    ("registration", Role.REGISTRATION, "Registration manager"),
    ("finance", Role.FINANCE, "Finance"),
    ("checkin", Role.CHECKIN, "Check-in staff"),
    ("reviewer", Role.REVIEWER, "Reviewer (blind review of the call for sessions)"),
    ("visa", Role.VISA_OFFICER, "Visa officer (passport data)"),
)
DEMO_PASSWORD = "convene-demo"  # noqa: S105 - printed for the local demo on purpose


class Command(BaseCommand):
    help = "Create (or complete) the demo world congress with delegates, agenda and badges."

    def add_arguments(self, parser):
        parser.add_argument("--delegates", type=int, default=2000)
        parser.add_argument("--speakers", type=int, default=300)
        parser.add_argument("--sessions", type=int, default=150)
        parser.add_argument("--seed", type=int, default=2027, help="Random seed (same data).")
        parser.add_argument(
            "--skip", action="append", default=[], choices=["registrations", "agenda", "badges"]
        )

    def handle(self, *args, **options):
        for name in ("delegates", "speakers", "sessions"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        started = time.monotonic()
        congress = self.seed_core()
        people = generate_people(options["delegates"] + options["speakers"], seed=options["seed"])
        delegates, speakers = people[: options["delegates"]], people[options["delegates"] :]
        rng = random.Random(options["seed"])
        summary: dict[str, object] = {}
        if "registrations" not in options["skip"]:
            from registrations import demo as registrations_demo
            from registrations.payments import demo as payments_demo

            summary["registrations"] = registrations_demo.seed_demo(
                congress=congress, people=delegates, rng=rng
            )
            summary["payments"] = payments_demo.seed_demo(congress=congress, rng=rng)
        if "agenda" not in options["skip"]:
            from sessions import demo as agenda_demo

            summary["agenda"] = agenda_demo.seed_demo(
                congress=congress, speakers=speakers, rng=rng, sessions=options["sessions"]
            )
            from sessions import cfp_demo

            summary["calls"] = cfp_demo.seed_demo(congress=congress, people=speakers, rng=rng)
        if "badges" not in options["skip"]:
            from badges import demo as badges_demo

            summary["badges"] = badges_demo.seed_demo(congress=congress, rng=rng)
        if "registrations" not in options["skip"]:
            from registrations import documents_demo

            # After the agenda and badges: certificates read their check-ins and speakers.
            summary["documents"] = documents_demo.seed_demo(congress=congress, rng=rng)

        for part, figures in summary.items():
            self.stdout.write(f"  {part}: {figures}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo congress '{congress.name}' ready in {time.monotonic() - started:.1f}s "
                f"at /{congress.slug}/"
            )
        )
        self.stdout.write(f"Organiser logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, label in TEAM:
            self.stdout.write(f"  {username:<13} {label}")
        self.stdout.write("  admin         Superuser (Django admin at /admin/)")

    @transaction.atomic
    def seed_core(self) -> Congress:
        organisation, _ = Organisation.objects.get_or_create(
            slug="wclg",
            defaults={
                "name": "World Association of Cities and Local Governments",
                "website": "https://wclg.example",
                "contact_email": "secretariat@wclg.example",
            },
        )
        congress = Congress.objects.filter(slug=CONGRESS_SLUG).first()
        if congress is None:
            congress = core_services.create_congress(
                organisation=organisation,
                name="World Congress of Local and Regional Governments 2027",
                slug=CONGRESS_SLUG,
                tagline="Cities leading the way to 2030",
                description=(
                    "Four days of plenaries, policy debates, workshops and site visits for mayors, "
                    "councillors and city officials from every continent."
                ),
                start_date=dt.date(2027, 10, 11),
                end_date=dt.date(2027, 10, 14),
                time_zone="Asia/Seoul",
                currency="EUR",
                languages=["en", "fr", "es", "pt", "ar", "zh-hans"],
                translations={
                    "fr": {
                        "name": "Congrès mondial des collectivités locales et régionales 2027",
                        "tagline": "Les villes ouvrent la voie vers 2030",
                        "description": (
                            "Quatre jours de plénières, de débats, d’ateliers et de visites pour "
                            "les maires, les élus et les agents des villes de tous les continents."
                        ),
                    },
                    "es": {
                        "name": "Congreso Mundial de Gobiernos Locales y Regionales 2027",
                        "tagline": "Las ciudades abren camino hacia 2030",
                        "description": (
                            "Cuatro días de plenarias, debates, talleres y visitas para alcaldes, "
                            "concejales y funcionarios municipales de todos los continentes."
                        ),
                    },
                    "pt": {
                        "name": "Congresso Mundial de Governos Locais e Regionais 2027",
                        "tagline": "As cidades abrem caminho para 2030",
                    },
                    "ar": {
                        "name": "المؤتمر العالمي للحكومات المحلية والإقليمية 2027",
                        "tagline": "المدن تقود الطريق نحو 2030",
                    },
                },
                status=CongressStatus.REGISTRATION_OPEN,
                contact_email="congress@wclg.example",
                website="https://congress.wclg.example",
            )
        venue, _ = Venue.objects.get_or_create(
            congress=congress,
            name="Daejeon Convention Center",
            defaults={
                "address": "107 Expo-ro, Yuseong-gu",
                "city": "Daejeon",
                "country": "KR",
                "accessibility_notes": "Step-free entrances on all sides; accessible toilets on "
                "every floor.",
            },
        )
        for position, (name, floor, capacity, notes) in enumerate(ROOMS):
            Room.objects.get_or_create(
                venue=venue,
                name=name,
                defaults={
                    "floor": floor,
                    "capacity": capacity,
                    "accessibility_notes": notes,
                    "opens_at": dt.time(8, 0),
                    "closes_at": dt.time(21, 0),
                    "position": position,
                },
            )
        user_model = get_user_model()
        for username, role, label in TEAM:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@wclg.example", "first_name": label},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            core_services.grant_role(congress=congress, user=user, role=role)
        admin, created = user_model.objects.get_or_create(
            username="admin",
            defaults={"email": "admin@wclg.example", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        return congress
