"""The signing certificate's passphrase is kept sealed (Fernet), no longer in clear: existing
passphrases are sealed with the keys configured now, then the clear column goes."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from registrations.sealed_secrets import seal

    DocumentSettings = apps.get_model("registrations", "DocumentSettings")
    for row in DocumentSettings.objects.exclude(signing_passphrase=""):
        row.signing_passphrase_sealed = seal(row.signing_passphrase)
        row.save(update_fields=["signing_passphrase_sealed"])


def unseal_existing(apps, schema_editor):
    from registrations.sealed_secrets import unseal

    DocumentSettings = apps.get_model("registrations", "DocumentSettings")
    for row in DocumentSettings.objects.exclude(signing_passphrase_sealed=""):
        row.signing_passphrase = unseal(row.signing_passphrase_sealed)
        row.save(update_fields=["signing_passphrase"])


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
    ]
