from django.core.management.base import BaseCommand, CommandError

from events_site.congresses.models import Congress
from registrations.services.personal_data import apply_retention, retention_report
from registrations.services.visa_focal_points import erase_expired_focal_points
from registrations.services.visa_letters import erase_expired_passport_data


class Command(BaseCommand):
    help = (
        "Erase the personal data whose retention delay after the congress has passed "
        "(--dry-run: only say what would be erased, and when)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; report.")
        parser.add_argument("--congress", help="Only this congress (its slug).")

    def handle(self, *args, dry_run=False, congress=None, **options):
        congresses = None
        if congress:
            found = Congress.objects.filter(slug=congress).first()
            if found is None:
                raise CommandError(f"No congress {congress!r}.")
            congresses = [found]
        if dry_run:
            lines = retention_report(congresses=congresses)
            for line in lines:
                when = "now (due)" if line.due else f"on {line.erase_on.isoformat()}"
                self.stdout.write(
                    f"{line.congress.slug}: {line.count} would have {line.group.label} "
                    f"erased {when} ({line.days} days after the congress)"
                )
            if not lines:
                self.stdout.write("No retention delays are set.")
            return
        applied = apply_retention(congresses=congresses)
        for line in applied:
            self.stdout.write(f"{line.congress.slug}: {line.group.label} erased for {line.count}")
        self.stdout.write(f"{sum(line.count for line in applied)} record(s) erased.")
        passports = erase_expired_passport_data()
        self.stdout.write(f"{passports} visa letter request(s) had their passport data erased.")
        points = erase_expired_focal_points()
        self.stdout.write(f"{points} visa focal point(s) deleted.")
