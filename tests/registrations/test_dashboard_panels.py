"""The registrations' and the payments wing's dashboard providers: nothing computed for a
person without the permission, their panels for one who has it (the figures themselves are
checked against hand counts in ``tests/core/test_dashboard.py``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events_site.congresses.enums import Perm
from registrations import dashboard
from registrations.payments import dashboard as payments_dashboard
from tests.core.test_dashboard import NOW, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("provider", "perm", "keys"),
    [
        (dashboard.panels, Perm.VIEW_REGISTRATIONS, ["registrations", "capacity"]),
        (payments_dashboard.panels, Perm.MANAGE_FINANCE, ["payments"]),
    ],
)
def test_a_provider_computes_nothing_without_its_permission(congress, world, provider, perm, keys):  # noqa: F811
    others = frozenset(Perm.values) - {perm}
    with CaptureQueriesContext(connection) as queries:
        assert provider(congress=congress, perms=others, now=NOW) == []
    assert len(queries) == 0
    shown = provider(congress=congress, perms=frozenset({perm}), now=NOW)
    assert [panel.key for panel in shown] == keys
    assert all(panel.perms == (perm,) for panel in shown)


def test_the_registrations_panel_has_a_fixed_number_of_queries(congress, world):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        dashboard.registrations_panel(congress, NOW)
    assert len(queries) == 5
