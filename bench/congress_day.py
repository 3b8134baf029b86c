"""Congress day: the whole site as production runs it, under the first morning's mix.

    .venv/bin/python bench/run.py congress_day [--duration 60] [--users 400] [--workers 4]
    .venv/bin/python bench/congress_day.py [--duration 60] [--users 400] [--workers 4]

Starts gunicorn (``--workers`` sync workers) with ``DEBUG=0`` on PostgreSQL (database
``convene_bench_day`` on 127.0.0.1, ``BENCH_DAY_DATABASE_URL`` to change), a Redis cache and
RQ queues in Redis database 13 of 127.0.0.1:6379 (``BENCH_DAY_REDIS_URL``; emptied at each run)
and the RQ task worker, with the demo congress at 2,000 delegates and 1,000 sessions (seeded
once by ``seed_demo``, then reused: a later run only resets check-ins and the desks' tokens).
Locust (``bench/congress_day_locust.py``) then drives it headless from this machine over
loopback for ``--duration`` seconds with ``--users`` simulated clients: phones on the
programme, calendar clients, ten check-in desks, organisers, and the trivial view
(``/bench/trivial``, bench/congress_day_urls.py) polled under the same load.

Before the measured run the programme pages are visited once per interface language (as the
evening before the congress would have), so the run starts with the cache as a real morning
finds it. Prints per request kind requests/s, p50/p95/p99/max and errors beside the trivial
view, the CPU left idle over the run, and the issue's targets with pass or fail. Every
process it started is stopped at the end, on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/convene_bench_day"
REDIS_URL = "redis://127.0.0.1:6379/13"
DELEGATES = 2000
SESSIONS = 1000
DESKS = 10
FIXTURES = OUT / "congress_day_fixtures.json"
LOCUSTFILE = ROOT / "bench" / "congress_day_locust.py"

#: The issue's targets: public pages and feeds at p95 within 2x the trivial view's p95; a scan
#: round trip at p95 within 3x; no errors; no request over 1 s.
PUBLIC_RATIO = 2.0
SCAN_RATIO = 3.0
MAX_MS = 1000.0
# Each client waits a random part of its think time before its first request (the longest is
# a calendar's 30 s); the statistics restart this long after the last client spawned.
SETTLE = 30
SETTLE_ENV = "CONGRESS_DAY_SETTLE"
SETTLED_MARK_ENV = "CONGRESS_DAY_SETTLED_MARK"

#: Request kinds (Locust's "name" column, set in bench/congress_day_locust.py) and the group
#: whose target applies to each.
KINDS = {
    "programme day": "public",
    "programme all days": "public",
    "session page": "public",
    "speaker page": "public",
    "schedule.ics": "public",
    "personal feed": "public",
    "personal agenda": "delegate",
    "scan": "scan",
    "desk search": "scan",
    "dashboard": "organiser",
    "registrations list": "organiser",
    "trivial view": "trivial",
}


# --- the seeding step (run in a child process with the bench's environment) ------------------


def prepare(
    fixtures_path: Path,
    *,
    delegates: int = DELEGATES,
    sessions: int = SESSIONS,
    speakers: int = 300,
) -> dict:
    """Seed the congress if it is not there, give each desk a staff account and a fresh
    token, reset check-ins, and write what Locust needs to ``fixtures_path``."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from badges.models import Badge
    from badges.selectors import desk_delegates, desk_person
    from events_site.congresses import api_tokens
    from events_site.congresses import services as core_services
    from events_site.congresses.enums import Role
    from events_site.congresses.models import ApiToken, Congress
    from events_site.demo.management.commands.seed_demo import CONGRESS_SLUG, DEMO_PASSWORD
    from sessions import selectors
    from sessions.services import get_or_create_agenda

    congress = Congress.objects.filter(slug=CONGRESS_SLUG).first()
    seeded = (
        congress is not None
        and congress.sessions.count() >= sessions
        and desk_delegates(congress).count() >= delegates
    )
    if not seeded:
        started = time.monotonic()
        print(f"  seeding {delegates} delegates and {sessions} sessions (once)...", flush=True)
        call_command(
            "seed_demo",
            delegates=delegates,
            sessions=sessions,
            speakers=speakers,
            stdout=open(os.devnull, "w"),  # noqa: SIM115 - closed with the process
        )
        print(f"  seeded in {time.monotonic() - started:.0f}s", flush=True)
        congress = Congress.objects.get(slug=CONGRESS_SLUG)

    with transaction.atomic():
        ApiToken.objects.filter(congress=congress, name__startswith="bench desk").delete()
        keys = []
        for number in range(1, DESKS + 1):
            user, created = get_user_model().objects.get_or_create(
                username=f"bench-desk-{number:02d}",
                defaults={"email": f"desk{number}@bench.example"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                core_services.grant_role(congress=congress, user=user, role=Role.CHECKIN)
            keys.append(
                api_tokens.create_token(
                    congress=congress, by=user, name=f"bench desk {number}", role=Role.CHECKIN
                ).key
            )
        Badge.objects.filter(congress=congress).update(
            checked_in_at=None, checked_in_by=None, checked_in_desk=""
        )

    version = selectors.latest_version(congress)
    programme = selectors.programme_of(version)
    people = list(desk_delegates(congress).order_by("pk"))
    entering = [d for d in people if desk_person(d).may_enter and hasattr(d, "badge")]
    with_agenda = entering[:400]
    tokens = [get_or_create_agenda(delegate=d).feed_token for d in with_agenda]
    fixtures = {
        "congress": congress.slug,
        "days": [day.isoformat() for day in programme.days],
        "sessions": sorted(s.code for s in programme.sessions),
        "speakers": sorted(code for code, sp in programme.speakers.items() if sp.sessions),
        "delegates": [d.secret for d in with_agenda],
        "feed_tokens": [t for t in tokens if t],
        "badges": [d.badge.secret for d in entering],
        "names": sorted({d.family_name for d in entering if d.family_name})[:300],
        "desk_tokens": keys,
        "organiser": {"username": "organiser", "password": DEMO_PASSWORD},
        "interface_languages": ["en", "fr", "es"],
    }
    fixtures_path.parent.mkdir(parents=True, exist_ok=True)
    fixtures_path.write_text(json.dumps(fixtures), encoding="utf-8")
    return fixtures


# --- processes -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_environment(port: int) -> dict:
    env = dict(os.environ)
    redis_url = os.environ.get("BENCH_DAY_REDIS_URL", REDIS_URL)
    env.update(
        {
            # the production settings plus the trivial view (bench/congress_day_settings.py)
            "DJANGO_SETTINGS_MODULE": "congress_day_settings",
            "DEBUG": "0",
            "SECRET_KEY": "congress-day-bench-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": os.environ.get("BENCH_DAY_DATABASE_URL", DATABASE_URL),
            "CACHE_URL": redis_url.replace("redis://", "rediscache://", 1),
            "REDIS_URL": redis_url,
            "TASKS_BACKEND": "rq",
            "EMAIL_URL": "dummymail://",
            "STATIC_ROOT": str(OUT / "congress-day-static"),
            "MEDIA_ROOT": str(OUT / "congress-day-media"),
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        }
    )
    return env


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _static_collected(static_root: Path) -> bool:
    """Whether the collected files (hashed and compressed: minutes on a busy machine) are newer
    than every source file, so a later run can skip ``collectstatic``."""
    manifest = static_root / "staticfiles.json"
    if not manifest.is_file():
        return False
    sources = [
        path
        for folder in ("static", "sessions", "badges", "registrations", "events_site")
        for path in (ROOT / folder).rglob("*")
        if "/static/" in path.as_posix() and path.is_file()
    ]
    return all(path.stat().st_mtime < manifest.stat().st_mtime for path in sources)


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Processes:
    """The processes this bench started, each in its own process group, all stopped at the
    end (SIGTERM, then SIGKILL after a grace period)."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen, object]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(OUT / f"congress-day-{name}.log", "w")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, proc, log))
        return proc

    def stop(self) -> None:
        for _name, proc, _log in reversed(self.started):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, proc, log in reversed(self.started):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            log.close()
        self.started.clear()


def _wait_until_up(base: str, procs: Processes, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, proc, _log in procs.started:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited early (see bench/out/congress-day-{name}.log)")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError("the site did not answer /healthz in time")


def warm_up(base: str, fixtures: dict, rounds: int = 3) -> int:
    """Fill the page cache as the evening before the congress would have (the programme per
    interface language, gzipped as phones ask), then send every kind of request a few times
    from several threads at once, so that each gunicorn worker has loaded its templates and
    catalogues before the measured run."""
    from concurrent.futures import ThreadPoolExecutor

    slug = fixtures["congress"]
    pages = [f"/{slug}/schedule/?day={day}" for day in fixtures["days"]]
    pages += [f"/{slug}/schedule/?view=list&day=all", f"/{slug}/schedule.ics"]
    requests = [(url, language) for language in fixtures["interface_languages"] for url in pages]
    count = 0
    for url, language in requests:  # one at a time: each is rendered once
        _get(base + url, language)
        count += 1
    sample = [
        f"/{slug}/schedule/sessions/{fixtures['sessions'][0]}/",
        f"/{slug}/schedule/speakers/{fixtures['speakers'][0]}/",
        f"/{slug}/my-agenda/{fixtures['delegates'][0]}/",
        f"/{slug}/agenda/{fixtures['feed_tokens'][0]}.ics",
        "/healthz",
        "/bench/trivial",
        *pages,
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for language in fixtures["interface_languages"]:
            jobs = [pool.submit(_get, base + url, language) for url in sample * rounds]
            count += sum(1 for job in jobs if job.result() is None)
    return count


def _get(url: str, language: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        url, headers={"Accept-Language": language, "Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()


def _cpu_times() -> tuple[float, float]:
    """(idle, total) jiffies of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [float(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return idle, sum(fields[:8])


# --- results ---------------------------------------------------------------------------------


def read_stats(path: Path) -> dict[str, dict]:
    """Locust's ``_stats.csv``: per request name, count, failures, rate and percentiles."""
    rows: dict[str, dict] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue

            def number(key: str, row=row) -> float:
                value = row.get(key, "") or "0"
                return float(value) if value != "N/A" else 0.0

            rows[row["Name"]] = {
                "requests": int(number("Request Count")),
                "errors": int(number("Failure Count")),
                "rps": number("Requests/s"),
                "p50": number("50%"),
                "p95": number("95%"),
                "p99": number("99%"),
                "max": number("Max Response Time"),
            }
    return rows


def judge(stats: dict[str, dict]) -> list[tuple[str, bool, str]]:
    """The issue's targets against a run's figures: (target, met, detail)."""
    trivial = stats.get("trivial view")
    if not trivial or not trivial["requests"]:
        return [("trivial view measured", False, "no requests to /bench/trivial")]
    base = trivial["p95"] or 1.0
    verdicts = []
    for group, ratio, label in (
        ("public", PUBLIC_RATIO, "public pages and feeds p95 <= 2x trivial p95"),
        ("scan", SCAN_RATIO, "scan round trip p95 <= 3x trivial p95"),
    ):
        kinds = [k for k, g in KINDS.items() if g == group and k in stats and k != "desk search"]
        worst = max(kinds, key=lambda k: stats[k]["p95"], default=None)
        if worst is None:
            verdicts.append((label, False, "not measured"))
            continue
        value = stats[worst]["p95"]
        verdicts.append(
            (label, value <= ratio * base, f"worst {worst}: {value:.0f} ms vs {ratio * base:.0f}")
        )
    errors = sum(row["errors"] for row in stats.values())
    verdicts.append(("zero errors", errors == 0, f"{errors} errors"))
    slowest = max(stats, key=lambda k: stats[k]["max"])
    verdicts.append(
        (
            "no request over 1 s",
            stats[slowest]["max"] <= MAX_MS,
            f"slowest {slowest}: {stats[slowest]['max']:.0f} ms",
        )
    )
    return verdicts


def kind_of(url: str) -> str:
    """The request kind of a path and query from gunicorn's access log (as Locust names it)."""
    path, _sep, query = url.partition("?")
    rules = (
        ("/bench/trivial", "trivial view"),
        ("/schedule/sessions/", "session page"),
        ("/schedule/speakers/", "speaker page"),
        ("/schedule.ics", "schedule.ics"),
        ("/my-agenda/", "personal agenda"),
        ("/checkin/search/", "desk search"),
        ("/checkin/", "scan"),
        ("/manage/registrations/", "registrations list"),
        ("/accounts/login/", "sign in"),
    )
    for fragment, kind in rules:
        if fragment in path:
            return kind
    if "/agenda/" in path and path.endswith(".ics"):
        return "personal feed"
    if path.endswith("/schedule/"):
        return "programme all days" if "day=all" in query else "programme day"
    if path.endswith("/manage/"):
        return "dashboard"
    return "other"


def server_times(log: Path, offset: int) -> dict[str, tuple[float, float]]:
    """Per kind, p50 and p95 of the time spent inside a gunicorn worker (its access log from
    ``offset`` on): the work itself, without the wait in the listen queue Locust also sees."""
    times: dict[str, list[float]] = {}
    with log.open("rb") as handle:
        handle.seek(offset)
        for line in handle.read().decode("utf-8", "replace").splitlines():
            parts = line.split(" ")
            if len(parts) == 3 and parts[1].endswith("ms") and parts[1][:-2].isdigit():
                times.setdefault(kind_of(parts[2]), []).append(float(parts[1][:-2]))
    result = {}
    for kind, values in times.items():
        values.sort()
        result[kind] = (
            values[len(values) // 2],
            values[min(len(values) - 1, len(values) * 95 // 100)],
        )
    return result


def format_table(stats: dict[str, dict], idle: float, verdicts) -> str:
    trivial = stats.get("trivial view", {}).get("p95") or 1.0
    lines = [
        f"{'kind':<20} {'group':<9} {'req/s':>7} {'p50':>5} {'p95':>5} {'p99':>5} {'max':>6} "
        f"{'errors':>6} {'p95/trivial':>11} {'in worker p50/p95':>17}"
    ]
    order = [k for k in KINDS if k in stats] + [k for k in stats if k not in KINDS]
    for kind in order:
        row = stats[kind]
        lines.append(
            f"{kind:<20} {KINDS.get(kind, '-'):<9} {row['rps']:>7.1f} {row['p50']:>5.0f} "
            f"{row['p95']:>5.0f} {row['p99']:>5.0f} {row['max']:>6.0f} {row['errors']:>6} "
            f"{row['p95'] / trivial:>11.2f} {row.get('worker', '-'):>17}"
        )
    lines.append(
        f"CPU idle over the steady state: {idle:.0%} (both cores, load generator included)"
    )
    for label, met, detail in verdicts:
        lines.append(f"{'PASS' if met else 'FAIL'}  {label} ({detail})")
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------------


def run(*, duration: int, users: int, workers: int, spawn_rate: int) -> tuple[dict, float, list]:
    OUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = bench_environment(port)
    _ensure_database(env["DATABASE_URL"])
    _flush_redis(env["REDIS_URL"])
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if not _static_collected(Path(env["STATIC_ROOT"])):
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    subprocess.run(
        [PYTHON, str(Path(__file__)), "--prepare", str(FIXTURES)], cwd=ROOT, env=env, check=True
    )
    fixtures = json.loads(FIXTURES.read_text(encoding="utf-8"))
    procs = Processes()
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        procs.start(
            "gunicorn",
            [
                gunicorn,
                "events_site.wsgi",
                "--preload",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "--access-logformat",
                "%(s)s %(M)sms %(U)s?%(q)s",
            ],
            env,
        )
        procs.start(
            "worker",
            [
                *manage,
                "rqworker",
                "default",
                "emails",
                "batch",
                "--job-class",
                "django_tasks_rq.Job",
            ],
            env,
        )
        _wait_until_up(base, procs)
        warmed = warm_up(base, fixtures)
        print(f"  site up on {base} ({workers} workers); {warmed} pages warmed", flush=True)
        locust = str(Path(PYTHON).with_name("locust"))
        prefix = OUT / "congress_day"
        locust_env = dict(env, CONGRESS_DAY_FIXTURES=str(FIXTURES))
        ramp = -(-users // spawn_rate)
        locust_env[SETTLE_ENV] = str(SETTLE)  # statistics restart once every client has asked
        settled = OUT / "congress-day-settled"
        settled.unlink(missing_ok=True)
        locust_env[SETTLED_MARK_ENV] = str(settled)
        log_offset = (OUT / "congress-day-gunicorn.log").stat().st_size
        idle_before, total_before = _cpu_times()
        proc = procs.start(
            "locust",
            [
                locust,
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(spawn_rate),
                "-t",
                f"{duration + ramp + SETTLE}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
                "--exit-code-on-error",
                "0",
            ],
            locust_env,
        )
        # The CPU left idle and the workers' own times are those of the steady state, as the
        # client figures are: counted from when Locust restarts its statistics (the ramp and
        # the arrival spread left out).
        deadline = time.monotonic() + ramp + SETTLE + 120
        while proc.poll() is None and not settled.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if settled.exists():
            log_offset = (OUT / "congress-day-gunicorn.log").stat().st_size
            idle_before, total_before = _cpu_times()
        proc.wait(duration + 120)
        idle_after, total_after = _cpu_times()
        if proc.returncode != 0:
            raise RuntimeError("locust failed (see bench/out/congress-day-locust.log)")
    finally:
        procs.stop()
        signal.signal(signal.SIGTERM, previous)
    idle = (idle_after - idle_before) / max(1.0, total_after - total_before)
    stats = read_stats(Path(f"{prefix}_stats.csv"))
    for kind, (p50, p95) in server_times(OUT / "congress-day-gunicorn.log", log_offset).items():
        if kind in stats:
            stats[kind]["worker"] = f"{p50:.0f}/{p95:.0f}"
    return stats, idle, judge(stats)


def main(
    quick: bool = False, duration: int | None = None, users: int | None = None, workers: int = 4
) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    duration = duration or (15 if quick else 60)
    users = users or (100 if quick else 400)
    stats, idle, verdicts = run(
        duration=duration, users=users, workers=workers, spawn_rate=max(10, users // 5)
    )
    print(f"  {duration}s, {users} users, {workers} gunicorn workers, {os.cpu_count()} CPUs")
    print("\n".join("  " + line for line in format_table(stats, idle, verdicts).splitlines()))
    return [
        {"target": label, "met": "yes" if met else "NO", "detail": detail}
        for label, met, detail in verdicts
    ]


def _arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=None, help="seconds of load (60)")
    parser.add_argument("--users", type=int, default=None, help="simulated clients (400)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--quick", action="store_true", help="15 s, 100 users")
    parser.add_argument("--prepare", metavar="FIXTURES", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = _arguments()
    try:
        if arguments.prepare:
            prepare(Path(arguments.prepare))
        else:
            main(
                quick=arguments.quick,
                duration=arguments.duration,
                users=arguments.users,
                workers=arguments.workers,
            )
    except KeyboardInterrupt:
        print("  interrupted: every process the bench started is stopped", file=sys.stderr)
        raise SystemExit(130) from None
