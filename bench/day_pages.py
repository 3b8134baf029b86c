"""The congress day's heavy pages one at a time, in process, beside a trivial view.

    .venv/bin/python bench/run.py day_pages [--quick]
    .venv/bin/python bench/day_pages.py [--profile KIND] [--rounds N]

The kinds of request the Locust run of ``bench/congress_day.py`` found slow, measured without
its load: the organiser dashboard, the registrations list, a personal agenda page, a check-in
scan (the API, with a desk's token), a check-in name search and an organiser's sign-in (the
form POST with the password), each through Django's test client (the whole middleware stack,
``DEBUG=0``), beside the bench's trivial view (``/bench/trivial``) in the same run. Each row
prints the median and the worst milliseconds of ``--rounds`` requests (5), the queries of one
and the ratio to the trivial view. ``--profile KIND`` prints cProfile's figures for one
request of that kind (its label, e.g. ``dashboard``), after a first one.

The congress is the Locust bench's (``bench/congress_day.py`` ``prepare``: the demo at 2,000
delegates and 1,000 sessions, seeded once by ``seed_demo``, then reused) in PostgreSQL
database ``convene_bench_dayspeed`` on 127.0.0.1 (``BENCH_DAY_PAGES_DATABASE_URL`` to change).
The cache is the process's own memory: ``dashboard`` finds the panels kept by an earlier
request (as organisers polling the page mostly do), ``dashboard, counted`` empties the cache
before each request, so the figures are counted and drawn each time (once per half minute on
the congress day). ``first_ms`` is the first request of its kind in the process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/convene_bench_dayspeed"
FIXTURES = OUT / "day_pages_fixtures.json"


def _environment() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "congress_day_settings",
            "DEBUG": "0",
            "SECRET_KEY": "day-pages-bench-only-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": os.environ.get("BENCH_DAY_PAGES_DATABASE_URL", DATABASE_URL),
            "CACHE_URL": "locmemcache://day-pages",
            "TASKS_BACKEND": "immediate",
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "ERROR",
            "RATELIMIT_ENABLE": "0",
        }
    )
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _timed(client, method: str, url: str, rounds: int, *, fresh=False, **kwargs) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    queries = 0
    for n in range(rounds):
        target = url(n) if callable(url) else url
        if fresh:  # nothing kept: the dashboard's figures counted and drawn again
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = getattr(client, method)(target, **kwargs)
            seconds.append(time.perf_counter() - started)
        assert response.status_code in (200, 201, 302), (target, response.status_code)
        queries = len(captured)
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        "queries": queries,
    }


def _kinds(fixtures: dict) -> dict:
    """Label -> (client kind, method, url or url(n), extra arguments)."""
    slug = fixtures["congress"]
    api = f"/api/v1/congresses/{slug}/checkin/"
    badges = fixtures["badges"]
    names = fixtures["names"]
    delegates = fixtures["delegates"]
    token = {"HTTP_AUTHORIZATION": f"Token {fixtures['desk_tokens'][0]}"}
    login = {"username": fixtures["organiser"]["username"]}
    return {
        "trivial view": ("anonymous", "get", "/bench/trivial", {}),
        "dashboard": ("organiser", "get", f"/{slug}/manage/", {}),
        "dashboard, counted": ("organiser", "get", f"/{slug}/manage/", {"fresh": True}),
        "registrations list": (
            "organiser",
            "get",
            lambda n: f"/{slug}/manage/registrations/?page={n % 20 + 1}",
            {},
        ),
        "personal agenda": (
            "anonymous",
            "get",
            lambda n: f"/{slug}/my-agenda/{delegates[n % len(delegates)]}/",
            {},
        ),
        "scan": (
            "anonymous",
            "post",
            api,
            {"content_type": "application/json", **token, "badge_codes": badges},
        ),
        "desk search": (
            "anonymous",
            "get",
            lambda n: f"{api}search/?q={names[n % len(names)]}",
            token,
        ),
        "sign in": ("anonymous", "post", "/accounts/login/", {"login": login}),
    }


def _request(client, kind, n: int, rounds: int, fixtures: dict) -> dict:
    _who, method, url, extra = kind
    extra = dict(extra)
    if "badge_codes" in extra:
        codes = extra.pop("badge_codes")
        # A fresh badge each time, as a desk scans a queue of people (a first check-in).
        scans = iter(codes[n * rounds : (n + 1) * rounds])
        results = []

        def post(target, **kwargs):
            body = json.dumps({"code": next(scans), "desk": "Desk 1"})
            response = client.post(target, body, **kwargs)
            results.append(response.status_code)
            return response

        class Scanner:
            pass

        scanner = Scanner()
        scanner.post = post
        return _timed(scanner, "post", url, rounds, **extra)
    if "login" in extra:
        login = extra.pop("login")

        class SignIn:
            def post(self, target, **kwargs):
                from django.test import Client

                fresh = Client()
                return fresh.post(
                    target,
                    {"username": login["username"], "password": fixtures["organiser"]["password"]},
                    HTTP_USER_AGENT="python-requests/2.32.3",
                )

        return _timed(SignIn(), "post", url, rounds)
    return _timed(client, method, url, rounds, **extra)


def run(quick: bool = False, rounds: int = 5, profile: str = "") -> list[dict]:
    _environment()
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings

    # Static file names unhashed: no ``collectstatic`` (minutes) for an in-process bench.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    import congress_day
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    import events_site.wsgi  # noqa: F401 - what gunicorn --preload imports before forking

    setup_test_environment()
    call_command("migrate", "--noinput", verbosity=0)
    fixtures = congress_day.prepare(FIXTURES)
    organiser = get_user_model().objects.get(username=fixtures["organiser"]["username"])
    clients = {"anonymous": Client(), "organiser": Client()}
    clients["organiser"].force_login(organiser)
    kinds = _kinds(fixtures)
    if profile:
        import cProfile
        import pstats

        kind = kinds[profile]
        _request(clients[kind[0]], kind, 0, 1, fixtures)  # warm
        profiler = cProfile.Profile()
        profiler.runcall(_request, clients[kind[0]], kind, 1, 1, fixtures)
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        return []
    rows = []
    for label, kind in kinds.items():
        client = clients[kind[0]]
        cold = _timed_first(label, client, kind, fixtures)
        figures = _request(client, kind, 1, rounds, fixtures)
        rows.append({"kind": label, "first_ms": cold, **figures})
    trivial = rows[0]["p50_ms"] or 1.0
    for row in rows:
        row["x_trivial"] = round(row["p50_ms"] / trivial, 1)
    return rows


def _timed_first(label: str, client, kind, fixtures) -> float:
    """The first request of its kind in this process (cold caches: the dashboard's figures,
    the programme's parse, ua-parser's rules)."""
    return _request(client, kind, 0, 1, fixtures)["p50_ms"]


def main(quick: bool = False) -> list[dict]:
    """Run in a fresh interpreter (own database and settings) and return the figures."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command += ["--rounds", "3"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="", help="print the profile of one request kind")
    arguments = parser.parse_args()
    figures = run(rounds=arguments.rounds, profile=arguments.profile)
    if arguments.json:
        print(json.dumps(figures))
    else:
        for row in figures:
            print("  " + "  ".join(f"{key}={value}" for key, value in row.items()))
