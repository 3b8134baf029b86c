"""The check-in desk on 20,000 delegates: a scan round trip and name searches, beside a bare
indexed query in the same run.

    .venv/bin/python bench/checkin.py [--quick]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_checkin \
        .venv/bin/python bench/checkin.py

Seeds the demo's people (names in every script, with their Latin letters) as paid delegates
with badges, then measures, each the median of repeated runs:

* scan round trip: the desk page looking up a scanned badge code, then the POST that checks the
  person in and the page it redirects to (Django's test client, the whole middleware stack);
* name search: ``selectors.desk_search`` evaluated for typical queries ("Lefevre" without its
  accent, "Fatima" for an Arabic name, "Wang" for a Chinese one, a CJK character, an
  organisation, an order code, an e-mail);
* baseline: a bare indexed query (a badge by its unique secret), the floor of any lookup.

Target (issue 18): searches well under 100 ms at 20,000 delegates. SQLite by default (a
throwaway file under ``bench/out/``); ``BENCH_DATABASE_URL`` runs it on PostgreSQL, where the
trigram index of migration registrations 0014 serves the search. ``main()`` runs in a fresh
interpreter.
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


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL")
    os.environ["DJANGO_SETTINGS_MODULE"] = "events_site.settings"
    if url:
        os.environ["DATABASE_URL"] = url
        os.environ["TEST_DATABASE_NAME"] = url.rsplit("/", 1)[-1] or "bench_checkin"
    else:
        db = OUT / "checkin-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
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
    settings.RATELIMIT_ENABLE = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def _seed(size: int):
    from badges import services
    from events_site.congresses.models import Congress, Organisation
    from events_site.demo.people import generate_people
    from registrations.models import Delegate, Order, RegistrationType

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    congress = Congress.objects.create(
        organisation=organisation,
        name="Bench congress",
        slug="bench",
        start_date=dt.date(2027, 5, 10),
        end_date=dt.date(2027, 5, 13),
        time_zone="Asia/Seoul",
        currency="EUR",
    )
    rtype = RegistrationType.objects.create(congress=congress, code="member", name="Member")
    people = generate_people(size)
    orders = Order.objects.bulk_create(
        (
            Order(
                congress=congress,
                code=f"C{index:07d}",
                secret=f"bench-o-{index}",
                status="paid",
                contact_name="Bench",
                email=f"o{index}@bench.example",
                currency="EUR",
                total=Decimal("450.00"),
            )
            for index in range(size)
        ),
        batch_size=2000,
    )
    delegates = []
    for index, (order, person) in enumerate(zip(orders, people, strict=True)):
        fields = {k: v for k, v in person.items() if k != "script"}
        delegate = Delegate(
            order=order, registration_type=rtype, secret=f"bench-d-{index}", **fields
        )
        delegate.refresh_search_text()
        delegates.append(delegate)
    Delegate.objects.bulk_create(delegates, batch_size=2000)
    services.issue_badges(congress=congress)
    if os.environ.get("BENCH_DATABASE_URL"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by then
    return congress


def _median(function, repeat: int) -> float:
    function()  # warm up
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


QUERIES = ("Lefevre", "Fatima", "Wang", "王", "city of lisbon", "C0001234", "o77@bench.example")


def run(quick: bool) -> list[dict]:
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from badges import selectors
    from badges.models import Badge
    from events_site.congresses.enums import Role
    from events_site.congresses.models import TeamMembership

    size = 2_000 if quick else 20_000
    repeat = 5 if quick else 15
    congress = _seed(size)
    staff = get_user_model().objects.create_user("desk")
    TeamMembership.objects.create(congress=congress, user=staff, role=Role.CHECKIN)
    client = Client()
    client.force_login(staff)
    rows = []
    vendor = connection.vendor

    badges = list(Badge.objects.filter(congress=congress).order_by("pk")[: repeat * 2 + 2])
    secrets = iter(b.secret for b in badges)
    pks = {b.secret: b.delegate_id for b in badges}
    desk = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})

    def round_trip():
        secret = next(secrets)
        assert client.get(desk, {"code": secret}).status_code == 200
        url = reverse("badges:checkin_person", args=[congress.slug, pks[secret]])
        response = client.post(url, {"desk": "A"}, follow=True)
        assert response.status_code == 200

    rows.append(
        {
            "measure": "scan round trip (lookup + check in + page)",
            "db": vendor,
            "delegates": size,
            "ms": 1000 * _median(round_trip, repeat),
        }
    )
    for query in QUERIES:
        found = len(list(selectors.desk_search(congress, query)))
        seconds = _median(lambda q=query: list(selectors.desk_search(congress, q)), repeat)
        rows.append(
            {
                "measure": f"name search {query!r}",
                "db": vendor,
                "delegates": size,
                "found": found,
                "ms": 1000 * seconds,
            }
        )
    secret = badges[-1].secret
    rows.append(
        {
            "measure": "baseline: a badge by its unique secret",
            "db": vendor,
            "delegates": size,
            "ms": 1000 * _median(lambda: Badge.objects.filter(secret=secret).first(), repeat),
        }
    )
    if vendor == "postgresql":
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )
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
