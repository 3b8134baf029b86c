"""The public speaker list: a server-side search on name and organisation that ignores case and
accents, and each speaker's sessions with their day, date and time."""

import pytest
from django.urls import reverse

from sessions import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(congress, alice, make_session, small_room, ana, kenji):
    make_session(title="Heat plans", speakers=[(ana, "speaker")])
    make_session(title="Tsunami drills", room=small_room, day=1, speakers=[(kenji, "speaker")])
    services.publish_schedule(congress=congress, by=alice)


def speakers(client, congress, **query):
    url = reverse("agenda:speakers", kwargs={"congress_slug": congress.slug})
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("q", ["muller", "MÜLLER", "lisbon", "ana mu"])
def test_search_finds_a_speaker_by_name_or_organisation_without_accents(
    client, congress, published, q
):
    body = speakers(client, congress, q=q)
    assert "Ana Müller" in body and "山田 健二" not in body


def test_search_in_another_script(client, congress, published):
    body = speakers(client, congress, q="山田")
    assert "山田 健二" in body and "Ana Müller" not in body


def test_no_match_says_so_and_escapes_the_query(client, congress, published):
    body = speakers(client, congress, q="<b>nobody</b>")
    assert "No speaker matches “&lt;b&gt;nobody&lt;/b&gt;”." in body
    assert "<b>nobody</b>" not in body


@pytest.mark.parametrize("q", ["x" * 10_000, "a\x01b", "%00", "   "])
def test_odd_queries_give_a_page(client, congress, published, q):
    speakers(client, congress, q=q)


def test_each_speaker_shows_their_sessions_with_dates(client, congress, published):
    body = speakers(client, congress)
    assert "Heat plans" in body and "Tsunami drills" in body
    assert "Mon 10 May, 10:00" in body and "Tue 11 May, 10:00" in body
    assert congress.time_zone in body


def test_the_list_queries_stay_few(client, congress, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        speakers(client, congress, q="a")
