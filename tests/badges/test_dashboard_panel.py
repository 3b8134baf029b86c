"""The on-site dashboard provider: check-in staff and badge managers get it, nobody else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges import dashboard
from events_site.congresses.enums import Perm
from tests.core.test_dashboard import NOW, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("perm", [Perm.CHECK_IN, Perm.MANAGE_BADGES])
def test_check_in_or_badge_rights_give_the_on_site_panel(congress, world, perm):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        shown = dashboard.panels(congress=congress, perms=frozenset({perm}), now=NOW)
    assert [panel.key for panel in shown] == ["on-site"]
    assert len(queries) == 6  # with the prints per congress day


def test_other_rights_give_no_on_site_panel(congress, world):  # noqa: F811
    others = frozenset(Perm.values) - {Perm.CHECK_IN, Perm.MANAGE_BADGES}
    assert dashboard.panels(congress=congress, perms=others, now=NOW) == []
