"""The publish page's preview (changes and who will be e-mailed), earlier versions read-only,
and the printable timetables (a day with rooms as columns, a door sign per room) as PDFs."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sessions import services
from sessions.enums import BreakKind
from sessions.services import blocks
from sessions.services import breaks as break_services
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import at, bulk_programme

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_publish_page_lists_the_changes_and_who_will_be_e_mailed(
    client, programme, congress, alice, make_session, delegate
):
    session = make_session(start=(10, 0), title="Heat maps")
    services.publish_schedule(congress=congress, by=alice)
    agenda = services.get_or_create_agenda(delegate=delegate)
    services.mark_session(agenda=agenda, session=session)
    services.update_session(
        session=session, by=alice, starts_at=at(congress, 0, 15), ends_at=at(congress, 0, 16)
    )
    client.force_login(programme)
    response = client.get(_url("publish", congress))
    assert response.context["recipient_count"] == 1
    page = response.content.decode()
    assert "Heat maps" in page and "Leila" in page and "1 delegate" in page


def test_a_first_publication_e_mails_nobody(client, programme, congress, make_session):
    make_session()
    client.force_login(programme)
    response = client.get(_url("publish", congress))
    assert response.context["recipient_count"] == 0


def test_earlier_versions_are_listed_and_readable(client, programme, congress, alice, make_session):
    session = make_session(title="First title")
    services.publish_schedule(congress=congress, by=alice, comment="Opening <b>draft</b>")
    services.update_session(session=session, by=alice, title="Second title")
    services.publish_schedule(congress=congress, by=alice)
    client.force_login(programme)
    listing = client.get(_url("manage_versions", congress)).content.decode()
    assert "Version 1" in listing and "Version 2" in listing
    assert "Opening &lt;b&gt;draft&lt;/b&gt;" in listing
    first = client.get(_url("manage_version", congress, number=1)).content.decode()
    assert "First title" in first and "Second title" not in first
    assert client.get(_url("manage_version", congress, number=9)).status_code == 404


def test_the_versions_list_runs_in_a_fixed_number_of_queries(
    client, programme, congress, alice, make_session, django_assert_max_num_queries
):
    session = make_session()
    for n in range(15):
        services.update_session(session=session, by=alice, title=f"Title {n}")
        services.publish_schedule(congress=congress, by=alice)
    client.force_login(programme)
    with django_assert_max_num_queries(10):
        client.get(_url("manage_versions", congress))


def test_a_version_of_1000_sessions_reads_in_a_fixed_number_of_queries(
    client, programme, congress, alice, django_assert_max_num_queries
):
    bulk_programme(congress, alice, sessions=1000)
    client.force_login(programme)
    with django_assert_max_num_queries(12):
        response = client.get(_url("manage_version", congress, number=1))
    assert len(response.context["sessions"]) == 1000


def test_the_day_pdf_has_rooms_as_columns_breaks_and_contributions_in_the_zone(
    client, programme, congress, alice, hall, small_room, make_session, kenji
):
    block = make_session(start=(10, 0), minutes=60, title="Paper session", room=hall)
    blocks.add_contribution(session=block, by=alice, title="Cool roofs", minutes=20)
    make_session(
        start=(14, 0),
        minutes=60,
        title="Ночь музеев",
        room=small_room,
        speakers=[(kenji, "speaker")],
    )
    break_services.create_break(
        congress=congress,
        by=alice,
        title="Lunch",
        kind=BreakKind.LUNCH,
        starts_at=at(congress, 0, 12),
        ends_at=at(congress, 0, 13),
    )
    services.publish_schedule(congress=congress, by=alice)
    client.force_login(programme)
    response = client.get(_url("manage_print_day", congress, day="2027-05-10"))
    text = _text(response)
    for expected in (
        "Hall A",
        "Room 101",
        "Paper session",
        "Cool roofs",
        "Lunch",
        "Asia/Seoul",
        "Ночь музеев",
        "山田",
    ):
        assert expected in text
    assert "10:00" in text and "12:00" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts  # the name printed, not tofu


def test_the_door_sign_lists_the_room_s_sessions_per_day(
    client, programme, congress, alice, hall, small_room, make_session
):
    make_session(day=0, start=(9, 0), title="Opening plenary", room=hall)
    make_session(day=1, start=(9, 0), title="Day two", room=hall)
    make_session(day=0, start=(11, 0), title="Elsewhere", room=small_room)
    services.publish_schedule(congress=congress, by=alice)
    client.force_login(programme)
    response = client.get(_url("manage_print_room", congress, room_id=hall.pk))
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Opening plenary" in first and "Day two" in second
    assert "Elsewhere" not in first + second and "Asia/Seoul" in first


def test_printing_needs_a_published_version_and_a_real_day_or_room(
    client, programme, congress, alice, hall, make_session
):
    client.force_login(programme)
    assert (
        "publish the programme first" in client.get(_url("manage_print", congress)).content.decode()
    )
    assert client.get(_url("manage_print_day", congress, day="2027-05-10")).status_code == 404
    make_session()
    services.publish_schedule(congress=congress, by=alice)
    for day in ("2030-01-01", "not-a-day", "2027-13-40"):
        assert client.get(_url("manage_print_day", congress, day=day)).status_code == 404
    assert client.get(_url("manage_print_room", congress, room_id=999999)).status_code == 404


def test_markup_in_titles_prints_as_text(client, programme, congress, alice, hall, make_session):
    make_session(title='<img src="http://127.0.0.1:1/x.png"> <b>Bold</b>')
    services.publish_schedule(congress=congress, by=alice)
    client.force_login(programme)
    text = _text(client.get(_url("manage_print_day", congress, day="2027-05-10")))
    assert "<b>Bold</b>" in text


def test_check_in_staff_may_not_print_or_see_versions(
    client, bob, congress, alice, make_session, hall
):
    make_session()
    services.publish_schedule(congress=congress, by=alice)
    client.force_login(bob)
    for url in (
        _url("manage_print", congress),
        _url("manage_print_day", congress, day="2027-05-10"),
        _url("manage_print_room", congress, room_id=hall.pk),
        _url("manage_versions", congress),
        _url("manage_version", congress, number=1),
    ):
        assert client.get(url).status_code == 403
