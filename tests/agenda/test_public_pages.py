"""Public agenda pages: published state only, filters, escaping, a fixed number of queries."""

import pytest
from django.urls import reverse

from sessions import services
from sessions.enums import SessionFormat, SessionStatus
from tests.agenda.conftest import bulk_programme

pytestmark = pytest.mark.django_db


def schedule_url(congress, **params):
    from urllib.parse import urlencode

    url = reverse("agenda:schedule", kwargs={"congress_slug": congress.slug})
    return url + ("?" + urlencode(params) if params else "")


@pytest.fixture
def published(congress, alice, make_session, ana, track, small_room, sdg11):
    sessions = {
        "heat": make_session(
            title="Heat plans",
            track=track,
            speakers=[(ana, "moderator")],
            tags=[sdg11],
            languages=["fr"],
        ),
        "workshop": make_session(
            title="Bond workshop",
            format=SessionFormat.WORKSHOP,
            capacity=10,
            room=small_room,
            day=1,
            start=(10, 0),
        ),
        "later": make_session(title="Later session", day=2, start=(15, 0)),
        "draft": make_session(title="Secret draft", status=SessionStatus.DRAFT, day=3),
    }
    services.publish_schedule(congress=congress, by=alice)
    return sessions


def test_schedule_page_says_unpublished_before_the_first_version(client, congress):
    response = client.get(schedule_url(congress))
    assert response.status_code == 200
    assert "not been published" in response.content.decode()


def test_schedule_shows_published_sessions_as_a_grid_by_day(client, congress, published):
    response = client.get(schedule_url(congress))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Heat plans" in body and "agenda-grid" in body and "Hall A" in body
    assert "Later session" not in body  # another day
    assert "Secret draft" not in body


def test_times_are_in_the_congress_zone_with_machine_readable_instants(client, congress, published):
    body = client.get(schedule_url(congress, view="list")).content.decode()
    assert ">10:00<" in body  # 10:00 in Seoul, although stored as 01:00 UTC
    assert 'datetime="2027-05-10T10:00:00+09:00"' in body
    assert "Asia/Seoul" in body and "agenda.js" in body


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"track": "climate"}, "Heat plans", "Later session"),
        ({"format": "workshop"}, "Bond workshop", "Heat plans"),
        ({"language": "fr"}, "Heat plans", "Later session"),
        ({"tag": "SDG 11"}, "Heat plans", "Bond workshop"),
        ({"q": "bond"}, "Bond workshop", "Heat plans"),
        ({"q": "müller"}, "Heat plans", "Bond workshop"),
    ],
)
def test_list_filters(client, congress, published, params, present, absent):
    body = client.get(schedule_url(congress, view="list", day="all", **params)).content.decode()
    assert present in body and absent not in body


@pytest.mark.parametrize(
    "params",
    [
        {"track": "nope"},
        {"format": "<b>"},
        {"language": "zz"},
        {"day": "2027-13-45"},
        {"day": "yesterday"},
        {"view": "sideways"},
        {"q": "x" * 5000},
    ],
)
def test_bad_filter_values_are_ignored_never_a_500(client, congress, published, params):
    assert client.get(schedule_url(congress, **params)).status_code == 200


def test_a_nul_byte_in_a_filter_is_a_clear_400_never_a_500(client, congress, published):
    # Issue #11: a NUL in any query string is refused site-wide before the view (it was ignored
    # here, and answered 500 on PostgreSQL elsewhere).
    response = client.get(schedule_url(congress, tag="\x00"))
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_session_page_shows_speakers_room_and_feed(client, congress, published):
    heat = published["heat"]
    response = client.get(heat.get_absolute_url())
    body = response.content.decode()
    assert "Ana Müller" in body and "Hall A" in body and "Moderator" in body
    assert f"{heat.code}.ics" in body


def test_draft_sessions_have_no_public_page(client, congress, published):
    assert client.get(published["draft"].get_absolute_url()).status_code == 404


def test_cancelled_sessions_stay_visible_as_cancelled(client, congress, alice, published):
    services.cancel_session(session=published["heat"], by=alice)
    services.publish_schedule(congress=congress, by=alice)
    body = client.get(published["heat"].get_absolute_url()).content.decode()
    assert "cancelled" in body.lower()
    changes = client.get(reverse("agenda:changelog", kwargs={"congress_slug": congress.slug}))
    assert "Heat plans" in changes.content.decode() and "Cancelled" in changes.content.decode()


def test_speaker_pages(client, congress, published, ana):
    speakers = client.get(reverse("agenda:speakers", kwargs={"congress_slug": congress.slug}))
    assert "Ana Müller" in speakers.content.decode()
    page = client.get(
        reverse("agenda:speaker", kwargs={"congress_slug": congress.slug, "code": ana.code})
    )
    assert "Heat plans" in page.content.decode()


def test_markup_in_titles_abstracts_and_bios_is_shown_as_text(
    client, congress, alice, make_session
):
    evil = services.create_speaker(
        congress=congress, by=alice, name="<img src=x onerror=alert(1)>", bio="<b>bold</b>"
    )
    session = make_session(
        title="<script>alert('x')</script>", abstract="<i>hi</i>", speakers=[(evil, "speaker")]
    )
    services.publish_schedule(congress=congress, by=alice)
    for url in [
        schedule_url(congress, view="list"),
        schedule_url(congress),
        session.get_absolute_url(),
        reverse("agenda:speaker", kwargs={"congress_slug": congress.slug, "code": evil.code}),
    ]:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>bold" not in body
        assert "&lt;" in body


def test_a_draft_congress_is_hidden_from_the_public(client, congress, published):
    congress.status = "draft"
    congress.save()
    assert client.get(schedule_url(congress)).status_code == 404


def test_unknown_congress_is_404(client, db):
    assert client.get("/no-such-congress/schedule/").status_code == 404


@pytest.mark.parametrize("size", [50, 1000])
def test_pages_render_in_a_fixed_number_of_queries(
    client, congress, alice, size, django_assert_max_num_queries
):
    version = bulk_programme(congress, alice, sessions=size)
    code = version.snapshot["sessions"][0]["code"]
    speaker = version.snapshot["sessions"][0]["speakers"][0]["code"]
    urls = [
        schedule_url(congress),
        schedule_url(congress, view="list", day="all"),
        schedule_url(congress, view="list", track="bulk", q="1"),
        reverse("agenda:session", kwargs={"congress_slug": congress.slug, "code": code}),
        reverse("agenda:speakers", kwargs={"congress_slug": congress.slug}),
        reverse("agenda:speaker", kwargs={"congress_slug": congress.slug, "code": speaker}),
    ]
    for url in urls:  # cold: the page cache's version row, then the view's own three at most
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200
