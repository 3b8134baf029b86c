"""Formats and tags in Chromium: a programme organiser sets a format's default duration, adds
tags and deletes one after the confirmation. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes
the pictures."""

import os

import pytest
from playwright.sync_api import expect

from sessions import services
from sessions.enums import SessionFormat
from sessions.models import FormatSetting, Tag
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def pia(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def test_a_programme_organiser_sets_a_format_s_default_duration(page, live_server, congress, pia):
    services.save_format_setting(
        congress=congress, by=None, format=SessionFormat.BREAK, default_minutes=20
    )
    page = signed_in(page, live_server, pia)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/")
    page.get_by_role("link", name="Formats").first.click()
    page.get_by_role("link", name="Edit Workshop").click()
    page.fill("#id_default_minutes", "150")
    page.fill("#id_display_name", "Hands-on lab")
    page.fill("#id_description", "Small groups, laptops welcome.")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    assert FormatSetting.objects.get(congress=congress, format="workshop").default_minutes == 150
    assert "150 minutes" in page.locator("#format-workshop").inner_text()
    screenshot(page, "manage-formats.png")


def test_a_programme_organiser_adds_tags_and_deletes_one(
    page, live_server, congress, pia, make_session
):
    page = signed_in(page, live_server, pia)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/")
    page.get_by_role("link", name="Tags").first.click()
    for name, slug, colour in (
        ("SDG 11", "sdg-11", "#c2410c"),
        ("Youth", "youth", "#6d28d9"),
        ("気候変動", "kiko", ""),
        ("Spare", "spare", ""),
    ):
        page.get_by_role("link", name="New tag").click()
        page.fill("#id_name", name)
        page.fill("#id_slug", slug)
        page.fill("#id_colour", colour)
        page.get_by_role("button", name="Save").click()
        page.locator(".messages").wait_for()
    make_session(tags=list(Tag.objects.filter(slug__in=["sdg-11", "youth"])))
    make_session(tags=list(Tag.objects.filter(slug="sdg-11")), start=(14, 0))
    page.get_by_role("link", name="Delete Spare").click()
    page.get_by_role("button", name="Delete").click()
    page.locator(".messages").wait_for()
    assert not Tag.objects.filter(slug="spare").exists()
    page.reload()
    expect(page.locator("#tags tbody tr")).to_have_count(3)
    screenshot(page, "manage-tags.png")
