import django.db.models.deletion
from django.db import migrations, models


def from_the_audit_log(apps, schema_editor):
    """Congresses set up before the field: their first copy's source, as the audit log says."""
    Congress = apps.get_model("congresses", "Congress")
    AuditEntry = apps.get_model("congresses", "AuditEntry")
    known = set(Congress.objects.values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(action="convene.congress.setup_copied").order_by("pk")
    for entry in entries.values("congress_id", "data"):
        source = (entry["data"] or {}).get("source_id")
        if source in known and source != entry["congress_id"]:
            Congress.objects.filter(pk=entry["congress_id"], copied_from__isnull=True).update(
                copied_from_id=source
            )


class Migration(migrations.Migration):
    dependencies = [
        ("congresses", "0006_timetable_slot_and_room_building"),
    ]

    operations = [
        migrations.AddField(
            model_name="congress",
            name="copied_from",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="congresses.congress",
                verbose_name="set-up copied from",
            ),
        ),
        migrations.RunPython(from_the_audit_log, migrations.RunPython.noop),
    ]
