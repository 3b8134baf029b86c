"""Feeds held against real calendar clients around daylight-saving changes: Mozilla's ical.js
(Thunderbird and many web calendars; npm, pinned in ``tests/agenda/calendar_clients/``) and
``icalendar`` reading the feed's own VTIMEZONE (not its zoneinfo by name)."""

import datetime as dt
import json
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from django.urls import reverse

from sessions import services
from sessions.enums import SessionStatus
from sessions.ical import build_calendar
from sessions.published import PublishedProgramme
from tests.factories import CongressFactory, RoomFactory, TeamMembershipFactory, UserFactory

CLIENTS = Path(__file__).parent / "calendar_clients"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def ical_js(bodies: list[bytes], tmp_path: Path) -> list[list[dict]]:
    """What ical.js reads from each feed (one node process for all of them)."""
    if shutil.which("node") is None or not (CLIENTS / "node_modules" / "ical.js").is_dir():
        pytest.fail(
            "ical.js is not installed: run `npm ci --prefix tests/agenda/calendar_clients` "
            "(make install and scripts/test.sh do)"
        )
    paths = []
    for n, body in enumerate(bodies):
        path = tmp_path / f"feed-{n}.ics"
        path.write_bytes(body)
        paths.append(str(path))
    out = subprocess.run(
        ["node", str(CLIENTS / "read_feeds.js"), *paths],
        check=True,
        capture_output=True,
        cwd=CLIENTS,
    ).stdout
    return json.loads(out)


def icalendar_reads(body: bytes) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """UID -> (start, end) in UTC as icalendar reads them through the feed's own VTIMEZONE."""
    calendar = icalendar.Calendar.from_ical(body)
    zones = {str(tz["tzid"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}

    def utc(prop) -> dt.datetime:
        value = prop.dt
        if "TZID" in prop.params:
            value = value.replace(tzinfo=zones[prop.params["TZID"]])
        return value.astimezone(UTC)

    return {str(e["uid"]): (utc(e["dtstart"]), utc(e["dtend"])) for e in calendar.walk("VEVENT")}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def berlin(db):
    """Friday 29 October to Monday 1 November 2027 in Berlin: clocks go back at 03:00 CEST on
    Sunday 31st (01:00 UTC)."""
    congress = CongressFactory(
        slug="dst-2027",
        time_zone="Europe/Berlin",
        start_date=dt.date(2027, 10, 29),
        end_date=dt.date(2027, 11, 1),
    )
    user = UserFactory(username="olga")
    TeamMembershipFactory(congress=congress, user=user, role="owner")
    return congress, user


def add(congress, user, room, title, start_utc, end_utc):
    return services.create_session(
        congress=congress,
        by=user,
        title=title,
        room=room,
        starts_at=start_utc,
        ends_at=end_utc,
        status=SessionStatus.CONFIRMED,
    ).session


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def berlin_feed(berlin, client):
    congress, user = berlin
    hall = RoomFactory(venue__congress=congress, name="Saal 1", opens_at=None, closes_at=None)
    annex = RoomFactory(venue__congress=congress, name="Saal 2", opens_at=None, closes_at=None)
    sessions = [
        # Before: Saturday 10:00 CEST; Sunday 01:00-02:00 CEST.
        add(congress, user, hall, "Saturday", utc(2027, 10, 30, 8), utc(2027, 10, 30, 9)),
        add(congress, user, hall, "Night", utc(2027, 10, 30, 23), utc(2027, 10, 31, 0)),
        # Across: 01:30 CEST to 03:30 CET.
        add(congress, user, annex, "Across", utc(2027, 10, 30, 23, 30), utc(2027, 10, 31, 2, 30)),
        # After: Sunday 03:00-04:00 CET and 10:00 CET; Monday 09:00 CET.
        add(congress, user, hall, "Early", utc(2027, 10, 31, 2), utc(2027, 10, 31, 3)),
        add(congress, user, hall, "Sunday", utc(2027, 10, 31, 9), utc(2027, 10, 31, 10)),
        add(congress, user, hall, "Monday", utc(2027, 11, 1, 8), utc(2027, 11, 1, 9)),
    ]
    services.publish_schedule(congress=congress, by=user)
    body = client.get(
        reverse("agenda:schedule_ics", kwargs={"congress_slug": congress.slug})
    ).content
    expected = {
        f"convene-{congress.slug}-{s.code}@127.0.0.1": (s.starts_at, s.ends_at) for s in sessions
    }
    return body, expected


def test_ical_js_reads_a_congress_across_the_autumn_change_at_the_right_utc_times(
    berlin_feed, tmp_path
):
    body, expected = berlin_feed
    [events] = ical_js([body], tmp_path)
    read = {e["uid"]: (e["start"], e["end"]) for e in events}
    assert read == {uid: (iso(start), iso(end)) for uid, (start, end) in expected.items()}
    assert {e["tzid"] for e in events} == {"Europe/Berlin"}


def test_icalendar_reads_the_same_times_through_the_feeds_own_vtimezone(berlin_feed):
    body, expected = berlin_feed
    assert icalendar_reads(body) == expected


def test_vtimezone_has_one_block_per_transition_without_rdate_or_comment(berlin_feed):
    body, _expected = berlin_feed
    [vtimezone] = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    assert "COMMENT" not in vtimezone
    blocks = vtimezone.subcomponents
    assert all("RDATE" not in b and "RRULE" not in b for b in blocks)
    onsets = [(b.name, b.decoded("dtstart")) for b in blocks]
    assert ("STANDARD", dt.datetime(2027, 10, 31, 3)) in onsets
    assert ("DAYLIGHT", dt.datetime(2027, 3, 28, 2)) in onsets


def _snapshot(tz: str, first: dt.date, days: int) -> dict:
    """A published programme of ``days`` days with a one-hour session every six hours from the
    first local midnight, so each side of any transition holds a session."""
    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(UTC)
    sessions = []
    for n in range(days * 4):
        begin = start + dt.timedelta(hours=6 * n)
        sessions.append(
            {
                "code": f"S{n:03d}",
                "title": f"Session {n}",
                "abstract": "",
                "format": "parallel",
                "track": None,
                "room": None,
                "starts_at": iso(begin),
                "ends_at": iso(begin + dt.timedelta(hours=1)),
                "languages": [],
                "interpretation_languages": [],
                "captioning": False,
                "capacity": None,
                "status": "confirmed",
                "tags": [],
                "speakers": [],
                "sequence": 0,
                "last_modified": "2027-01-01T00:00:00Z",
            }
        )
    return {"congress": {"time_zone": tz}, "sessions": sessions}


def test_every_four_day_congress_starting_in_2027_reads_right_in_ical_js(tmp_path):
    """The issue's sweep: Berlin, London and New York, every start date of 2027."""
    published_at = dt.datetime(2027, 1, 1, tzinfo=UTC)
    bodies, expected, labels = [], [], []
    for tz in ("Europe/Berlin", "Europe/London", "America/New_York"):
        day = dt.date(2027, 1, 1)
        while day.year == 2027:
            snapshot = _snapshot(tz, day, 4)
            programme = PublishedProgramme(snapshot, version=1, published_at=published_at)
            bodies.append(
                build_calendar(programme, programme.sessions, congress_slug="sweep", name="Sweep")
            )
            expected.append([(s["starts_at"], s["ends_at"]) for s in snapshot["sessions"]])
            labels.append(f"{tz} {day.isoformat()}")
            day += dt.timedelta(days=1)
    read = [[(e["start"], e["end"]) for e in events] for events in ical_js(bodies, tmp_path)]
    wrong = [label for label, got, want in zip(labels, read, expected, strict=True) if got != want]
    assert wrong == []
