"""The back office dashboard at 2,000 and 20,000 delegates, beside its baseline.

    .venv/bin/python bench/dashboard.py [--quick]

The owner's whole dashboard (every panel: registrations against last congress, capacity,
payments against last congress, seats of capacity-limited sessions, on site) is
computed with ``panels_for`` and rendered through the back office view (Django's test client,
the whole middleware stack); the baseline, in the same run, is the same page for a programme
organiser, who has no panel (the shell, the navigation and the venues). Each row prints the
median seconds of 5 renders and the queries of one. ``main()`` runs in a fresh interpreter on a
throwaway SQLite database under ``bench/out/``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
COUNTRIES = ["PT", "FR", "DE", "KR", "JP", "BR", "NG", "IN", "US", "CA", "MX", "EG", "IL", "KE"]


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "dashboard-bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "events_site.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["TEST_DATABASE_NAME"] = str(db)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def _last_congress(congress, delegates: int):
    """The congress ``congress`` was copied from: ``delegates`` registered and paid a year
    earlier, so the charts over time draw the compared line."""
    from registrations.models import Delegate, Payment

    last = _congress(f"{congress.slug}-last", delegates, sessions=False)
    year = dt.timedelta(days=365)
    last.start_date, last.end_date = congress.start_date - year, congress.end_date - year
    last.save(update_fields=["start_date", "end_date"])
    for model, field in ((Delegate, "created_at"), (Payment, "succeeded_at")):
        rows = model.objects.filter(order__congress=last)
        for offset in range(60):  # spread over the last 60 days, a year back
            rows.filter(pk__in=list(rows.values_list("pk", flat=True)[offset::60])).update(
                **{field: congress.created_at - year - dt.timedelta(days=offset)}
            )
    congress.copied_from = last
    congress.save(update_fields=["copied_from"])


def _sessions(congress, rows) -> None:
    """Twenty capacity-limited workshops, a seat in one for every fourth delegate."""
    from sessions.enums import SessionStatus, SignupStatus
    from sessions.models import Session, SessionSignup

    start = dt.datetime(2027, 5, 11, 9, tzinfo=dt.UTC)
    workshops = Session.objects.bulk_create(
        Session(
            congress=congress,
            code=f"W{n:02d}",
            title=f"Workshop {n}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=400,
            status=SessionStatus.CONFIRMED,
        )
        for n in range(20)
    )
    SessionSignup.objects.bulk_create(
        SessionSignup(
            session=workshops[index % 20],
            delegate=delegate,
            status=SignupStatus.SEAT if index % 9 else SignupStatus.WAITING,
        )
        for index, delegate in enumerate(rows[::4])
    )


def _congress(slug: str, delegates: int, *, sessions: bool = True):
    from django.utils import timezone

    from badges.models import Badge, CheckIn
    from events_site.congresses.models import Congress, Organisation
    from registrations.lifecycle import OrderStatus
    from registrations.models import Delegate, Order, Payment, RegistrationType
    from registrations.payments.enums import PaymentProvider, PaymentState

    organisation, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    congress = Congress.objects.create(
        organisation=organisation,
        name=slug,
        slug=slug,
        start_date=dt.date(2027, 5, 10),
        end_date=dt.date(2027, 5, 13),
        time_zone="Europe/Lisbon",
        currency="EUR",
    )
    types = [
        RegistrationType.objects.create(congress=congress, code=f"t{n}", name=f"Type {n}")
        for n in range(8)
    ]
    now = timezone.now()
    statuses = [OrderStatus.PAID, OrderStatus.PENDING_PAYMENT, OrderStatus.AWAITING_APPROVAL]
    orders = Order.objects.bulk_create(
        Order(
            congress=congress,
            contact_name="Bench",
            email=f"o{index}@example.org",
            currency="EUR",
            status=statuses[index % 3],
            total=Decimal("100.00"),
            code=f"K{congress.pk:03d}{index:06d}",
            secret=f"{slug}-o-{index}",
            hold_expires_at=now + dt.timedelta(days=30),
        )
        for index in range(delegates // 4)
    )
    rows = Delegate.objects.bulk_create(
        Delegate(
            order=orders[index // 4],
            registration_type=types[index % len(types)],
            given_name="Ana",
            family_name=f"Bench {index}",
            email=f"d{index}@example.org",
            country=COUNTRIES[index % len(COUNTRIES)],
            secret=f"{slug}-d-{index}",
        )
        for index in range(delegates)
    )
    Payment.objects.bulk_create(
        Payment(
            order=order,
            provider=PaymentProvider.STRIPE,
            amount=Decimal("100.00"),
            currency="EUR",
            state=PaymentState.SUCCEEDED,
            succeeded_at=now,
            provider_id=f"pi_{order.code}",
        )
        for order in orders[::3]
    )
    badges = Badge.objects.bulk_create(
        Badge(delegate=delegate, congress=congress, secret=f"{slug}-b-{delegate.pk}")
        for delegate in rows[::5]
    )
    CheckIn.objects.bulk_create(
        CheckIn(congress=congress, badge=badge, at=now, desk=f"Desk {index % 4}")
        for index, badge in enumerate(badges)
    )
    if sessions:
        _sessions(congress, rows)
    return congress


def _measure(client, congress) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("congresses:backoffice", args=[congress.slug])
    seconds = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(seconds), len(queries)


def run(quick: bool) -> list[dict]:
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from events_site.congresses.enums import Role
    from events_site.congresses.models import TeamMembership

    sizes = (200, 2_000) if quick else (2_000, 20_000)
    owner = get_user_model().objects.create_user("owner")
    programme = get_user_model().objects.create_user("programme")
    rows = []
    for size in sizes:
        congress = _congress(f"bench-{size}", size)
        _last_congress(congress, size)
        TeamMembership.objects.create(congress=congress, user=owner, role=Role.OWNER)
        TeamMembership.objects.create(congress=congress, user=programme, role=Role.PROGRAMME)
        for name, person in (("owner (every panel)", owner), ("baseline: no panel", programme)):
            client = Client()
            client.force_login(person)
            seconds, queries = _measure(client, congress)
            rows.append({"page": name, "delegates": size, "seconds": seconds, "queries": queries})
    return rows


def main(quick: bool = False) -> list[dict]:
    """Run in a fresh interpreter (own database and settings) and return the figures."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    figures = run("--quick" in sys.argv)
    if "--json" in sys.argv:
        print(json.dumps(figures))
    else:
        for row in figures:
            print("  " + "  ".join(f"{key}={value}" for key, value in row.items()))
