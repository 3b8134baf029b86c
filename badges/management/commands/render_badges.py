"""``manage.py render_badges <congress-slug> --output badges.pdf``: the print page, from scripts."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from registrations.models import RegistrationType

from ... import printing
from ...enums import BadgeSort, PageFormat, PrintJobStatus


class Command(BaseCommand):
    help = "Render badges of a congress into one PDF (recorded as a print job)."

    def add_arguments(self, parser):
        parser.add_argument("congress_slug")
        parser.add_argument("--output", "-o", required=True, help="PDF file to write ('-': stdout)")
        parser.add_argument(
            "--format", dest="page_format", default=PageFormat.A6, choices=PageFormat.values
        )
        parser.add_argument("--crop-marks", action="store_true")
        parser.add_argument("--back-side", action="store_true")
        parser.add_argument("--only-unprinted", action="store_true")
        parser.add_argument("--type", dest="registration_type", help="registration type code")
        parser.add_argument("--sort", default=BadgeSort.FAMILY_NAME, choices=BadgeSort.values)
        parser.add_argument("--reason", default="", help="required when reprinting")

    def handle(self, *args, congress_slug, output, registration_type, **options):
        try:
            congress = Congress.objects.get(slug=congress_slug)
        except Congress.DoesNotExist as exc:
            raise CommandError(f"No congress {congress_slug!r}.") from exc
        reg_type = None
        if registration_type:
            reg_type = RegistrationType.objects.filter(
                congress=congress, code=registration_type
            ).first()
            if reg_type is None:
                raise CommandError(f"No registration type {registration_type!r} in {congress}.")
        started = time.monotonic()
        try:
            job = printing.create_print_job(
                congress=congress,
                by=None,
                by_label="manage.py render_badges",
                registration_type=reg_type,
                enqueue=False,
                page_format=options["page_format"],
                crop_marks=options["crop_marks"],
                back_side=options["back_side"],
                only_unprinted=options["only_unprinted"],
                sort=options["sort"],
                reason=options["reason"],
            )
            if output == "-":
                job = printing.run_print_job(job=job, out=sys.stdout.buffer)
            else:
                with open(output, "wb") as handle:
                    job = printing.run_print_job(job=job, out=handle)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if job.status != PrintJobStatus.DONE:
            raise CommandError(f"Print job {job.pk} failed: {job.get_failure_display()}")
        if output != "-":
            self.stdout.write(
                f"{job.badge_count} badges -> {output} in {time.monotonic() - started:.1f} s "
                f"(print job {job.pk})"
            )
