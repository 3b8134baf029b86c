"""Registration: the real services beside bare ORM baselines, measured in the same run.

    .venv/bin/python bench/registration.py [--quick]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/convene_bench \
        .venv/bin/python bench/registration.py

Builds a throwaway database (SQLite under bench/out/ unless BENCH_DATABASE_URL names
PostgreSQL) and measures:

* placing N orders one after another through ``place_order`` (capacity lock, seat count,
  prices, voucher, audit, e-mail rendering and queueing) beside bare ORM inserts of the same
  rows (an order and its delegates in one transaction);
* 32 concurrent buyers (threads, one connection each) competing for the last seats through
  ``place_order``, beside 32 threads doing the bare inserts; reports oversold and lost seats;
* the organiser list page (2,000 delegates, search + figures) through Django's test client
  beside ``/healthz`` through the same client (the HTTP stack's floor);
* the CSV and XLSX exports of 2,000 delegates beside writing the same columns straight from
  ``values_list`` with ``csv`` / openpyxl.

``main()`` runs in a fresh interpreter so that other benchmarks do not share its database.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _setup_django() -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = url
    else:
        db = OUT / "registration-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
        os.environ["TEST_DATABASE_NAME"] = str(db)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["TASKS_BACKEND"] = "immediate"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    settings.DEBUG = False
    settings.DATABASES["default"]["TEST"]["MIGRATE"] = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection.vendor


def _people(count: int, seed: int) -> list[dict]:
    from events_site.demo.people import generate_people

    return generate_people(count, seed=seed)


def _congress(slug: str):
    from decimal import Decimal

    from registrations.models import RegistrationType, Voucher
    from tests.factories import CongressFactory

    congress = CongressFactory(slug=slug)
    rtype = RegistrationType.objects.create(
        congress=congress, code="member", name="Member", regular_price=Decimal("450.00")
    )
    Voucher.objects.create(congress=congress, code="TEN", value=Decimal("10"))
    return congress, rtype


def _details(person: dict) -> dict:
    keys = ("given_name", "family_name", "organisation_name", "city", "country", "email")
    return {k: person[k] for k in keys}


def bench_sequential(n: int) -> list[dict]:
    from decimal import Decimal

    from django.db import transaction

    from registrations.models import Delegate, Order
    from registrations.services.orders import NewDelegate, place_order

    people = _people(n * 2, seed=1)
    congress, rtype = _congress("bench-seq")
    sizes = [1 + (i % 3 == 0) for i in range(n)]  # a third are delegations of two
    started = time.perf_counter()
    index = 0
    for i, size in enumerate(sizes):
        group = people[index : index + size]
        index += size
        place_order(
            congress=congress,
            contact_name="Bench",
            email=group[0]["email"],
            language="en",
            delegates=[NewDelegate(registration_type=rtype, details=_details(p)) for p in group],
            voucher_code="TEN" if i % 5 == 0 else "",
            idempotency_key=f"seq-{i}",
        )
    service = time.perf_counter() - started

    base_congress, base_type = _congress("bench-base")
    started = time.perf_counter()
    index = 0
    for size in sizes:
        group = people[index : index + size]
        index += size
        with transaction.atomic():
            order = Order.objects.create(
                congress=base_congress,
                contact_name="Bench",
                email=group[0]["email"],
                currency="EUR",
                total=Decimal("450.00") * size,
            )
            Delegate.objects.bulk_create(
                [
                    Delegate(order=order, registration_type=base_type, price=450, **_details(p))
                    for p in group
                ]
            )
    baseline = time.perf_counter() - started
    return [
        {
            "figure": f"place {n} orders sequentially",
            "service_orders_per_s": n / service,
            "baseline_orders_per_s": n / baseline,
            "service_vs_baseline": (n / service) / (n / baseline),
        }
    ]


def _threads(count: int, work) -> float:
    from django.db import connection

    barrier = threading.Barrier(count)

    def run(worker: int):
        barrier.wait()
        try:
            work(worker)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def bench_contention(clients: int, seats: int, attempts_per_client: int) -> list[dict]:
    from decimal import Decimal

    from django.db import transaction

    from registrations.errors import Busy, SoldOut
    from registrations.models import Delegate, Order
    from registrations.services.orders import NewDelegate, place_order

    congress, rtype = _congress("bench-race")
    rtype.capacity = seats
    rtype.save()
    people = _people(clients * attempts_per_client, seed=2)
    results = {"ok": 0, "sold_out": 0, "busy": 0}
    lock = threading.Lock()

    def buyer(worker: int):
        for k in range(attempts_per_client):
            person = people[worker * attempts_per_client + k]
            try:
                place_order(
                    congress=congress,
                    contact_name="Race",
                    email=person["email"],
                    language="en",
                    delegates=[NewDelegate(registration_type=rtype, details=_details(person))],
                )
                outcome = "ok"
            except SoldOut:
                outcome = "sold_out"
            except Busy:
                outcome = "busy"
            with lock:
                results[outcome] += 1

    service = _threads(clients, buyer)
    sold = Delegate.objects.filter(registration_type=rtype).count()

    base_congress, base_type = _congress("bench-race-base")

    def inserter(worker: int):
        for k in range(attempts_per_client):
            person = people[worker * attempts_per_client + k]
            with transaction.atomic():
                order = Order.objects.create(
                    congress=base_congress,
                    contact_name="Race",
                    email=person["email"],
                    currency="EUR",
                    total=Decimal("450.00"),
                )
                Delegate.objects.create(
                    order=order, registration_type=base_type, price=450, **_details(person)
                )

    baseline = _threads(clients, inserter)
    attempts = clients * attempts_per_client
    return [
        {
            "figure": f"{clients} concurrent buyers, {attempts} attempts, last {seats} seats",
            "service_attempts_per_s": attempts / service,
            "completed_per_s": results["ok"] / service,
            "baseline_inserts_per_s": attempts / baseline,
            "service_vs_baseline": (attempts / service) / (attempts / baseline),
            "sold": sold,
            "oversold": max(0, sold - seats),
            "lost": max(0, min(seats, results["ok"] + results["sold_out"]) - sold)
            if results["sold_out"]
            else 0,
            "busy": results["busy"],
        }
    ]


def bench_organiser(delegates: int) -> list[dict]:
    import csv
    import io

    from django.test import Client
    from openpyxl import Workbook

    from registrations.demo import seed_demo
    from registrations.models import Delegate
    from tests.factories import CongressFactory, UserFactory

    congress = CongressFactory(slug="bench-list")
    seed_demo(congress=congress, people=_people(delegates, seed=3), rng=random.Random(3))
    admin = UserFactory(username="bench-admin", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)

    def timed(fn, repeat: int = 5) -> float:
        fn()  # warm up
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
        return best

    def get(url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    list_page = timed(lambda: get(f"/{congress.slug}/manage/registrations/?q=a"))
    healthz = timed(lambda: get("/healthz"))
    csv_export = timed(lambda: get(f"/{congress.slug}/manage/registrations/export.csv"), 3)
    xlsx_export = timed(lambda: get(f"/{congress.slug}/manage/registrations/export.xlsx"), 3)
    fields = [
        "order__code",
        "order__status",
        "registration_type__name",
        "given_name",
        "family_name",
        "badge_name",
        "title",
        "organisation_name",
        "organisation_type",
        "city",
        "country",
        "email",
        "language",
        "role",
        "dietary_needs",
        "accessibility_needs",
        "needs_visa_letter",
        "listed_publicly",
        "is_cancelled",
        "price",
        "order__currency",
        "voucher__code",
        "order__email",
        "order__created_at",
        "order__paid_at",
    ]

    def bare_rows():
        return Delegate.objects.filter(order__congress=congress).values_list(*fields)

    def bare_csv():
        buffer = io.StringIO()
        csv.writer(buffer).writerows(bare_rows())
        return buffer.getvalue()

    def bare_xlsx():
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for row in bare_rows():
            sheet.append([str(v) if v is not None else "" for v in row])
        book.save(io.BytesIO())

    csv_base = timed(bare_csv, 3)
    xlsx_base = timed(bare_xlsx, 3)
    return [
        {
            "figure": f"organiser list page, {delegates} delegates",
            "ms": list_page * 1000,
            "baseline_healthz_ms": healthz * 1000,
            "ratio": list_page / healthz,
        },
        {
            "figure": f"CSV export, {delegates} delegates (with answers)",
            "ms": csv_export * 1000,
            "baseline_values_list_csv_ms": csv_base * 1000,
            "ratio": csv_export / csv_base,
        },
        {
            "figure": f"XLSX export, {delegates} delegates (with answers)",
            "ms": xlsx_export * 1000,
            "baseline_values_list_xlsx_ms": xlsx_base * 1000,
            "ratio": xlsx_export / xlsx_base,
        },
    ]


def bench_vouchers(count: int) -> list[dict]:
    """The organisers' voucher list at ``count`` vouchers (a batch, a few used), a filtered
    page and the CSV export, beside /healthz from the same client."""
    from decimal import Decimal

    from django.test import Client

    from registrations.services.vouchers import create_voucher_batch
    from tests.factories import CongressFactory, RegistrationTypeFactory, UserFactory

    congress = CongressFactory(slug="bench-vouchers")
    speaker = RegistrationTypeFactory(congress=congress, code="speaker", name="Speaker")
    create_voucher_batch(
        congress=congress,
        count=count,
        prefix="BENCH-",
        value=Decimal("100"),
        max_uses=1,
        registration_types=[speaker],
    )
    admin = UserFactory(username="bench-vouchers", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)

    def best(url: str, repeat: int = 5) -> float:
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        return min(times)

    base = f"/{congress.slug}/manage/registrations/vouchers/"
    healthz = best("/healthz")
    first = best(base)
    filtered = best(f"{base}?status=active&type=speaker&q=BENCH&page=40")
    export = best(f"{base}export.csv", 3)
    return [
        {
            "figure": f"voucher list, {count} vouchers (page 1 / filtered page 40)",
            "ms": first * 1000,
            "filtered_ms": filtered * 1000,
            "baseline_healthz_ms": healthz * 1000,
            "ratio": first / healthz,
        },
        {"figure": f"voucher CSV export, {count} vouchers", "ms": export * 1000},
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rate(clients: int, total: int, request) -> float:
    """Requests per second of ``clients`` threads sharing ``total`` calls of ``request``."""
    counter = iter(range(total))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            request()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started)


def _pgbench(dbname: str, clients: int, seconds: int) -> float | None:
    import re
    import shutil

    if not shutil.which("pgbench"):
        return None
    from django.db import connection

    params = connection.settings_dict
    conn = ["-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432)]
    conn += ["-U", params["USER"] or "postgres"]
    for _attempt in range(3):  # createdb fails while another session copies template1
        subprocess.run(["createdb", *conn, dbname], capture_output=True, check=False)
        init = subprocess.run(
            ["pgbench", "-i", "-q", "-s", "1", *conn, dbname], capture_output=True, check=False
        )
        if init.returncode == 0:
            break
        time.sleep(2)
    else:
        return None
    result = subprocess.run(
        ["pgbench", "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), *conn, dbname],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"tps = ([0-9.]+)", result.stdout)
    return float(found.group(1)) if found else None


def bench_http(clients: int, seats: int, workers: int) -> list[dict]:
    """The issue's figure: completed registrations per second through gunicorn and PostgreSQL
    with ``clients`` concurrent browsers racing for the last seats, beside a trivial view
    (``/healthz``) under the same gunicorn settings and ``pgbench -N``, all in one run.

    Each registration is what a browser does: GET the form (the CSRF token and the server's
    one-time token, the order's idempotency key, come from the page), POST the delegation, and
    count the redirect to the order's secret link as the completion. Every client keeps going
    until it is told the seats are gone. The trivial view is measured just before and just
    after the race (the ratio uses the mean). The form page's own rate (warm, served from the
    page cache with fresh tokens) is reported too."""
    import re
    import urllib.error
    import urllib.parse
    import urllib.request

    from django.db import connection

    from registrations.models import Delegate

    gunicorn = Path(sys.executable).parent / "gunicorn"
    if connection.vendor != "postgresql" or not gunicorn.exists():
        return [{"figure": "HTTP race", "skipped": "needs PostgreSQL and gunicorn"}]
    congress, rtype = _congress("bench-http")
    rtype.capacity = seats
    rtype.save()
    params = connection.settings_dict
    dburl = (
        f"postgres://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": dburl,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TASKS_BACKEND": "database",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(OUT / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = open(OUT / "registration-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(gunicorn),
            "events_site.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        form_url = f"{base}/bench-http/register/details/?registration_type=member&delegates=1"
        people = _people(seats + clients * 20, seed=9)
        taken = iter(range(len(people)))
        lock = threading.Lock()
        outcome = {"completed": 0, "sold_out": 0, "other": 0}

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)

        def open_form(cookie: str) -> tuple[str, str, str]:
            """Load the form as a browser does: the CSRF cookie (kept once set), its token
            and the server's one-time token for this order."""
            headers = {"Cookie": cookie} if cookie else {}
            request = urllib.request.Request(form_url, headers=headers)  # noqa: S310
            page = urllib.request.urlopen(request, timeout=60)  # noqa: S310
            html = page.read().decode()
            cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0] or cookie
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            token = re.search(r'name="token" value="([^"]+)"', html).group(1)
            return cookie, csrf, token

        def register(cookie: str) -> tuple[str, str]:
            cookie, csrf, token = open_form(cookie)
            with lock:
                person = people[next(taken)]
            data = {
                "csrfmiddlewaretoken": csrf,
                "token": token,
                "contact_name": "Race",
                "email": person["email"],
                "language": "en",
                "voucher": "",
                "delegates-TOTAL_FORMS": "1",
                "delegates-INITIAL_FORMS": "0",
                "delegates-MIN_NUM_FORMS": "1",
                "delegates-MAX_NUM_FORMS": "20",
                "step": "confirm",
                "consent": "yes",
                "delegates-0-registration_type": str(rtype.pk),
                "delegates-0-language": "en",
                **{f"delegates-0-{k}": v for k, v in _details(person).items()},
            }
            request = urllib.request.Request(  # noqa: S310 - our own local server
                form_url.split("?")[0],
                data=urllib.parse.urlencode(data).encode(),
                headers={"Cookie": cookie},
            )
            try:
                response = opener.open(request, timeout=60)
                status, location = response.status, response.headers.get("Location", "")
            except urllib.error.HTTPError as exc:
                status, location = exc.code, exc.headers.get("Location", "")
                if status == 400:
                    return cookie, "sold_out"
            completed = status == 302 and "/bench-http/orders/" in location
            return cookie, "completed" if completed else "other"

        def load_form():
            return urllib.request.urlopen(form_url, timeout=60).read()  # noqa: S310

        # Every worker renders the page (and loads its templates and catalogues) once before
        # anything is timed, as /healthz is warm by the time it is measured.
        _rate(clients, clients * 10, load_form)
        form_page = _rate(clients, 3000, load_form)

        def client():
            cookie = ""
            while True:
                try:
                    cookie, result = register(cookie)
                except OSError:
                    result = "other"
                with lock:
                    outcome[result] += 1
                if result != "completed":
                    return

        def healthz():
            return _rate(
                clients,
                3000,
                lambda: urllib.request.urlopen(f"{base}/healthz", timeout=60).read(),  # noqa: S310
            )

        trivial_before = healthz()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        race = time.perf_counter() - started
        sold = Delegate.objects.filter(registration_type=rtype).count()
        trivial_after = healthz()
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    pgbench = _pgbench("convene_pgbench_reg", clients, 10)
    completed_rate = outcome["completed"] / race
    # Measured just before and just after the race, so that a burst of other work on a shared
    # machine moves both sides of the ratio alike; the ratio uses their mean.
    trivial = (trivial_before + trivial_after) / 2
    return [
        {
            "figure": f"HTTP: {clients} clients race for the last {seats} seats, GET form + POST "
            f"each (gunicorn -w {workers} sync)",
            "completed_per_s": completed_rate,
            "trivial_view_per_s": trivial,
            "trivial_before_after": f"{trivial_before:.0f}/{trivial_after:.0f}",
            "form_page_per_s": form_page,
            "form_page_vs_trivial": form_page / trivial,
            "ratio_to_trivial": completed_rate / trivial,
            "pgbench_N_tps": pgbench,
            "sold": sold,
            "oversold": max(0, sold - seats),
            "lost": max(0, seats - sold) if outcome["sold_out"] else 0,
            "errors": outcome["other"],
        }
    ]


def gunicorn_workers() -> int:
    """Sync workers, 2 x cores + 1 (gunicorn's own advice), the same for every figure."""
    return 2 * (os.cpu_count() or 1) + 1


def run(quick: bool) -> list[dict]:
    vendor = _setup_django()
    rows = [{"figure": "database", "vendor": vendor}]
    rows += bench_sequential(100 if quick else 500)
    rows += bench_contention(32, 50 if quick else 500, 3 if quick else 20)
    rows += bench_organiser(500 if quick else 2000)
    rows += bench_vouchers(1000 if quick else 5000)
    rows += bench_http(32, 100 if quick else 500, workers=gunicorn_workers())
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
    quick = "--quick" in sys.argv
    figures = run(quick)
    if "--json" in sys.argv:
        print(json.dumps(figures))
    else:
        for row in figures:
            print(
                "  "
                + "  ".join(
                    f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
                )
            )
