"""Tracks in Chromium: a programme organiser adds two tracks and reorders them.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os

import pytest

from sessions.models import Track
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_a_programme_organiser_adds_and_orders_tracks(page, live_server, congress):
    pia = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=pia, role="programme")
    page = signed_in(page, live_server, pia)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/")
    page.get_by_role("link", name="Tracks").first.click()
    for name, slug, colour in (
        ("Climate", "climate", "#1b7f3b"),
        ("Finance", "finance", "#8a3b12"),
    ):
        page.get_by_role("link", name="New track").click()
        page.fill("#id_name", name)
        page.fill("#id_slug", slug)
        page.locator("#id_colour").evaluate(f"(el) => {{ el.value = '{colour}'; }}")
        page.get_by_role("button", name="Save").click()
        page.locator(".messages").wait_for()
    page.get_by_role("button", name="Move Finance up").click()
    page.locator("#tracks").wait_for()
    assert list(Track.objects.values_list("slug", flat=True)) == ["finance", "climate"]
    screenshot(page, "agenda-tracks.png")
