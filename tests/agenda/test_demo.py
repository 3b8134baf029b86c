"""The demo programme: conflict-free, published in a few versions, idempotent, scalable."""

import random

import pytest

from sessions import services
from sessions.demo import seed_demo
from sessions.models import PersonalAgenda, ScheduleVersion, Session, Speaker
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

    again = seed_demo(congress=congress, speakers=PEOPLE, rng=random.Random(7), sessions=150)
    assert again["skipped"]
    assert Session.objects.filter(congress=congress).count() == result["sessions"]
    assert ScheduleVersion.objects.filter(congress=congress).count() == result["versions"]
