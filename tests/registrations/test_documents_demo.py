"""The demo congress shows visa letters in every status and certificates issued and revoked."""

import pytest
from django.core.management import call_command

from events_site.congresses.models import Congress
from registrations.enums import CertificateKind, CertificateStatus, VisaLetterStatus
from registrations.models import Certificate, VisaLetterRequest

pytestmark = pytest.mark.django_db


def test_the_demo_has_letters_and_certificates_in_every_state_and_reseeding_adds_none():
    options = {"delegates": 200, "speakers": 30, "sessions": 24, "verbosity": 0}
    call_command("seed_demo", **options)
    congress = Congress.objects.get()
    statuses = set(
        VisaLetterRequest.objects.filter(congress=congress).values_list("status", flat=True)
    )
    assert statuses == set(VisaLetterStatus.values)
    certificates = set(Certificate.objects.values_list("kind", "status"))
    assert (CertificateKind.ATTENDANCE, CertificateStatus.ISSUED) in certificates
    assert (CertificateKind.ATTENDANCE, CertificateStatus.REVOKED) in certificates
    waiting = [
        letter
        for letter in VisaLetterRequest.objects.filter(focal_point_organisation__isnull=False)
        if letter.awaits_focal_point
    ]
    assert len(waiting) == 1
    assert waiting[0].focal_point_organisation.visa_focal_point.email
    assert congress.document_settings.focal_points_approve
    count = VisaLetterRequest.objects.count()
    call_command("seed_demo", **options)
    assert VisaLetterRequest.objects.count() == count
