"""Upgrading keeps the promise "nobody twice": delegates e-mailed before the ChangeNotice table
existed (listed in the runs' audit entries) are carried over."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The congress core at its newest: its later columns (NOT NULL, no database default) must be in
# the historical models this test writes with.
BEFORE = [
    ("agenda", "0001_initial"),
    ("registrations", "0002_order_submission_digest"),
    ("congresses", "0005_audit_entries_append_only"),
]
AFTER = [("agenda", "0002_change_notices_sent")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_notified_delegates_over():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organisation = apps.get_model("congresses", "Organisation")
    Congress = apps.get_model("congresses", "Congress")
    AuditEntry = apps.get_model("congresses", "AuditEntry")
    Version = apps.get_model("agenda", "ScheduleVersion")
    Order = apps.get_model("registrations", "Order")
    Delegate = apps.get_model("registrations", "Delegate")
    RegistrationType = apps.get_model("registrations", "RegistrationType")
    organisation = Organisation.objects.create(name="Org", slug="org")
    congress = Congress.objects.create(
        organisation=organisation,
        name="C",
        slug="c-2027",
        start_date="2027-05-10",
        end_date="2027-05-12",
    )
    version = Version.objects.create(congress=congress, number=2, published_at="2027-01-01T00:00Z")
    rtype = RegistrationType.objects.create(congress=congress, code="std", name="Standard")
    order = Order.objects.create(
        congress=congress, code="ABC", email="a@city.example", submission_digest="d"
    )
    told, untold = (
        Delegate.objects.create(order=order, registration_type=rtype, secret=f"s{n}")
        for n in range(2)
    )
    AuditEntry.objects.create(
        congress=congress,
        action="convene.agenda.changes_notified",
        target_type="agenda.scheduleversion",
        target_id=str(version.pk),
        data={"delegate_ids": [told.pk, 99999]},
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    notices = apps.get_model("agenda", "ChangeNotice").objects.values_list("version", "delegate")
    assert list(notices) == [(version.pk, told.pk)]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
