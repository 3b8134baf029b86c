"""The demo programme: conflict-free, published in a few versions, idempotent, scalable."""

import random

import pytest

from sessions import services
from sessions.demo import seed_demo
from sessions.models import PersonalAgenda, ScheduleVersion, Session, Speaker
from sessions.services.widget import allowed_origins
from tests.factories import DelegateFactory, OrderFactory

pytestmark = pytest.mark.django_db

PEOPLE = [
    {
        "given_name": g,
        "family_name": f,
        "organisation_name": o,
        "city": c,
        "country": k,
        "title": "Mayor",
        "email": f"{n}@x.example",
        "language": "en",
        "badge_name": "",
        "organisation_type": "city",
    }
    for n, (g, f, o, c, k) in enumerate(
        [
            ("Ana", "Müller", "Lisboa", "Lisboa", "PT"),
            ("Иван", "Петров", "Казань", "Kazan", "RU"),
            ("Σοφία", "Παπαδοπούλου", "Αθήνα", "Athens", "GR"),
            ("ليلى", "حداد", "عمان", "Amman", "JO"),
            ("健二", "山田", "横浜市", "Yokohama", "JP"),
            ("प्रिया", "शर्मा", "पुणे", "Pune", "IN"),
        ]
        * 60
    )
]
for n, person in enumerate(PEOPLE):
    person["family_name"] += f" {n}"


def test_seed_demo_builds_a_conflict_free_published_programme(congress, hall, small_room):
    DelegateFactory.create_batch(3, order=OrderFactory(congress=congress))
    result = seed_demo(congress=congress, speakers=PEOPLE, rng=random.Random(7), sessions=150)
    assert result["sessions"] >= 145
    assert result["versions"] >= 2
    assert Speaker.objects.filter(congress=congress).count() == 300
    assert not [c for c in services.congress_conflicts(congress) if c.is_error]
    assert PersonalAgenda.objects.filter(congress=congress).count() == 3
    latest = ScheduleVersion.objects.filter(congress=congress).latest()
    assert any(c["kind"] == "cancelled" for c in latest.changelog) or latest.number > 2
    assert allowed_origins(congress) == ["https://www.wcg-2027.example", "http://localhost:8001"]

    again = seed_demo(congress=congress, speakers=PEOPLE, rng=random.Random(7), sessions=150)
    assert again["skipped"]
    assert (
        Session.objects.filter(congress=congress).count() == result["sessions"] + result["queued"]
    )
    assert ScheduleVersion.objects.filter(congress=congress).count() == result["versions"]


def test_seed_demo_leaves_a_queue_to_build_the_days_from_and_every_days_editor_lists_it(
    client, congress, alice, hall, small_room
):
    """Done when (issue 16): an organiser builds the demo's days from the unscheduled queue."""
    import datetime as dt

    from django.urls import reverse

    from sessions.enums import ConflictKind
    from sessions.errors import InvalidProgrammeData, ScheduleConflict
    from sessions.models import Break
    from sessions.services.editor import place_session

    result = seed_demo(congress=congress, speakers=PEOPLE, rng=random.Random(7), sessions=150)
    queued = list(Session.objects.filter(congress=congress, unscheduled=True).order_by("code"))
    assert result["queued"] == len(queued) == 20
    assert all(s.roles.exists() and s.track_id for s in queued)
    assert Break.objects.filter(congress=congress, all_rooms=True).count() == len(congress.days)
    assert not [c for c in services.congress_conflicts(congress) if c.is_error]
    latest = ScheduleVersion.objects.filter(congress=congress).latest()
    published = {s["code"] for s in latest.snapshot["sessions"]}
    assert not published & {s.code for s in queued}  # waiting sessions are not on the public side

    client.force_login(alice)
    for day in congress.days:
        address = reverse(
            "agenda:manage_editor", kwargs={"congress_slug": congress.slug, "day": day.isoformat()}
        )
        html = client.get(address).content.decode()
        queue = html[html.index('id="queue-list"') :]
        assert all(f'id="session-{s.code}"' in queue for s in queued), day
        assert 'data-count="20"' in html
        assert html.count("data-break=") == 1  # that day's lunch, across the rooms

    # a queued session finds a place in the editor: the lunch hour is refused, a free slot not
    session = queued[0]
    session.congress = congress
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    day = congress.days[-1]
    try:
        place_session(
            session=session,
            by=alice,
            room=small_room,
            start=dt.datetime.combine(day, dt.time(12, 45)),
            minutes=minutes,
        )
    except ScheduleConflict as exc:
        assert ConflictKind.BREAK_IN_ROOM in {c.kind for c in exc.conflicts}
    else:
        raise AssertionError("placed over lunch")
    placed = False
    for room in (small_room, hall):
        for hour in range(8, 19):
            try:
                place_session(
                    session=session,
                    by=alice,
                    room=room,
                    start=dt.datetime.combine(day, dt.time(hour)),
                    minutes=minutes,
                )
            except (ScheduleConflict, InvalidProgrammeData):
                continue
            placed = True
            break
        if placed:
            break
    assert placed
    session.refresh_from_db()
    assert not session.unscheduled
