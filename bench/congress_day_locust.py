"""Locust's side of ``bench/congress_day.py``: the first morning of the congress.

Read by ``locust -f``; it needs ``CONGRESS_DAY_FIXTURES`` naming the JSON the seeding step
wrote (congress slug, days, session and speaker codes, delegate secrets, feed tokens, badge
secrets of people who may enter, desk API keys, organiser sign-in). Every request is named by
its kind, so Locust's statistics come out per kind:

* phones: the programme (one day, all days), session, speaker and personal agenda pages, with
  think times; they remember each page's ``ETag`` and send ``If-None-Match`` on the next visit
  (most visits are repeats), a few come back as new visitors;
* calendar clients polling ``schedule.ics`` and personal feeds with ``If-None-Match``;
* ten check-in desks, each with its own staff account and API token, scanning one badge a
  second through the check-in API, with a name search now and then;
* a few organisers, signed in, on the back office dashboard and the registrations list;
* the trivial view (``/bench/trivial``) polled under the same load, the baseline of the ratios.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, constant_pacing, events, task
from locust.contrib.fasthttp import FastHttpUser

FIXTURES_ENV = "CONGRESS_DAY_FIXTURES"
SETTLE_ENV = "CONGRESS_DAY_SETTLE"
SETTLED_MARK_ENV = "CONGRESS_DAY_SETTLED_MARK"


def load_fixtures(path: str | None = None) -> dict:
    path = path or os.environ.get(FIXTURES_ENV, "")
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


FIXTURES = load_fixtures()


def arrive(spread: float) -> None:
    """Wait a random part of the client's think time before its first request.

    Without it every client spawned in the same second asks at once, in step, and the site
    spends the first seconds of the run on a queue no congress morning makes: people open
    the programme spread over their own minutes, so in the steady state the clients' phases
    are spread over their think times."""
    gevent.sleep(random.uniform(0, spread))


_ENVIRONMENT: list = []


@events.init.add_listener
def _remember_environment(environment, **kwargs) -> None:
    _ENVIRONMENT[:] = [environment]


@events.spawning_complete.add_listener
def _restart_statistics_once_settled(user_count: int, **kwargs) -> None:
    """Measure the steady state: the statistics restart once every client has started and
    made its first request (``CONGRESS_DAY_SETTLE`` seconds after the last one spawned, the
    longest arrival spread), so the figures are those of the morning, not of the ramp."""
    settle = float(os.environ.get(SETTLE_ENV, "0") or 0)

    def restart() -> None:
        gevent.sleep(settle)
        for environment in _ENVIRONMENT:
            environment.runner.stats.reset_all()
        mark = os.environ.get(SETTLED_MARK_ENV)
        if mark:  # the driver starts its CPU and server-log figures here too
            Path(mark).write_text(f"{time.time():.3f}\n")

    gevent.spawn(restart)


LANGUAGES = ("en", "en", "en", "fr", "es")


class _Conditional:
    """What a client remembers per URL: the last ETag, sent back as ``If-None-Match``."""

    def _setup_memory(self) -> None:
        self.etags: dict[str, str] = {}

    def conditional_get(self, url: str, name: str, headers: dict | None = None) -> None:
        sent = dict(headers or {})
        if url in self.etags:
            sent["If-None-Match"] = self.etags[url]
        with self.client.get(url, name=name, headers=sent, catch_response=True) as response:
            if response.status_code in (200, 304):
                etag = response.headers.get("ETag")
                if etag:
                    self.etags[url] = etag
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class Phone(_Conditional, FastHttpUser):
    """A delegate's phone on the programme: mostly repeat visits of a few pages."""

    weight = 20
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self._setup_memory()
        fx = FIXTURES
        self.slug = fx["congress"]
        self.headers = {
            "Accept-Language": random.choice(LANGUAGES),
            "Accept-Encoding": "gzip",
            "User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile",
        }
        self.day = random.choice(fx["days"])
        self.favourites = random.sample(fx["sessions"], min(8, len(fx["sessions"])))
        self.speakers = random.sample(fx["speakers"], min(4, len(fx["speakers"])))
        self.delegate = random.choice(fx["delegates"])
        arrive(10)

    def _maybe_new_visitor(self) -> None:
        if random.random() < 0.05:  # a fresh browser, or a cleared cache
            self.etags.clear()

    @task(5)
    def programme_day(self) -> None:
        self._maybe_new_visitor()
        if random.random() < 0.2:
            self.day = random.choice(FIXTURES["days"])
        url = f"/{self.slug}/schedule/?day={self.day}"
        self.conditional_get(url, "programme day", self.headers)

    @task(2)
    def programme_all_days(self) -> None:
        url = f"/{self.slug}/schedule/?view=list&day=all"
        self.conditional_get(url, "programme all days", self.headers)

    @task(4)
    def session_page(self) -> None:
        pool = self.favourites if random.random() < 0.8 else FIXTURES["sessions"]
        url = f"/{self.slug}/schedule/sessions/{random.choice(pool)}/"
        self.conditional_get(url, "session page", self.headers)

    @task(1)
    def speaker_page(self) -> None:
        url = f"/{self.slug}/schedule/speakers/{random.choice(self.speakers)}/"
        self.conditional_get(url, "speaker page", self.headers)

    @task(2)
    def personal_agenda(self) -> None:
        url = f"/{self.slug}/my-agenda/{self.delegate}/"
        self.conditional_get(url, "personal agenda", self.headers)


class CalendarClient(_Conditional, FastHttpUser):
    """A subscribed calendar (a phone's, a laptop's): polls its feed with If-None-Match."""

    weight = 4
    wait_time = between(10, 30)

    def on_start(self) -> None:
        self._setup_memory()
        self.slug = FIXTURES["congress"]
        self.token = random.choice(FIXTURES["feed_tokens"])
        self.headers = {"Accept-Encoding": "gzip", "User-Agent": "Calendar/1.0"}
        arrive(30)

    @task(2)
    def schedule_ics(self) -> None:
        self.conditional_get(f"/{self.slug}/schedule.ics", "schedule.ics", self.headers)

    @task(1)
    def personal_feed(self) -> None:
        url = f"/{self.slug}/agenda/{self.token}.ics"
        self.conditional_get(url, "personal feed", self.headers)


class Desk(FastHttpUser):
    """A check-in desk: one badge a second through the check-in API, with its own staff
    account's token; a name search every fifth scan."""

    fixed_count = 10
    wait_time = constant_pacing(1)
    _next = 0

    def on_start(self) -> None:
        fx = FIXTURES
        Desk._next += 1
        self.number = Desk._next
        key = fx["desk_tokens"][(self.number - 1) % len(fx["desk_tokens"])]
        self.headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
        self.api = f"/api/v1/congresses/{fx['congress']}/checkin/"
        self.scans = 0
        arrive(1)

    @task
    def scan(self) -> None:
        code = random.choice(FIXTURES["badges"])
        with self.client.post(
            self.api,
            json={"code": code, "desk": f"Desk {self.number}"},
            headers=self.headers,
            name="scan",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 201):
                response.success()
            else:
                response.failure(f"status {response.status_code}: {response.text[:120]}")
        self.scans += 1
        if self.scans % 5 == 0:
            query = random.choice(FIXTURES["names"])
            self.client.get(
                f"{self.api}search/", params={"q": query}, headers=self.headers, name="desk search"
            )


class Organiser(HttpUser):
    """An organiser, signed in, watching the dashboard and paging the registrations list.

    The site runs with ``DEBUG=0``, so its cookies are ``Secure``; the bench talks plain HTTP
    on loopback, so the cookies are handed back without the flag (a browser behind the TLS
    proxy would send them)."""

    fixed_count = 3
    wait_time = between(5, 15)

    def _keep_cookies(self) -> None:
        jar = self.client.cookies
        for cookie in list(jar):
            if cookie.secure:
                jar.clear(cookie.domain, cookie.path, cookie.name)
                jar.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)

    def on_start(self) -> None:
        fx = FIXTURES
        self.slug = fx["congress"]
        login = self.client.get("/accounts/login/", name="sign in")
        self._keep_cookies()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
        self.client.post(
            "/accounts/login/",
            data={
                "username": fx["organiser"]["username"],
                "password": fx["organiser"]["password"],
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            name="sign in",
            allow_redirects=False,
        )
        self._keep_cookies()
        arrive(15)

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            self._keep_cookies()
            if r.status_code == 200:
                r.success()
            else:
                r.failure(f"status {r.status_code}")

    @task(2)
    def dashboard(self) -> None:
        self._page(f"/{self.slug}/manage/", "dashboard")

    @task(3)
    def registrations(self) -> None:
        page = random.randint(1, 20)
        self._page(f"/{self.slug}/manage/registrations/?page={page}", "registrations list")


class Trivial(FastHttpUser):
    """The baseline: a view that answers "ok" through the whole middleware stack with no
    database or cache (bench/congress_day_settings.py), under the same load, in the same run."""

    fixed_count = 4
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        arrive(1.5)

    @task
    def trivial(self) -> None:
        self.client.get("/bench/trivial", name="trivial view")
