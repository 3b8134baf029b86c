"""Member organisations' normalised names drop accents (the matching and search key): the
stored keys are recomputed. A row whose new key another row of its congress already has keeps
its old key, so nothing is lost (the other row already matches the same delegates)."""

from django.db import migrations


def recompute_keys(apps, schema_editor):
    from registrations.models.vouchers import normalise_organisation_name

    MemberOrganisation = apps.get_model("registrations", "MemberOrganisation")
    taken: dict[int, set[str]] = {}
    rows = list(MemberOrganisation.objects.order_by("congress_id", "pk"))
    for row in rows:
        taken.setdefault(row.congress_id, set()).add(row.normalised_name)
    changed = []
    for row in rows:
        key = normalise_organisation_name(row.name)[:200]
        if key == row.normalised_name or key in taken[row.congress_id]:
            continue
        taken[row.congress_id].discard(row.normalised_name)
        taken[row.congress_id].add(key)
        row.normalised_name = key
        changed.append(row)
    MemberOrganisation.objects.bulk_update(changed, ["normalised_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0004_hoarding_caps_and_hold_placer")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop)]
