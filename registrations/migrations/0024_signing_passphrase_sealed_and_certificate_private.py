"""The signing certificate's passphrase is kept sealed (Fernet), no longer in clear: existing
passphrases are sealed with the keys configured now, then the clear column goes. The PKCS#12
file itself (a private key) moves from the public media to the private storage."""

from django.core.files.storage import default_storage
from django.db import migrations, models

import events_site.congresses.private_files


def _check_constraints_now(schema_editor):
    """On PostgreSQL, rows updated here leave deferred foreign-key checks pending, and a later
    ALTER TABLE of the same table in this transaction would refuse to run: check them now."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def seal_existing(apps, schema_editor):
    from registrations.sealed_secrets import seal

    DocumentSettings = apps.get_model("registrations", "DocumentSettings")
    for row in DocumentSettings.objects.exclude(signing_passphrase=""):
        row.signing_passphrase_sealed = seal(row.signing_passphrase)
        row.save(update_fields=["signing_passphrase_sealed"])
    _check_constraints_now(schema_editor)


def unseal_existing(apps, schema_editor):
    from registrations.sealed_secrets import unseal

    DocumentSettings = apps.get_model("registrations", "DocumentSettings")
    for row in DocumentSettings.objects.exclude(signing_passphrase_sealed=""):
        row.signing_passphrase = unseal(row.signing_passphrase_sealed)
        row.save(update_fields=["signing_passphrase"])
    _check_constraints_now(schema_editor)


def _move(apps, schema_editor, source, target):
    DocumentSettings = apps.get_model("registrations", "DocumentSettings")
    for row in DocumentSettings.objects.exclude(signing_certificate=""):
        name = row.signing_certificate.name
        if not source.exists(name):
            continue
        with source.open(name, "rb") as handle:
            new_name = target.save(name, handle)
        DocumentSettings.objects.filter(pk=row.pk).update(signing_certificate=new_name)
        source.delete(name)
    _check_constraints_now(schema_editor)


def certificates_to_private(apps, schema_editor):
    from events_site.congresses.private_files import get_private_storage

    _move(apps, schema_editor, default_storage, get_private_storage())


def certificates_to_public(apps, schema_editor):
    from events_site.congresses.private_files import get_private_storage

    _move(apps, schema_editor, get_private_storage(), default_storage)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0023_content_translations_and_name_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentsettings",
            name="signing_passphrase_sealed",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
        migrations.RemoveField(
            model_name="documentsettings",
            name="signing_passphrase",
        ),
        migrations.AlterField(
            model_name="documentsettings",
            name="signing_certificate",
            field=models.FileField(
                blank=True,
                storage=events_site.congresses.private_files.get_private_storage,
                upload_to="documents/keys/",
                verbose_name="signing certificate (PKCS#12)",
            ),
        ),
        migrations.RunPython(certificates_to_private, certificates_to_public),
    ]
