"""Demo visa letters and certificates: some requests in every status (with made-up passport
data) and certificates of attendance and of speaking, one of each revoked. Idempotent: a
congress that has visa letter requests already is left alone."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from events_site.congresses.models import Congress

from .enums import CertificateKind, CertificateStatus, VisaLetterStatus
from .lifecycle import PAID_STATUSES
from .models import (
    Certificate,
    Delegate,
    DocumentSettings,
    MemberOrganisation,
    VisaFocalPoint,
    VisaLetterRequest,
)
from .models.documents import mask_passport_number
from .models.vouchers import normalise_organisation_name
from .services.certificates import grounds

# How many requests of each status the demo shows.
STATUSES = {
    VisaLetterStatus.REQUESTED: 12,
    VisaLetterStatus.APPROVED: 6,
    VisaLetterStatus.ISSUED: 8,
    VisaLetterStatus.REFUSED: 2,
    VisaLetterStatus.REVOKED: 2,
}
EMBASSIES = {
    "NG": "Lagos",
    "IN": "New Delhi",
    "BR": "Brasília",
    "KE": "Nairobi",
    "PK": "Islamabad",
    "CO": "Bogotá",
    "EG": "Cairo",
    "PH": "Manila",
    "SN": "Dakar",
    "MA": "Rabat",
}


def seed_demo(*, congress: Congress, rng: random.Random) -> dict:
    if VisaLetterRequest.objects.filter(congress=congress).exists():
        return {"visa_letters": 0, "certificates": 0}
    now = timezone.now()
    delete_after = congress.end_date + dt.timedelta(days=30)
    delegates = list(
        Delegate.objects.filter(order__congress=congress, is_cancelled=False)
        .select_related("order")
        .order_by("pk")[: sum(STATUSES.values()) * 4]
    )
    rng.shuffle(delegates)
    letters = []
    for status, count in STATUSES.items():
        for _n in range(count):
            if not delegates:
                break
            delegate = delegates.pop()
            country = rng.choice(sorted(EMBASSIES))
            number = f"{country}{rng.randint(1_000_000, 9_999_999)}"
            decided = status != VisaLetterStatus.REQUESTED
            letters.append(
                VisaLetterRequest(
                    congress=congress,
                    delegate=delegate,
                    status=status,
                    passport_name=f"{delegate.family_name.upper()} {delegate.given_name}",
                    nationality=country,
                    passport_number=number,
                    passport_number_masked=mask_passport_number(number),
                    passport_issued_on=dt.date(2020 + rng.randint(0, 5), rng.randint(1, 12), 1),
                    passport_expires_on=dt.date(2031 + rng.randint(0, 5), rng.randint(1, 12), 1),
                    birth_date=dt.date(1960 + rng.randint(0, 40), rng.randint(1, 12), 15),
                    birth_place=EMBASSIES[country],
                    embassy_city=EMBASSIES[country],
                    consent_at=now,
                    delete_after=delete_after,
                    decided_at=now if decided else None,
                    issued_at=now
                    if status in (VisaLetterStatus.ISSUED, VisaLetterStatus.REVOKED)
                    else None,
                    revoked_at=now if status == VisaLetterStatus.REVOKED else None,
                    reason={
                        VisaLetterStatus.REFUSED: "The registration is not paid.",
                        VisaLetterStatus.REVOKED: "The delegate cancelled their registration.",
                    }.get(status, ""),
                )
            )
    certificates = []
    found = grounds(congress)
    attending = sorted(found.checked_in) or [
        d.pk
        for d in Delegate.objects.filter(order__congress=congress, order__status__in=PAID_STATUSES)[
            :10
        ]
    ]
    names = {
        d.pk: f"{d.given_name} {d.family_name}"
        for d in Delegate.objects.filter(pk__in=[*attending[:10], *list(found.sessions_spoken)[:5]])
    }
    languages = dict(Delegate.objects.filter(pk__in=list(names)).values_list("pk", "language"))
    for n, delegate_id in enumerate(attending[:10]):
        certificates.append(
            Certificate(
                congress=congress,
                delegate_id=delegate_id,
                kind=CertificateKind.ATTENDANCE,
                holder_name=names[delegate_id],
                language=languages.get(delegate_id, "en"),
                issued_at=now,
                status=CertificateStatus.REVOKED if n == 0 else CertificateStatus.ISSUED,
                revoked_at=now if n == 0 else None,
                revoke_reason="check-in undone: wrong badge" if n == 0 else "",
            )
        )
    for n, (delegate_id, titles) in enumerate(list(found.sessions_spoken.items())[:5]):
        certificates.append(
            Certificate(
                congress=congress,
                delegate_id=delegate_id,
                kind=CertificateKind.SPEAKING,
                holder_name=names.get(delegate_id, ""),
                language=languages.get(delegate_id, "en"),
                sessions_spoken=titles,
                issued_at=now,
                status=CertificateStatus.REVOKED if n == 0 else CertificateStatus.ISSUED,
                revoked_at=now if n == 0 else None,
                revoke_reason="session withdrawn" if n == 0 else "",
            )
        )
    with transaction.atomic():
        focal_point = _focal_point_awaited(congress, letters)
        DocumentSettings.objects.get_or_create(
            congress=congress,
            defaults={
                "focal_points_approve": focal_point is not None,
                "host_country": "KR",
                "signatory_name": "Secretary General",
                "signatory_title": "World Association of Cities and Local Governments",
                "who_pays": "Delegates or the bodies they represent pay travel, accommodation "
                "and subsistence.",
            },
        )
        VisaLetterRequest.objects.bulk_create(letters)
        Certificate.objects.bulk_create(certificates, ignore_conflicts=True)
    return {
        "visa_letters": len(letters),
        "certificates": len(certificates),
        "visa_focal_points": int(focal_point is not None),
    }


def _focal_point_awaited(congress: Congress, letters: list[VisaLetterRequest]):
    """One member organisation with a visa focal point, and one waiting request of its
    delegation (its delegate's organisation put on the member list if it was not)."""
    waiting = next(
        (
            letter
            for letter in letters
            if letter.status == VisaLetterStatus.REQUESTED
            and normalise_organisation_name(letter.delegate.organisation_name or "")
        ),
        None,
    )
    if waiting is None:
        return None
    name = waiting.delegate.organisation_name
    organisation = MemberOrganisation.objects.filter(
        congress=congress, normalised_name=normalise_organisation_name(name)
    ).first() or MemberOrganisation.objects.create(congress=congress, name=name[:200])
    focal_point, _created = VisaFocalPoint.objects.get_or_create(
        member_organisation=organisation,
        defaults={"name": "Amina Diallo", "email": "focal.point@example.org", "language": "fr"},
    )
    waiting.focal_point_organisation = organisation
    return focal_point
