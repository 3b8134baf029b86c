"""Session blocks with ordered contributions: the service keeps them inside the block and in
order; the session page manages them; the public programme and the feeds show them inside the
block (frab XML and JSON, iCal description)."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.enums import ConflictKind, SessionFormat, SpeakerRole
from sessions.errors import InvalidProgrammeData, ScheduleConflict
from sessions.models import Contribution
from sessions.services import blocks
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


@pytest.fixture
def block(make_session, ana):
    return make_session(
        start=(14, 0), minutes=90, title="Paper session", speakers=[(ana, SpeakerRole.CHAIR)]
    )


def _add(block, alice, title, minutes, speakers=()):
    return blocks.add_contribution(
        session=block, by=alice, title=title, minutes=minutes, speakers=list(speakers)
    )


def test_contributions_follow_one_another_in_order_and_can_be_reordered(block, alice, ana, kenji):
    first = _add(block, alice, "Heat islands", 20, [ana])
    second = _add(block, alice, "Cool roofs", 30, [kenji])
    assert list(block.contributions.values_list("title", flat=True)) == [
        "Heat islands",
        "Cool roofs",
    ]
    blocks.move_contribution(contribution=second, by=alice, offset=-1)
    assert list(block.contributions.values_list("code", flat=True)) == [second.code, first.code]
    assert AuditEntry.objects.filter(action="convene.agenda.contribution_moved").exists()


def test_contributions_must_fit_inside_the_block(block, alice):
    _add(block, alice, "Long", 60)
    with pytest.raises(InvalidProgrammeData):
        _add(block, alice, "Too long", 31)
    assert block.contributions.count() == 1
    last = _add(block, alice, "Exactly", 30)
    with pytest.raises(InvalidProgrammeData):
        blocks.update_contribution(contribution=last, by=alice, minutes=31)


def test_a_block_cannot_be_shortened_below_its_contributions(block, alice):
    _add(block, alice, "Long", 80)
    with pytest.raises(ScheduleConflict) as refused:
        services.update_session(
            session=block, by=alice, ends_at=block.starts_at + dt.timedelta(minutes=60)
        )
    assert refused.value.conflicts[0].kind == ConflictKind.CONTRIBUTIONS_TOO_LONG


def test_only_block_formats_hold_contributions(make_session, alice):
    workshop = make_session(format=SessionFormat.WORKSHOP, capacity=20)
    with pytest.raises(InvalidProgrammeData):
        _add(workshop, alice, "Nope", 10)


def test_a_speaker_of_another_congress_is_refused(block, alice, other_congress):
    stranger = services.create_speaker(congress=other_congress, by=alice, name="Stranger")
    with pytest.raises(InvalidProgrammeData):
        _add(block, alice, "Theirs", 10, [stranger])


def test_the_session_page_adds_edits_moves_and_deletes_contributions(
    client, programme, congress, block, ana
):
    client.force_login(programme)
    add = _url("manage_contribution_create", congress, code=block.code)
    for title in ("One", "Two"):
        response = client.post(
            add, {"title": title, "abstract": "", "minutes": "15", "speakers": [ana.pk]}
        )
        assert response.status_code == 302
    one, two = block.contributions.all()
    response = client.get(_url("manage_session_edit", congress, code=block.code))
    assert response.context["contribution_block"]["used"] == 30
    page = response.content.decode()
    assert "One" in page and "Two" in page and "60 free" in page
    client.post(
        _url("manage_contribution_move", congress, code=block.code, contribution_code=two.code),
        {"direction": "up"},
    )
    assert list(block.contributions.values_list("title", flat=True)) == ["Two", "One"]
    client.post(
        _url("manage_contribution_edit", congress, code=block.code, contribution_code=one.code),
        {"title": "One, revised", "abstract": "", "minutes": "20"},
    )
    one.refresh_from_db()
    assert one.title == "One, revised" and one.minutes == 20 and not one.speakers.exists()
    client.post(
        _url("manage_contribution_delete", congress, code=block.code, contribution_code=two.code)
    )
    assert list(block.contributions.values_list("title", flat=True)) == ["One, revised"]


@pytest.mark.parametrize(
    "data",
    [
        {"title": "x" * 10_000, "minutes": "10"},
        {"title": "Ok", "minutes": "-5"},
        {"title": "Ok", "minutes": "100000"},
        {"title": "Ok", "minutes": "91"},
        {"title": "Ok", "minutes": "10", "speakers": ["999999"]},
        {"title": "Ok", "minutes": "10", "speakers": ["<script>"]},
        {"title": "Ok\x00", "minutes": "10"},
    ],
)
def test_hostile_contribution_forms_are_refused(client, programme, congress, block, data):
    client.force_login(programme)
    response = client.post(_url("manage_contribution_create", congress, code=block.code), data)
    assert response.status_code in (200, 400)
    assert not Contribution.objects.exists()


def test_a_bad_move_direction_moves_nothing(client, programme, congress, block, alice):
    contribution = _add(block, alice, "One", 10)
    _add(block, alice, "Two", 10)
    client.force_login(programme)
    url = _url(
        "manage_contribution_move", congress, code=block.code, contribution_code=contribution.code
    )
    for direction in ("sideways", "", "\x00", "x" * 10_000):
        assert client.post(url, {"direction": direction}).status_code in (302, 400)
    assert list(block.contributions.values_list("title", flat=True)) == ["One", "Two"]


def test_check_in_staff_may_not_touch_contributions(client, bob, congress, block, alice):
    contribution = _add(block, alice, "One", 10)
    client.force_login(bob)
    kwargs = {"code": block.code, "contribution_code": contribution.code}
    assert client.get(_url("manage_contribution_edit", congress, **kwargs)).status_code == 403
    assert client.post(_url("manage_contribution_delete", congress, **kwargs)).status_code == 403
    assert Contribution.objects.count() == 1


def test_published_contributions_appear_inside_their_block_everywhere(
    client, congress, alice, block, ana, kenji
):
    _add(block, alice, "Heat islands", 20, [kenji])
    _add(block, alice, "Cool roofs", 30)
    services.publish_schedule(congress=congress, by=alice)
    grid = client.get(_url("schedule", congress)).content.decode()
    assert "agenda-cell-contributions" in grid and "Heat islands" in grid
    page = client.get(_url("session", congress, code=block.code)).content.decode()
    assert "Cool roofs" in page and "山田 健二" in page and "14:20" in page
    assert client.get(_url("speaker", congress, code=kenji.code)).status_code == 200
    data = json.loads(client.get(_url("schedule_json", congress)).content)
    (session,) = data["sessions"]
    assert [c["title"] for c in session["contributions"]] == ["Heat islands", "Cool roofs"]
    assert session["contributions"][1]["starts_at"].startswith("2027-05-10T14:20:00+09:00")
    assert kenji.code in {sp["code"] for sp in data["speakers"]}
    root = ET.fromstring(client.get(_url("schedule_xml", congress)).content)  # noqa: S314
    description = next(root.iter("event")).findtext("description")
    assert description.splitlines() == ["14:00 Heat islands – 山田 健二", "14:20 Cool roofs"]
    calendar = icalendar.Calendar.from_ical(client.get(_url("schedule_ics", congress)).content)
    (event,) = calendar.walk("VEVENT")
    assert "14:20 Cool roofs" in str(event["DESCRIPTION"])


def test_a_changed_contribution_changes_the_session_in_the_next_version(congress, alice, block):
    contribution = _add(block, alice, "One", 10)
    services.publish_schedule(congress=congress, by=alice)
    blocks.update_contribution(contribution=contribution, by=alice, title="One, revised")
    version = services.publish_schedule(congress=congress, by=alice)
    assert version.changelog == [
        {"kind": "changed", "code": block.code, "title": block.title, "fields": ["contributions"]}
    ]


def test_a_session_without_contributions_keeps_its_published_record(congress, alice, block):
    version = services.publish_schedule(congress=congress, by=alice)
    assert "contributions" not in version.snapshot["sessions"][0]
