# ruff: noqa: F811 - the shared ``world`` fixture is a parameter of most tests
"""The dashboard's panels are counted and drawn once per half minute (``dashboard_for``), per
congress, set of permissions and language: a second look counts nothing again, a change shows
once the kept panels expire, and nobody is shown panels kept for wider roles."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events_site.congresses.dashboard import PANELS_SECONDS
from events_site.congresses.enums import Role
from registrations.lifecycle import OrderStatus
from tests.core.test_dashboard import _member, _order
from tests.core.test_dashboard import world as world  # noqa: F401 - the shared fixture
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db

REGISTERED = re.compile(r"<dt>Registered delegates</dt><dd>(\d+)</dd>")


def _page(client, congress, **headers) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("congresses:backoffice", args=[congress.slug]), **headers)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def _registered(page: str) -> int:
    return int(REGISTERED.search(page).group(1))


def test_a_second_look_within_half_a_minute_counts_nothing_again(
    client, congress, alice, world, django_assert_max_num_queries
):
    client.force_login(alice)
    first, first_queries = _page(client, congress)
    with django_assert_max_num_queries(len(first_queries) - 20):
        second, second_queries = _page(client, congress)
    assert not [sql for sql in second_queries if "registrations_delegate" in sql]
    assert _registered(second) == _registered(first) == 6
    assert "Figures as of" in second


def test_a_new_registration_shows_once_the_kept_panels_expire(
    client, congress, alice, world, monkeypatch
):
    client.force_login(alice)
    assert _registered(_page(client, congress)[0]) == 6
    order = _order(congress, OrderStatus.PAID, total="100.00")
    DelegateFactory(order=order, registration_type=world["member"], country="PT")
    assert _registered(_page(client, congress)[0]) == 6  # kept: counted less than 30 s ago
    later = time.time() + PANELS_SECONDS + 1
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    assert _registered(_page(client, congress)[0]) == 7


def test_a_narrower_role_is_never_shown_the_panels_kept_for_the_owner(
    client, congress, alice, world
):
    client.force_login(alice)
    owner_page, _queries = _page(client, congress)
    assert "panel-payments" in owner_page
    client.force_login(_member(congress, Role.CHECKIN))
    desk_page, _queries = _page(client, congress)
    shown = set(re.findall(r'dashboard-panel" id="panel-([a-z-]+)"', desk_page))
    assert shown == {"on-site"}
    assert "Registered delegates" not in desk_page


def test_each_language_keeps_its_own_panels(client, congress, alice, world):
    client.force_login(alice)
    english, _queries = _page(client, congress)
    arabic, _queries = _page(client, congress, HTTP_ACCEPT_LANGUAGE="ar")
    assert 'direction="rtl"' not in english
    assert 'direction="rtl"' in arabic
    assert "Registered delegates" not in arabic


def test_the_charts_write_coordinates_svg_can_read_in_every_language(
    client, congress, alice, world
):
    """French writes 12,5 for 12.5; an SVG attribute must read 12.5 (it did not, before the
    bars were written by the tag), while the table beneath keeps the language's numbers."""
    client.force_login(alice)
    page, _queries = _page(client, congress, HTTP_ACCEPT_LANGUAGE="fr")
    attributes = re.findall(r' (?:x|y|width|height)="([^"]*)"', page)
    assert attributes and not [value for value in attributes if "," in value]
    assert re.search(r'<rect x="220" y="3" width="\d+\.\d+" height="16"', page)


def test_the_time_the_figures_were_counted_is_in_the_congress_zone_and_names_it(
    client, congress, alice, world
):
    import datetime as dt
    from zoneinfo import ZoneInfo

    congress.time_zone = "Asia/Seoul"
    congress.save(update_fields=["time_zone"])
    client.force_login(alice)
    before = dt.datetime.now(ZoneInfo("Asia/Seoul")).replace(microsecond=0)
    page, _queries = _page(client, congress)
    shown = re.search(r"Figures as of (\d\d:\d\d:\d\d) \(Asia/Seoul\)", page)
    assert shown, "the counted time names the congress's zone"
    counted = dt.datetime.combine(before.date(), dt.time.fromisoformat(shown.group(1)))
    drift = abs((counted.replace(tzinfo=before.tzinfo) - before).total_seconds())
    assert drift < 300 or drift > 86_000  # Seoul time (a day boundary may fall between)
