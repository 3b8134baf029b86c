"""``manage.py check_integrity [--congress SLUG] [--json]``: report what the services should
never have let happen; exit status 1 on any finding, so cron and tests can rely on it."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.validators import slug_unicode_re
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events_site.congresses.models import Congress
from events_site.integrity.checks import check_congress
from events_site.integrity.tasks import check_integrity_task


class Command(BaseCommand):
    help = (
        "Check every congress (or one) for seats beyond capacity, payments that do not match "
        "order statuses, gaps in invoice numbers and badges of delegates who no longer count. "
        "Exits with status 1 if anything is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--congress", metavar="SLUG", help="Check only this congress.")
        parser.add_argument("--json", action="store_true", help="Print the findings as JSON.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Run every congress's checks on the task queue; findings go to the log.",
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            check_integrity_task.enqueue()
            self.stdout.write("Enqueued.")
            return
        congresses = Congress.objects.order_by("slug")
        slug = options["congress"]
        if slug is not None:
            # Text that cannot be a slug (a NUL, which PostgreSQL refuses) is not looked up.
            congresses = congresses.filter(slug=slug) if slug_unicode_re.match(slug) else None
            if congresses is None or not congresses.exists():
                raise CommandError(_("No congress “%(slug)s”.") % {"slug": slug})
        findings = [finding for congress in congresses for finding in check_congress(congress)]
        if options["json"]:
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False))
        else:
            for f in findings:
                self.stdout.write(f"{f.congress}\t{f.kind}\t{f.object}\t{f.detail}")
            if not findings:
                self.stdout.write(_("No problems found."))
        if findings:
            count = len(findings)
            message = ngettext(
                "%(count)s integrity problem found.", "%(count)s integrity problems found.", count
            )
            raise CommandError(message % {"count": count}, returncode=1)
