"""The demo congress: realistic, in every script, and idempotent."""

import unicodedata

import pytest
from django.core.management import call_command

from events_site.congresses.models import Congress, Room, TeamMembership
from events_site.demo.people import CITIES, generate_people
from registrations.models import Delegate, Order


def scripts_of(text: str) -> set[str]:
    names = set()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            names.add(name.split()[0])
    return names


def test_generated_people_cover_every_continent_and_script():
    people = generate_people(400)
    found = set()
    for person in people:
        found |= scripts_of(person["badge_name"])
    for script in ("LATIN", "CYRILLIC", "GREEK", "ARABIC", "CJK", "HANGUL", "DEVANAGARI"):
        assert script in found, script
    # Japanese kana and accented Latin letters appear too.
    assert any("HIRAGANA" in scripts_of(p["badge_name"]) for p in people)
    assert any(ch in "éèçãñüøłşđ" for p in people for ch in p["badge_name"].lower())
    assert len({country for _city, country, _pool, _lang in CITIES}) >= 60
    assert len(CITIES) >= 100


def test_generated_people_are_the_same_for_the_same_seed_and_have_unique_emails():
    assert generate_people(50) == generate_people(50)
    emails = [p["email"] for p in generate_people(3000)]
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() for email in emails)


@pytest.mark.django_db(transaction=True)
def test_seed_demo_builds_the_congress_and_running_it_twice_changes_nothing():
    options = {"delegates": 60, "speakers": 30, "sessions": 24, "verbosity": 0}
    call_command("seed_demo", **options)
    congress = Congress.objects.get(slug="wcg-2027")
    assert congress.time_zone == "Asia/Seoul"
    assert len(congress.days) == 4
    assert Room.objects.filter(venue__congress=congress).count() == 12
    assert set(TeamMembership.objects.filter(congress=congress).values_list("role", flat=True)) == {
        "owner",
        "programme",
        "registration",
        "finance",
        "checkin",
        "reviewer",
        "visa_officer",
    }
    counts = (Order.objects.count(), Delegate.objects.count())
    assert counts[1] == 60
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"paid", "pending_payment", "awaiting_approval", "cancelled"} <= statuses

    call_command("seed_demo", **options)
    assert (Order.objects.count(), Delegate.objects.count()) == counts
    assert Congress.objects.count() == 1
