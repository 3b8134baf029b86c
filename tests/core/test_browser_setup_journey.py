"""The organiser area's whole set-up in Chromium, as the issue asks: an owner who is not a
superuser creates a congress from nothing (a venue with two rooms, two registration types with
early-bird prices, a question, a voucher), opens registration, and a delegate registers on the
public page with the voucher. Then the finance and check-in roles: none of the set-up pages in
their navigation, and refused when they type the address.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
from decimal import Decimal

import pytest

from events_site.congresses.enums import CongressStatus, Role
from events_site.congresses.models import AuditEntry, Congress, Room
from registrations.models import Answer, Order, Question, RegistrationType, Voucher
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

SLUG = "forum-2027"


def _create_congress(page, live_server):
    page.goto(f"{live_server.url}/manage/")
    page.get_by_role("link", name="New congress").click()
    page.fill("#id_name", "Local Governments Forum 2027")
    page.fill("#id_slug", SLUG)
    page.fill("#id_start_date", "2027-10-11")
    page.fill("#id_end_date", "2027-10-14")
    page.fill("#id_time_zone", "Europe/Lisbon")
    page.select_option("#id_currency", "EUR")
    page.check("input[name=languages][value=en]")
    page.check("input[name=languages][value=fr]")
    page.get_by_role("button", name="Create the congress").click()
    page.locator(".messages").wait_for()


def _add_venue_and_rooms(page, live_server):
    page.goto(f"{live_server.url}/{SLUG}/manage/")
    page.get_by_role("link", name="Edit venues and rooms").first.click()
    page.get_by_role("link", name="Add a venue").click()
    page.fill("#id_name", "Centro de Congressos de Lisboa")
    page.fill("#id_city", "Lisboa")
    page.select_option("#id_country", "PT")
    page.get_by_role("button", name="Save").click()
    for name, capacity in (("Auditório I", "1500"), ("Sala 2", "120")):
        page.get_by_role("link", name="Add a room").click()
        page.fill("#id_name", name)
        page.fill("#id_capacity", capacity)
        page.get_by_role("button", name="Save").click()
        page.locator(".messages").wait_for()


def _add_type(page, live_server, code, name, early, regular):
    page.goto(f"{live_server.url}/{SLUG}/manage/")
    page.get_by_role("link", name="Registration types").first.click()
    page.get_by_role("link", name="Add a registration type").click()
    page.fill("#id_code", code)
    page.fill("#id_name", name)
    page.fill("#id_regular_price", regular)
    page.fill("#id_early_bird_price", early)
    page.fill("#id_early_bird_until", "2027-06-30")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()


def _add_question(page, live_server):
    page.goto(f"{live_server.url}/{SLUG}/manage/")
    page.get_by_role("link", name="Registration questions").first.click()
    page.get_by_role("link", name="Add a question").click()
    page.fill("#id_label", "Dietary needs")
    page.select_option("#id_kind", "text")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()


def _add_voucher(page, live_server):
    page.goto(f"{live_server.url}/{SLUG}/manage/")
    page.get_by_role("link", name="Vouchers").first.click()
    page.get_by_role("link", name="New voucher").click()
    page.fill("#id_code", "welcome")
    page.select_option("#id_kind", "percentage")
    page.fill("#id_value", "50")
    page.fill("#id_max_uses", "10")
    page.get_by_label("Member city").check()
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()


def _open_registration(page, live_server):
    page.goto(f"{live_server.url}/{SLUG}/manage/")
    page.get_by_role("link", name="Congress settings").first.click()
    page.check(f"input[name=status][value={CongressStatus.REGISTRATION_OPEN}]")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()


def test_an_owner_sets_up_a_congress_from_nothing_and_a_delegate_registers_with_its_voucher(
    page, live_server, congress, alice
):
    assert not alice.is_superuser and not alice.is_staff
    page = signed_in(page, live_server, alice)
    _create_congress(page, live_server)
    created = Congress.objects.get(slug=SLUG)
    assert created.status == CongressStatus.DRAFT
    _add_venue_and_rooms(page, live_server)
    _add_type(page, live_server, "member", "Member city", early="300.00", regular="400.00")
    _add_type(page, live_server, "partner", "Partner", early="500.00", regular="650.00")
    _add_question(page, live_server)
    _add_voucher(page, live_server)
    _open_registration(page, live_server)
    page.goto(f"{live_server.url}/{SLUG}/manage/")
    screenshot(page, "manage-overview.png")
    page.goto(f"{live_server.url}/manage/")
    screenshot(page, "dashboard.png")

    assert sorted(Room.objects.filter(venue__congress=created).values_list("name", flat=True)) == [
        "Auditório I",
        "Sala 2",
    ]
    assert list(
        RegistrationType.objects.filter(congress=created)
        .order_by("position")
        .values_list("code", "early_bird_price")
    ) == [("member", Decimal("300.00")), ("partner", Decimal("500.00"))]
    voucher = Voucher.objects.get(congress=created)
    assert voucher.code == "WELCOME"
    assert {t.code for t in voucher.registration_types.all()} == {"member"}
    created.refresh_from_db()
    assert created.status == CongressStatus.REGISTRATION_OPEN
    # every change went through the services: each left its audit entry
    actions = set(AuditEntry.objects.filter(congress=created).values_list("action", flat=True))
    assert {
        "convene.registration_type.created",
        "convene.voucher.created",
    } <= actions, actions

    # A delegate, not signed in, registers on the public page with the voucher.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/{SLUG}/register/")
    assert "Early bird" in page.content()
    page.get_by_label("Member city").check()
    page.fill("[name='delegates']", "1")
    page.get_by_role("button", name="Continue").click()
    page.fill("[name='contact_name']", "Inês Carvalho")
    page.fill("[name='email']", "ines@porto.example")
    page.fill("[name='voucher']", "welcome")
    page.fill("[name='delegates-0-given_name']", "Inês")
    page.fill("[name='delegates-0-family_name']", "Carvalho")
    page.fill("[name='delegates-0-email']", "ines@porto.example")
    page.select_option("[name='delegates-0-country']", "PT")
    question = Question.objects.get(congress=created)
    page.fill(f"[name='delegates-0-q_{question.pk}']", "Vegetarian")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I have read the terms above").check()
    page.get_by_role("button", name="Confirm registration").click()
    page.wait_for_url("**/orders/**")
    assert page.locator("#order-total").inner_text() == "€150.00"  # early bird, half off
    order = Order.objects.get(congress=created)
    assert order.voucher == voucher and order.total == Decimal("150.00")
    assert Answer.objects.get(delegate__order=order).value == "Vegetarian"


# The set-up pages of the organiser area: link text in the navigation, and the address.
SET_UP_PAGES = [
    ("Congress settings", "manage/settings/"),
    ("Copy a set-up", "manage/copy-setup/"),
    ("Edit venues and rooms", "manage/venues/"),
    ("Team", "manage/team/"),
    ("Security", "manage/security/"),
    ("Registration types", "manage/registrations/types/"),
    ("Registration settings", "manage/registrations/settings/"),
    ("Registration questions", "manage/registrations/questions/"),
    ("Vouchers", "manage/registrations/vouchers/"),
    ("Member organisations", "manage/registrations/members/"),
    ("Tracks", "manage/agenda/tracks/"),
    ("Session formats", "manage/agenda/formats/"),
    ("Session tags", "manage/agenda/tags/"),
    ("Badge layouts", "manage/badges/layouts/"),
]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.CHECKIN])
def test_finance_and_check_in_see_no_set_up_page_and_are_refused_at_the_address(
    page, live_server, congress, role
):
    congress.status = CongressStatus.DRAFT  # the copy page is offered only to drafts
    congress.save(update_fields=["status"])
    person = UserFactory(username=f"staff-{role}")
    TeamMembershipFactory(congress=congress, user=person, role=role)
    page = signed_in(page, live_server, person)
    page.goto(f"{live_server.url}/manage/")
    links = {text.strip() for text in page.locator("a").all_inner_texts()}
    for name, _path in SET_UP_PAGES:
        assert name not in links, f"{role} sees {name!r}"
    screenshot(page, f"manage-navigation-{role}.png")
    for _name, path in SET_UP_PAGES:
        response = page.goto(f"{live_server.url}/{congress.slug}/{path}")
        assert response.status == 403, f"{role} {path}: {response.status}"
