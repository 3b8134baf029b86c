"""The timetable editor for a 1,000-session congress (4 days, 12 rooms), each figure beside the
bare scheduling check in the same run.

    .venv/bin/python bench/editor.py [--quick]

Builds a throwaway SQLite database under bench/out/, seeds 1,000 sessions (some waiting in the
queue) with speakers, then measures:

* the editor page of one day (the whole request through Django, as a programme organiser):
  median time and query count (target, issue 16: under a second);
* one move round trip (the JSON POST through ``place_session``: lock, stale check, rules, save,
  audit, answer), target under 200 ms;
* the bare ``check_session`` of the same session at the same place, which the move contains:
  the move's ratio to it says what the endpoint adds to the rules.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ROOMS, DAYS = 12, 4
LOAD_TARGET_MS, MOVE_TARGET_MS = 1000, 200


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "editor-bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["TEST_DATABASE_NAME"] = str(db)
    os.environ["MEDIA_ROOT"] = str(OUT / "media")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DATABASES["default"]["TEST"]["MIGRATE"] = False
    settings.ALLOWED_HOSTS = ["*"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _seed(size: int):
    from django.contrib.auth import get_user_model

    from events_site.congresses.models import Congress, Organisation, Room, TeamMembership, Venue
    from sessions.models import Session, SessionSpeaker, Speaker, Track

    organisation = Organisation.objects.create(name="UCLG", slug="uclg")
    congress = Congress.objects.create(
        organisation=organisation,
        name="Editor bench",
        slug="editor-bench",
        start_date=dt.date(2027, 5, 10),
        end_date=dt.date(2027, 5, 10) + dt.timedelta(days=DAYS - 1),
        time_zone="Asia/Seoul",
        currency="EUR",
        languages=["en"],
        status="registration_open",
    )
    venue = Venue.objects.create(congress=congress, name="Centre")
    rooms = Room.objects.bulk_create(
        Room(
            venue=venue,
            name=f"Room {n + 1}",
            capacity=100 + 10 * n,
            building="East" if n % 2 else "West",
            opens_at=dt.time(8),
            closes_at=dt.time(20),
            position=n,
        )
        for n in range(ROOMS)
    )
    tracks = [
        Track.objects.create(congress=congress, name=f"Track {n}", slug=f"t{n}") for n in range(8)
    ]
    speakers = Speaker.objects.bulk_create(
        Speaker(congress=congress, code=f"P{n:05d}", name=f"Speaker {n}") for n in range(300)
    )
    queued = size // 25
    per_day = -(-(size - queued) // DAYS)
    rows = []
    for n in range(size):
        if n < size - queued:
            day, slot = divmod(n, per_day)
            hour_slot, room = divmod(slot, ROOMS)
            local = dt.datetime.combine(
                congress.start_date + dt.timedelta(days=day), dt.time(8), tzinfo=congress.tz
            ) + dt.timedelta(minutes=30 * hour_slot)
            rows.append((local, rooms[room], False))
        else:
            rows.append((congress.starts_at, None, True))
    sessions = Session.objects.bulk_create(
        Session(
            congress=congress,
            code=f"S{n:05d}",
            title=f"Session {n}",
            track=tracks[n % len(tracks)],
            room=room,
            unscheduled=queued_flag,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            status="confirmed",
            languages=["en"],
        )
        for n, (start, room, queued_flag) in enumerate(rows)
    )
    # speaker n % 300: never two sessions of one speaker in the same half hour
    SessionSpeaker.objects.bulk_create(
        SessionSpeaker(session=s, speaker=speakers[n % len(speakers)], role="speaker")
        for n, s in enumerate(sessions)
    )
    user = get_user_model().objects.create_user("pia")
    TeamMembership.objects.create(congress=congress, user=user, role="programme")
    return congress, rooms, user


def measure(quick: bool = False) -> list[dict]:
    _setup_django()
    from django.db import connection
    from django.test import Client

    from sessions.models import Session
    from sessions.services.editor import session_version
    from sessions.services.scheduling import check_session

    size = 200 if quick else 1000
    repeats = 3 if quick else 11
    congress, rooms, user = _seed(size)
    client = Client()
    client.force_login(user)
    day = congress.start_date + dt.timedelta(days=1)
    page = f"/{congress.slug}/manage/agenda/editor/{day.isoformat()}/"
    client.get(page)
    loads = []
    queries: list[str] = []  # counted by a wrapper: the debug log is a bounded deque

    def count(run, sql, *args):
        queries.append(sql)
        return run(sql, *args)

    for _ in range(repeats):
        queries.clear()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(page)
            loads.append(time.perf_counter() - started)
        assert response.status_code == 200
    cards = response.content.decode().count('class="ed-session')

    session = Session.objects.filter(congress=congress, unscheduled=False, starts_at__date=day)
    session = session.order_by("starts_at").first()
    session.congress = congress
    target = rooms[-1]
    moves, bare = [], []
    for n in range(repeats * 2):
        start = f"{day.isoformat()}T{'19:00' if n % 2 == 0 else '19:30'}"
        payload = {
            "session": session.code,
            "room": target.pk,
            "start": start,
            "minutes": 30,
            "version": session_version(session),
        }
        started = time.perf_counter()
        answer = client.post(
            f"/{congress.slug}/manage/agenda/editor/move/",
            json.dumps(payload),
            content_type="application/json",
        )
        moves.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.content
        session = Session.objects.select_related("room", "track").get(pk=session.pk)
        session.congress = congress
        started = time.perf_counter()
        conflicts = check_session(session)
        bare.append(time.perf_counter() - started)
        assert not [c for c in conflicts if c.is_error]

    load_ms = statistics.median(loads) * 1000
    move_ms, bare_ms = statistics.median(moves) * 1000, statistics.median(bare) * 1000
    return [
        {
            "what": "editor page, one day (whole request)",
            "sessions": size,
            "rooms": ROOMS,
            "cards": cards,
            "ms": round(load_ms, 1),
            "queries": len(queries),
            "target_ms": LOAD_TARGET_MS,
            "met": load_ms < LOAD_TARGET_MS,
            "ratio_to_bare_check": round(load_ms / bare_ms, 1),
        },
        {
            "what": "move round trip (JSON POST through place_session)",
            "ms": round(move_ms, 1),
            "baseline": "bare check_session, same session and place",
            "baseline_ms": round(bare_ms, 2),
            "ratio": round(move_ms / bare_ms, 1),
            "target_ms": MOVE_TARGET_MS,
            "met": move_ms < MOVE_TARGET_MS,
        },
    ]


def main(quick: bool = False) -> list[dict]:
    """Run in a fresh interpreter (its own Django setup and database) and return its rows."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    rows = measure(quick="--quick" in sys.argv)
    if "--json" in sys.argv:
        print(json.dumps(rows))
    else:
        for row in rows:
            print("  ".join(f"{key}={value}" for key, value in row.items()))
