"""Arabic on a 390 px phone: the public pages open on their content, with no horizontal overflow
(the skip link once sat at left:-999px and, mirrored in right-to-left, widened the page by 999 px).
The page's scroll width must equal the viewport's, on the home page, the programme, the
registration form of a delegation of three, the order page and the check-in desk; axe-core finds
nothing at the WCAG 2.1 A/AA tags on the public pages; the layout mirrors (the timetable's hours
stand on the right) while what is written left to right (badge codes, e-mail addresses) stays so.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from badges import services as badge_services
from registrations.enums import OrderStatus
from registrations.models import Order
from sessions import services as agenda_services
from sessions.enums import SessionFormat, SessionStatus
from tests.browser import PHONE, fits_the_phone, screenshot, wait_ready
from tests.factories import (
    RegistrationTypeFactory,
    RoomFactory,
    VenueFactory,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[1] / "agenda" / "axe" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _in_arabic(page, live_server):
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    return page


def _axe_violations(page) -> list:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


@pytest.fixture
def programme(congress, alice):
    """A published programme of two rooms: an Arabic session title and an English one."""
    venue = VenueFactory(congress=congress, name="مركز المؤتمرات")
    hall = RoomFactory(venue=venue, name="القاعة الكبرى", capacity=300, position=1)
    room = RoomFactory(venue=venue, name="Room 101", capacity=40, position=2)
    first = dt.datetime.combine(congress.start_date, dt.time(9), tzinfo=congress.tz)
    for title, where, start in (
        ("الجلسة الافتتاحية: المدن والمناخ", hall, first),
        ("Water and cities", room, first + dt.timedelta(hours=1)),
    ):
        agenda_services.create_session(
            congress=congress,
            by=alice,
            title=title,
            room=where,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            status=SessionStatus.CONFIRMED,
            format=SessionFormat.PARALLEL,
            languages=["ar", "en"],
            speakers=[],
        )
    agenda_services.publish_schedule(congress=congress, by=alice)


def _fill_delegate(page, index: int, given: str, family: str, email: str) -> None:
    page.fill(f"[name='delegates-{index}-given_name']", given)
    page.fill(f"[name='delegates-{index}-family_name']", family)
    page.fill(f"[name='delegates-{index}-email']", email)
    page.select_option(f"[name='delegates-{index}-country']", "MA")


@pytest.mark.parametrize("language", ["ar", "en"])
def test_public_pages_have_no_horizontal_overflow_on_a_phone(page, live_server, congress, language):
    RegistrationTypeFactory(congress=congress)
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for path in ("", "register/", "schedule/", "schedule/speakers/"):
        page.goto(f"{live_server.url}/{congress.slug}/{path}")
        attributes = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
        assert attributes == [language, "rtl" if language == "ar" else "ltr"], path
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] == widths[1], f"/{path} in {language}: scroll width {widths}"
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] >= 0


@pytest.mark.django_db(transaction=True)
def test_a_delegation_of_three_registers_in_arabic_on_a_phone(
    page, live_server, congress, programme
):
    congress.languages = [*congress.languages, "ar"]
    congress.save(update_fields=["languages"])
    RegistrationTypeFactory(
        congress=congress, code="member", name="مدينة عضو", regular_price=Decimal("400.00")
    )
    page = _in_arabic(page, live_server)

    page.goto(f"{live_server.url}/{congress.slug}/")
    expect(page.locator("#language-select option[value=ar]")).to_have_text("العربية")
    fits_the_phone(page, lang="ar", direction="rtl", where="home")
    assert _axe_violations(page) == []
    screenshot(page, "ar-phone-home.png")

    page.goto(f"{live_server.url}/{congress.slug}/schedule/")
    expect(page.get_by_text("الجلسة الافتتاحية: المدن والمناخ")).to_be_visible()
    fits_the_phone(page, lang="ar", direction="rtl", where="programme")
    # The grid mirrors: its column of hours stands at the right, the first room beside it.
    hours = page.locator(".agenda-grid-hour").first.bounding_box()
    first_room = page.locator(".agenda-grid-room").first.bounding_box()
    assert hours["x"] > first_room["x"]
    # A time is isolated from the Arabic around it and keeps its digits in order.
    time = page.locator(".agenda-cell-time time").first
    expect(time).to_have_text("09:00")
    assert time.evaluate("t => getComputedStyle(t).unicodeBidi") == "isolate"
    assert _axe_violations(page) == []
    screenshot(page, "ar-phone-programme.png")

    page.goto(f"{live_server.url}/{congress.slug}/register/")
    page.get_by_label("مدينة عضو").check()
    page.fill("[name='delegates']", "1")
    fits_the_phone(page, lang="ar", direction="rtl", where="registration, step 1")
    assert _axe_violations(page) == []
    page.get_by_role("button", name="متابعة").click()

    page.get_by_role("button", name="إضافة مندوب آخر").click()
    page.get_by_role("button", name="إضافة مندوب آخر").click()
    expect(page.locator("[data-delegate-form]:visible")).to_have_count(3)
    page.fill("[name='contact_name']", "فاطمة الزهراء بنعلي")
    page.fill("[name='email']", "f.benali@rabat.example")
    # An e-mail address is written left to right inside the right-to-left form.
    email = page.locator("[name='email']")
    assert email.evaluate("e => getComputedStyle(e).direction") == "ltr"
    _fill_delegate(page, 0, "فاطمة الزهراء", "بنعلي", "f.benali@rabat.example")
    _fill_delegate(page, 1, "يوسف", "العلوي", "y.alaoui@rabat.example")
    _fill_delegate(page, 2, "Amélie", "Dubois", "amelie@rabat.example")
    fits_the_phone(page, lang="ar", direction="rtl", where="registration form with three delegates")
    assert _axe_violations(page) == []
    screenshot(page, "ar-phone-register.png")
    page.locator("#review-registration").click()  # "متابعة": the summary step

    expect(page.locator("#summary-delegates tbody tr")).to_have_count(3)
    fits_the_phone(page, lang="ar", direction="rtl", where="registration summary")
    assert _axe_violations(page) == []
    page.locator("#consent").check()
    page.get_by_role("button", name="تأكيد التسجيل").click()

    page.wait_for_url("**/orders/**")
    expect(page.locator(".delegate-row")).to_have_count(3)
    expect(page.locator("h1")).to_contain_text("الطلب")
    fits_the_phone(page, lang="ar", direction="rtl", where="order page")
    assert _axe_violations(page) == []
    screenshot(page, "ar-phone-order.png")
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.language == "ar"
    assert sorted(order.delegates.values_list("given_name", flat=True)) == [
        "Amélie",
        "فاطمة الزهراء",
        "يوسف",
    ]


def test_the_check_in_desk_in_arabic_on_a_phone(page, live_server, congress, bob):
    from tests.badges.conftest import make_delegate

    delegate = make_delegate(congress, given_name="يوسف", family_name="العلوي")
    badge = badge_services.badge_for(delegate=delegate)
    client = Client()
    client.force_login(bob)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = _in_arabic(page, live_server)
    page.goto(f"{live_server.url}/{congress.slug}/manage/checkin/")
    wait_ready(page, "#desk-offline")  # the desk's scripts listen, its first sync is done
    fits_the_phone(page, lang="ar", direction="rtl", where="check-in desk")
    # The badge code is typed left to right, whatever the page's direction.
    scan = page.locator("#scan")
    assert scan.evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.keyboard.type(badge.secret)
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_contain_text("مسموح بالدخول")
    expect(page.locator("#verdict")).to_contain_text("يوسف العلوي")
    fits_the_phone(page, lang="ar", direction="rtl", where="check-in verdict")
    assert _axe_violations(page) == []
    screenshot(page, "ar-phone-checkin.png")
    page.get_by_role("button", name="تسجيل الوصول", exact=True).click()
    page.wait_for_url("**done=1**")
    expect(page.locator("#verdict")).to_contain_text("سُجّل الوصول")
    fits_the_phone(page, lang="ar", direction="rtl", where="check-in done")
    # the new page's desk syncs first: on SQLite in memory it shares the test's connection
    wait_ready(page, "#desk-offline")
    badge.refresh_from_db()
    assert badge.checked_in_at is not None
