"""Smoke test of ``bench/congress_day.py`` (not timed): its seeding step gives Locust what it
needs (desk tokens that authenticate, badges of people who may enter, feeds that exist), a
second run reuses the congress, and the Locust file loads with every user class the mix names."""

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from events_site.congresses import api_tokens
from events_site.congresses.api_tokens import TokenRefused

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_congress_day", ROOT / "bench/congress_day.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_seeding_step_writes_working_fixtures_and_is_reused(tmp_path):
    from badges.selectors import desk_delegates, desk_person
    from events_site.congresses.models import Congress
    from sessions.models import PersonalAgenda

    bench = _bench()
    path = tmp_path / "fixtures.json"
    first = bench.prepare(path, delegates=30, sessions=40, speakers=20)
    assert json.loads(path.read_text()) == first
    congress = Congress.objects.get(slug=first["congress"])
    assert len(first["desk_tokens"]) == bench.DESKS == 10
    for key in first["desk_tokens"]:
        token = api_tokens.authenticate(key=key)
        assert token.congress == congress and token.role == "checkin"
    people = {d.badge.secret: d for d in desk_delegates(congress) if hasattr(d, "badge")}
    assert first["badges"] and all(desk_person(people[s]).may_enter for s in first["badges"])
    assert first["sessions"] and first["speakers"] and first["days"] and first["names"]
    assert set(first["feed_tokens"]) <= set(
        PersonalAgenda.objects.values_list("feed_token", flat=True)
    )
    sessions = congress.sessions.count()

    again = bench.prepare(path, delegates=30, sessions=40, speakers=20)
    assert congress.sessions.count() == sessions  # reused, not seeded twice
    assert set(again["desk_tokens"]).isdisjoint(first["desk_tokens"])
    with pytest.raises(TokenRefused):  # the previous run's keys no longer work
        api_tokens.authenticate(key=first["desk_tokens"][0])


def test_the_locust_file_loads_and_names_only_known_kinds():
    locustfile = ROOT / "bench/congress_day_locust.py"
    listed = subprocess.run(
        [str(Path(sys.executable).with_name("locust")), "-f", str(locustfile), "--list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    ).stdout
    for user in ("Phone", "CalendarClient", "Desk", "Organiser", "Trivial"):
        assert user in listed
    tree = ast.parse(locustfile.read_text())
    named = {  # name="..." on a request, and the name given to the helpers that make one
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "name"
        if isinstance(node.value, ast.Constant)
    } | {
        node.args[1].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") in ("conditional_get", "_page")
    }
    assert named - {"sign in"} == set(_bench().KINDS)


def test_the_results_are_judged_against_the_issues_targets():
    bench = _bench()
    row = {"requests": 100, "errors": 0, "rps": 5.0, "p50": 5, "p95": 10, "p99": 20, "max": 40}
    stats = {kind: dict(row) for kind in bench.KINDS}
    assert all(met for _label, met, _detail in bench.judge(stats))
    stats["session page"]["p95"] = 21  # over twice the trivial view's
    stats["scan"]["max"] = 1200  # over a second
    stats["dashboard"]["errors"] = 1
    verdicts = {label: met for label, met, _detail in bench.judge(stats)}
    assert verdicts == {
        "public pages and feeds p95 <= 2x trivial p95": False,
        "scan round trip p95 <= 3x trivial p95": True,
        "zero errors": False,
        "no request over 1 s": False,
    }


def test_gunicorns_log_lines_are_told_apart_by_kind(tmp_path):
    bench = _bench()
    urls = {
        "/bench/trivial?": "trivial view",
        "/wcg-2027/schedule/?day=2027-10-11": "programme day",
        "/wcg-2027/schedule/?view=list&day=all": "programme all days",
        "/wcg-2027/schedule/sessions/AB12/?": "session page",
        "/wcg-2027/schedule/speakers/CD34/?": "speaker page",
        "/wcg-2027/schedule.ics?": "schedule.ics",
        "/wcg-2027/agenda/tok.ics?": "personal feed",
        "/wcg-2027/my-agenda/secret/?": "personal agenda",
        "/api/v1/congresses/wcg-2027/checkin/?": "scan",
        "/api/v1/congresses/wcg-2027/checkin/search/?q=Wang": "desk search",
        "/wcg-2027/manage/?": "dashboard",
        "/wcg-2027/manage/registrations/?page=3": "registrations list",
    }
    assert {bench.kind_of(url) for url in urls} == set(bench.KINDS)
    assert all(bench.kind_of(url) == kind for url, kind in urls.items())
    log = tmp_path / "gunicorn.log"
    log.write_text(
        "[boot] Booting worker\n200 9ms /bench/trivial?\n200 30ms /bench/trivial?\n"
        "200 70ms /wcg-2027/schedule.ics?\n"
    )
    assert bench.server_times(log, 0) == {
        "trivial view": (30.0, 30.0),
        "schedule.ics": (70.0, 70.0),
    }
