from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events_site.congresses.models import Congress
from registrations.errors import RegistrationError
from registrations.services.members import import_member_organisations


class Command(BaseCommand):
    help = "Import a congress's member-organisation list from CSV (name, country, reference)."

    def add_arguments(self, parser):
        parser.add_argument("congress_slug")
        parser.add_argument("csv_path", type=Path)
        parser.add_argument("--replace", action="store_true", help="Replace the current list.")

    def handle(self, *args, congress_slug, csv_path, replace=False, **options):
        congress = Congress.objects.filter(slug=congress_slug).first()
        if congress is None:
            raise CommandError(f"No congress {congress_slug!r}.")
        try:
            text = csv_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {csv_path}: {exc}") from exc
        try:
            result = import_member_organisations(
                congress=congress, csv_text=text, replace=replace, actor_label="command"
            )
        except RegistrationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "{added} added, {updated} updated, {unchanged} already listed, "
            "{removed} removed.".format(**result)
        )
