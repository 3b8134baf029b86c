"""Delegates get their name in Latin letters (searched at the check-in desk); the search text
and the member organisations' keys are recomputed (the normaliser now folds ø, ł, æ, đ, ı...);
on PostgreSQL a trigram index on the search text serves the desk's word-prefix search."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class TrigramOnPostgres(TrigramExtension):
    """pg_trgm, created on PostgreSQL only (like 0011's unaccent)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class SearchTextTrigramIndex(migrations.RunSQL):
    """A GIN trigram index on ``Delegate.search_text`` (PostgreSQL only: SQLite scans, which is
    fast enough there for one congress). It serves ``LIKE 'key%'`` and ``LIKE '% key%'``."""

    def __init__(self):
        super().__init__(
            "CREATE INDEX IF NOT EXISTS delegate_search_text_trgm ON registrations_delegate "
            "USING gin (search_text gin_trgm_ops)",
            "DROP INDEX IF EXISTS delegate_search_text_trgm",
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def refresh_keys(apps, schema_editor):
    from registrations.search_keys import delegate_search_text, normalise_search_text

    Delegate = apps.get_model("registrations", "Delegate")
    batch = []
    for delegate in Delegate.objects.order_by("pk").iterator(chunk_size=2000):
        text = delegate_search_text(delegate)
        if text != delegate.search_text:
            delegate.search_text = text
            batch.append(delegate)
        if len(batch) == 2000:
            Delegate.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Delegate.objects.bulk_update(batch, ["search_text"])
    # Member keys: a row whose new key its congress already has keeps its old one (as 0005).
    MemberOrganisation = apps.get_model("registrations", "MemberOrganisation")
    taken: dict[int, set[str]] = {}
    rows = list(MemberOrganisation.objects.order_by("congress_id", "pk"))
    for row in rows:
        taken.setdefault(row.congress_id, set()).add(row.normalised_name)
    changed = []
    for row in rows:
        key = normalise_search_text(row.name)[:200]
        if key == row.normalised_name or key in taken[row.congress_id]:
            continue
        taken[row.congress_id].discard(row.normalised_name)
        taken[row.congress_id].add(key)
        row.normalised_name = key
        changed.append(row)
    MemberOrganisation.objects.bulk_update(changed, ["normalised_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0016_email_log_and_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="delegate",
            name="name_latin",
            field=models.CharField(
                blank=True,
                help_text="Only if your name is written in another script (Arabic, Chinese, Cyrillic...): how to type it in Latin letters. Left empty, we suggest one.",
                max_length=200,
                verbose_name="name in Latin letters",
            ),
        ),
        migrations.RunPython(refresh_keys, migrations.RunPython.noop),
        TrigramOnPostgres(),
        SearchTextTrigramIndex(),
    ]
