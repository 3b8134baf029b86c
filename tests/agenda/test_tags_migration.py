"""Upgrading turns each congress's free-text session tags into Tag rows, with unique slugs,
and puts them back as text when migrating backwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("agenda", "0002_change_notices_sent"),
    ("congresses", "0005_audit_entries_append_only"),
]
AFTER = [("agenda", "0003_formats_and_tags")]


@pytest.mark.django_db(transaction=True)
def test_free_text_tags_become_rows_of_their_congress():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organisation = apps.get_model("congresses", "Organisation")
    Congress = apps.get_model("congresses", "Congress")
    Session = apps.get_model("agenda", "Session")
    organisation = Organisation.objects.create(name="Org", slug="org")
    first, second = (
        Congress.objects.create(
            organisation=organisation,
            name=slug,
            slug=slug,
            start_date="2027-05-10",
            end_date="2027-05-12",
        )
        for slug in ("c-one", "c-two")
    )
    for n, (congress, tags) in enumerate(
        [
            (first, ["SDG 11", "youth"]),
            (first, ["SDG 11", "SDG-11", "気候"]),
            (first, []),
            (second, ["youth"]),
        ]
    ):
        Session.objects.create(
            congress=congress,
            code=f"S{n}",
            title="T",
            starts_at="2027-05-10T01:00Z",
            ends_at="2027-05-10T02:00Z",
            tags=tags,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Tag = apps.get_model("agenda", "Tag")
    Session = apps.get_model("agenda", "Session")
    rows = sorted(Tag.objects.values_list("congress__slug", "name", "slug"))
    assert rows == [
        ("c-one", "SDG 11", "sdg-11"),
        ("c-one", "SDG-11", "sdg-11-2"),
        ("c-one", "youth", "youth"),
        ("c-one", "気候", "気候"),
        ("c-two", "youth", "youth"),
    ]
    tagged = {s.code: sorted(t.name for t in s.tags.all()) for s in Session.objects.all()}
    assert tagged == {
        "S0": ["SDG 11", "youth"],
        "S1": ["SDG 11", "SDG-11", "気候"],
        "S2": [],
        "S3": ["youth"],
    }

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    back = apps.get_model("agenda", "Session").objects.get(code="S1")
    assert back.tags == ["SDG 11", "SDG-11", "気候"]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
