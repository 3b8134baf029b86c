"""The timetable editor in Chromium, as a programme organiser (not a superuser): drag a session
from the queue into a free slot, onto a taken room (refused, reason shown, back in the queue),
move one by keyboard alone, and an axe-core check of the page at the WCAG 2.1 A/AA tags.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sessions.models import Session
from tests.agenda.conftest import at
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def pia(congress):
    user = UserFactory(username="pia", is_superuser=False, is_staff=False)
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


@pytest.fixture
def programme(congress, make_session, hall, small_room, track, ana, kenji):
    keynote = make_session(title="Opening keynote", start=(10, 0), speakers=[(ana, "speaker")])
    heat = make_session(title="Heat islands", start=(14, 0), track=track)
    water = make_session(title="Water and cities", start=(15, 0), speakers=[(kenji, "speaker")])
    Session.objects.filter(pk__in=[heat.pk, water.pk]).update(unscheduled=True, room=None)
    return keynote, heat, water


def _drag(page, source, target):
    box = source.locator(".ed-meta").bounding_box()  # not on its buttons
    goal = target.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 8)
    page.mouse.down()
    steps = 12
    for n in range(1, steps + 1):
        page.mouse.move(
            box["x"] + 20 + (goal["x"] + 10 - box["x"] - 20) * n / steps,
            box["y"] + 8 + (goal["y"] + goal["height"] / 2 - box["y"] - 8) * n / steps,
        )
    page.mouse.up()


def _ready(page):
    """The editor's script has attached its listeners: a drag before that moves nothing."""
    expect(page.locator("#editor")).to_have_attribute("data-ready", "1", timeout=20_000)


def _cell(page, room, time):
    return page.locator(f'.ed-cell[data-room="{room.pk}"][data-time="{time}"]')


def test_a_programme_organiser_builds_the_day_by_mouse_and_by_keyboard(
    page, live_server, congress, pia, programme, hall, small_room
):
    keynote, heat, water = programme
    page = signed_in(page, live_server, pia, width=1400, height=1300)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Timetable editor").first.click()
    expect(page.locator("h1")).to_contain_text("Timetable editor")
    expect(page.locator(".ed-zone")).to_contain_text("Asia/Seoul")
    _ready(page)

    # from the queue into a free slot: saved
    _drag(page, page.locator(f"#session-{heat.code}"), _cell(page, small_room, "2027-05-10T10:00"))
    expect(page.locator(f"#editor-grid #session-{heat.code} .ed-when")).to_have_text("10:00–11:00")
    heat.refresh_from_db()
    assert heat.room == small_room and heat.starts_at == at(congress, 0, 10)
    assert not heat.unscheduled
    screenshot(page, "manage-agenda-editor.png")

    # onto a taken room: refused, the reason beside it, back in the queue
    _drag(page, page.locator(f"#session-{water.code}"), _cell(page, hall, "2027-05-10T10:30"))
    card = page.locator(f"#queue-list #session-{water.code}")
    expect(card.locator(".ed-error")).to_contain_text("double-booked")
    expect(card.locator(".ed-error")).to_contain_text("Opening keynote")
    expect(page.locator("#editor-live")).to_contain_text("not moved")
    water.refresh_from_db()
    assert water.unscheduled and water.room is None
    screenshot(page, "manage-agenda-editor-refused.png")

    # by keyboard alone: hold it, 16 rows down (08:00 -> 12:00), one room right, Enter
    grab = page.locator(f"#session-{water.code}").get_by_role("button", name=f"Move {water.title}")
    grab.focus()
    page.keyboard.press("Space")
    expect(grab).to_have_attribute("aria-pressed", "true")
    for _n in range(16):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    expect(page.locator("#editor-live")).to_contain_text("Room 101, 12:00 to 13:15")
    page.keyboard.press("Enter")
    expect(page.locator("#editor-live")).to_contain_text("saved")
    water.refresh_from_db()
    assert water.room == small_room and water.starts_at == at(congress, 0, 12)
    assert water.ends_at == at(congress, 0, 13, 15)
    screenshot(page, "manage-agenda-editor-keyboard.png")

    # Escape puts a held session back where it was
    grab = page.locator(f"#session-{keynote.code} .ed-grab")
    grab.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    expect(page.locator("#editor-live")).to_contain_text("cancelled")
    keynote.refresh_from_db()
    assert keynote.room == hall


def test_the_editor_shows_a_change_made_by_someone_else(
    page, live_server, congress, pia, programme, small_room, server_quiet
):
    keynote, _heat, _water = programme
    page = signed_in(page, live_server, pia, width=1400, height=1300)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/editor/2027-05-10/")
    _ready(page)
    expect(page.locator("h1")).to_contain_text("Timetable editor")
    page.wait_for_timeout(1100)  # the other organiser's change comes after the page loaded
    from sessions.services.editor import place_session

    keynote.congress = congress
    with server_quiet:  # between the page's own requests (it polls): SQLite shares a connection
        place_session(
            session=keynote,
            by=pia,
            room=small_room,
            start=at(congress, 0, 16).replace(tzinfo=None),
            minutes=60,
        )
    page.evaluate("document.getElementById('editor').editorPoll()")
    expect(page.locator("#editor-changes")).to_contain_text("Opening keynote")
    card = page.locator(f"#session-{keynote.code}")
    expect(card).to_have_attribute("data-room", str(small_room.pk))
    screenshot(page, "manage-agenda-editor-changed.png")


def test_the_editor_page_has_no_axe_violation_at_wcag_21_aa(
    page, live_server, congress, pia, programme
):
    page = signed_in(page, live_server, pia, width=1400, height=1000)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/editor/2027-05-10/")
    _ready(page)
    expect(page.locator("h1")).to_contain_text("Timetable editor")
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == []


def test_a_session_dragged_onto_the_lunch_break_is_refused_and_snaps_back(
    page, live_server, congress, alice, pia, programme, hall, small_room
):
    from sessions.enums import BreakKind
    from sessions.services.breaks import create_break

    keynote, heat, water = programme
    create_break(
        congress=congress,
        by=alice,
        title="Lunch",
        kind=BreakKind.LUNCH,
        starts_at=at(congress, 0, 12),
        ends_at=at(congress, 0, 13),
        all_rooms=True,
    )
    page = signed_in(page, live_server, pia, width=1400, height=1300)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/editor/2027-05-10/")
    _ready(page)
    expect(page.locator("h1")).to_contain_text("Timetable editor")
    band = page.locator(".ed-break")
    expect(band).to_have_count(1)
    expect(band).to_contain_text("Lunch")
    expect(page.locator("#queue-count")).to_have_text("(2)")

    # a placed session dragged onto the lunch: refused, the reason beside it, back at 10:00
    card = page.locator(f"#session-{keynote.code}")
    place = "el => [el.style.gridColumnStart, el.style.gridRowStart, el.style.gridRowEnd]"
    before = card.evaluate(place)
    _drag(page, card, _cell(page, small_room, "2027-05-10T12:15"))
    expect(card.locator(".ed-error")).to_contain_text("Lunch")
    expect(page.locator("#editor-live")).to_contain_text("not moved")
    expect(card).to_have_attribute("data-room", str(hall.pk))
    assert card.evaluate(place) == before
    assert card.evaluate("el => el.style.transform") == ""
    keynote.refresh_from_db()
    assert keynote.room == hall and keynote.starts_at == at(congress, 0, 10)
    screenshot(page, "manage-agenda-editor-break-refused.png")

    # from the queue onto the lunch: refused, still in the queue, the count unchanged
    _drag(page, page.locator(f"#session-{heat.code}"), _cell(page, hall, "2027-05-10T12:30"))
    expect(page.locator(f"#queue-list #session-{heat.code} .ed-error")).to_contain_text("Lunch")
    expect(page.locator("#queue-count")).to_have_text("(2)")

    # into a free slot: saved, and the heading's count follows without a reload
    _drag(page, page.locator(f"#session-{heat.code}"), _cell(page, small_room, "2027-05-10T14:00"))
    expect(page.locator(f"#editor-grid #session-{heat.code} .ed-when")).to_have_text("14:00–15:00")
    expect(page.locator("#queue-count")).to_have_text("(1)")
    page.locator(f"#session-{heat.code} .ed-unschedule").click()
    expect(page.locator(f"#queue-list #session-{heat.code}")).to_be_visible()
    expect(page.locator("#queue-count")).to_have_text("(2)")
